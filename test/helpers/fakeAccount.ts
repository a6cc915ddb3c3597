/**
 * An AWS account as the preflight reads it: ECS clusters, services and task definitions, ECR
 * images, SSM parameters, S3 objects, Lambda functions and CloudWatch alarms, described as plain data and answered
 * through aws-sdk-client-mock with AWS's own answers (its response shapes and its exceptions, with
 * their names and HTTP status codes). A test changes the data to break one thing.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import {
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { objectBody } from './reads.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

export interface FakeContainer {
  name: string;
  image: string;
  /** `secrets[].valueFrom`: parameter names or ARNs. */
  secrets?: string[];
  /** `environmentFiles[].value`: S3 object ARNs. */
  envFiles?: string[];
}

export interface FakeTaskDefinition {
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  containers: FakeContainer[];
}

export interface FakeService {
  /** `family:revision`. */
  taskDefinition: string;
  status?: string;
  /** `deploymentConfiguration.strategy` (none: ECS's default, a rolling update). */
  strategy?: 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  /** `deploymentConfiguration.lifecycleHooks`: the function each invokes (a name of this account) and at which stages. */
  hooks?: Array<{ function: string; stages: string[] }>;
}

export interface FakeAccount {
  /** Cluster name → its services (service name → the task definition it runs, `family:revision`). */
  clusters: Record<string, Record<string, FakeService>>;
  taskDefinitions: FakeTaskDefinition[];
  /** Repository → its image tags and digests. */
  repositories: Record<string, string[]>;
  /** Parameter name → metadata (values are never asked for). */
  parameters: Record<string, { type: 'String' | 'SecureString'; version?: number; description?: string }>;
  /** `s3://bucket/key` → content. */
  objects: Record<string, string>;
  functions: Record<
    string,
    { packageType: 'Zip' | 'Image'; imageUri?: string; aliases: Record<string, string>; environment?: Record<string, string> }
  >;
  /** CloudWatch alarms by name (metric alarms). */
  alarms?: Record<string, { state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'; reason?: string; since?: string }>;
  /** Names of commands answered with AccessDenied. */
  denied: string[];
}

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: 'fake-request-id' } });
const taskDefinitionArn = (td: FakeTaskDefinition) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${td.family}:${td.revision}`;

function accessDenied(command: string): Error {
  const error = new Error(`User: arn:aws:iam::${ACCOUNT}:user/operator is not authorized to perform: ${command}`);
  Object.assign(error, { name: 'AccessDeniedException', ...meta(400) });
  return error;
}

function findTaskDefinition(account: FakeAccount, requested: string): FakeTaskDefinition | undefined {
  const short = requested.startsWith('arn:') ? requested.slice(requested.indexOf('/') + 1) : requested;
  const [family, revision] = short.split(':');
  if (revision !== undefined) return account.taskDefinitions.find((td) => td.family === family && td.revision === Number(revision));
  return account.taskDefinitions.filter((td) => td.family === family && td.status === 'ACTIVE').sort((a, b) => b.revision - a.revision)[0];
}

/**
 * Mocks the six SDK clients from `account` (read at each call, so a test may change it first).
 *
 * @example
 * const mocks = mockAccount(healthyAccount());
 * mocks.ecs.commandCalls(DescribeServicesCommand);
 */
export function mockAccount(account: FakeAccount) {
  const ecs = mockClient(ECSClient);
  const ecr = mockClient(ECRClient);
  const ssm = mockClient(SSMClient);
  const s3 = mockClient(S3Client);
  const lambda = mockClient(LambdaClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const guard =
    <I, O>(command: string, answer: (input: I) => O) =>
    (input: I): O => {
      if (account.denied.includes(command)) throw accessDenied(command);
      return answer(input);
    };

  ecs.on(DescribeClustersCommand).callsFake(
    guard('ecs:DescribeClusters', (input: { clusters?: string[] }) => {
      const name = input.clusters?.[0] ?? 'default';
      const services = account.clusters[name];
      const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
      if (services === undefined) return { clusters: [], failures: [{ arn, reason: 'MISSING' }] };
      return {
        clusters: [{ clusterArn: arn, clusterName: name, status: 'ACTIVE', activeServicesCount: Object.keys(services).length }],
        failures: [],
      };
    }),
  );
  ecs.on(ListServicesCommand).callsFake(
    guard('ecs:ListServices', (input: { cluster?: string; nextToken?: string }) => {
      const cluster = input.cluster ?? 'default';
      const services = account.clusters[cluster];
      if (services === undefined) throw new ClusterNotFoundException({ message: 'Cluster not found.', ...meta(400) });
      // Two pages, so the preflight must follow nextToken.
      const arns = Object.keys(services).map((name) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`);
      const half = Math.ceil(arns.length / 2);
      return input.nextToken === undefined ? { serviceArns: arns.slice(0, half), nextToken: 'page-2' } : { serviceArns: arns.slice(half) };
    }),
  );
  ecs.on(DescribeServicesCommand).callsFake(
    guard('ecs:DescribeServices', (input: { cluster?: string; services?: string[] }) => {
      const cluster = input.cluster ?? 'default';
      const services = account.clusters[cluster];
      if (services === undefined) throw new ClusterNotFoundException({ message: 'Cluster not found.', ...meta(400) });
      const names = input.services ?? [];
      const arn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;
      return {
        services: names.flatMap((name) => {
          const s = services[name];
          if (s === undefined) return [];
          const td = findTaskDefinition(account, s.taskDefinition);
          return [
            {
              serviceName: name,
              serviceArn: arn(name),
              clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
              status: s.status ?? 'ACTIVE',
              taskDefinition: td === undefined ? s.taskDefinition : taskDefinitionArn(td),
              desiredCount: 2,
              runningCount: 2,
              ...(s.strategy === undefined && s.hooks === undefined
                ? {}
                : {
                    deploymentConfiguration: {
                      ...(s.strategy === undefined ? {} : { strategy: s.strategy }),
                      lifecycleHooks: (s.hooks ?? []).map((hook) => ({
                        hookTargetArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${hook.function}`,
                        roleArn: `arn:aws:iam::${ACCOUNT}:role/ecs-hook`,
                        lifecycleStages: hook.stages,
                      })),
                    },
                  }),
            },
          ];
        }),
        failures: names.filter((name) => services[name] === undefined).map((name) => ({ arn: arn(name), reason: 'MISSING' })),
      };
    }),
  );
  ecs.on(DescribeTaskDefinitionCommand).callsFake(
    guard('ecs:DescribeTaskDefinition', (input: { taskDefinition?: string }) => {
      const td = findTaskDefinition(account, input.taskDefinition ?? '');
      if (td === undefined) throw new ClientException({ message: 'Unable to describe task definition.', ...meta(400) });
      return {
        taskDefinition: {
          taskDefinitionArn: taskDefinitionArn(td),
          family: td.family,
          revision: td.revision,
          status: td.status,
          containerDefinitions: td.containers.map((c) => ({
            name: c.name,
            image: c.image,
            ...(c.secrets === undefined ? {} : { secrets: c.secrets.map((valueFrom, i) => ({ name: `SECRET_${i}`, valueFrom })) }),
            ...(c.envFiles === undefined ? {} : { environmentFiles: c.envFiles.map((value) => ({ value, type: 's3' })) }),
          })),
        },
      };
    }),
  );

  ecr.on(DescribeImagesCommand).callsFake(
    guard(
      'ecr:DescribeImages',
      (input: { repositoryName?: string; registryId?: string; imageIds?: Array<{ imageTag?: string; imageDigest?: string }> }) => {
        const name = input.repositoryName ?? '';
        const images = account.repositories[name];
        if (images === undefined || (input.registryId !== undefined && input.registryId !== ACCOUNT)) {
          throw new RepositoryNotFoundException({
            message: `The repository with name '${name}' does not exist in the registry with id '${input.registryId ?? ACCOUNT}'`,
            ...meta(400),
          });
        }
        const id = input.imageIds?.[0] ?? {};
        const wanted = id.imageDigest ?? id.imageTag ?? 'latest';
        if (!images.includes(wanted))
          throw new ImageNotFoundException({
            message: `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${name}'`,
            ...meta(400),
          });
        return {
          imageDetails: [
            {
              repositoryName: name,
              registryId: ACCOUNT,
              imageDigest: 'sha256:feed',
              imageTags: id.imageTag === undefined ? [] : [id.imageTag],
            },
          ],
        };
      },
    ),
  );

  ssm.on(DescribeParametersCommand).callsFake(
    guard('ssm:DescribeParameters', (input: { ParameterFilters?: Array<{ Key: string; Option?: string; Values?: string[] }> }) => {
      const names = input.ParameterFilters?.find((f) => f.Key === 'Name')?.Values ?? [];
      return {
        Parameters: names.flatMap((name) => {
          const p = account.parameters[name];
          return p === undefined
            ? []
            : [
                {
                  Name: name,
                  ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
                  Type: p.type,
                  Version: p.version ?? 3,
                  ...(p.description === undefined ? {} : { Description: p.description }),
                },
              ];
        }),
      };
    }),
  );

  s3.on(HeadObjectCommand).callsFake(
    guard('s3:HeadObject', (input: { Bucket?: string; Key?: string }) => {
      const body = account.objects[`s3://${input.Bucket ?? ''}/${input.Key ?? ''}`];
      if (body === undefined) throw new NotFound({ message: 'UnknownError', ...meta(404) });
      return { ContentLength: Buffer.byteLength(body), ETag: '"etag"' };
    }),
  );
  s3.on(GetObjectCommand).callsFake(
    guard('s3:GetObject', (input: { Bucket?: string; Key?: string }) => {
      const body = account.objects[`s3://${input.Bucket ?? ''}/${input.Key ?? ''}`];
      if (body === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', ...meta(404) });
      return objectBody(body);
    }),
  );

  lambda.on(GetFunctionCommand).callsFake(
    guard('lambda:GetFunction', (input: { FunctionName?: string }) => {
      const name = input.FunctionName ?? '';
      const fn = account.functions[name];
      if (fn === undefined)
        throw new ResourceNotFoundException({
          message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
          ...meta(404),
        });
      return {
        Configuration: {
          FunctionName: name,
          FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
          PackageType: fn.packageType,
          ...(fn.packageType === 'Zip' ? { Runtime: 'nodejs22.x' } : {}),
          Environment: { Variables: fn.environment ?? {} },
        },
        Code:
          fn.packageType === 'Image'
            ? { ImageUri: fn.imageUri, ResolvedImageUri: `${fn.imageUri ?? ''}@sha256:feed` }
            : {
                Location: `https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/${ACCOUNT}/${name}?X-Amz-Signature=PRESIGNED`,
              },
      };
    }),
  );
  // What the function's own dry run reads (the preflight does not).
  lambda.on(GetFunctionConfigurationCommand).callsFake(
    guard('lambda:GetFunctionConfiguration', (input: { FunctionName?: string; Qualifier?: string }) => {
      const fn = account.functions[input.FunctionName ?? ''];
      if (fn === undefined) throw new ResourceNotFoundException({ message: 'Function not found', ...meta(404) });
      return {
        FunctionName: input.FunctionName,
        Version: input.Qualifier ?? '$LATEST',
        PackageType: fn.packageType,
        State: 'Active',
        LastUpdateStatus: 'Successful',
        RevisionId: 'rev-1',
      };
    }),
  );
  lambda.on(GetAliasCommand).callsFake(
    guard('lambda:GetAlias', (input: { FunctionName?: string; Name?: string }) => {
      const fn = account.functions[input.FunctionName ?? ''];
      const version = fn?.aliases[input.Name ?? ''];
      if (version === undefined)
        throw new ResourceNotFoundException({
          message: `Alias not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${input.FunctionName ?? ''}:${input.Name ?? ''}`,
          ...meta(404),
        });
      return {
        Name: input.Name,
        FunctionVersion: version,
        AliasArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${input.FunctionName ?? ''}:${input.Name ?? ''}`,
      };
    }),
  );
  cloudwatch.on(DescribeAlarmsCommand).callsFake(
    guard('cloudwatch:DescribeAlarms', (input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? []).flatMap((name) => {
        const alarm = account.alarms?.[name];
        return alarm === undefined
          ? []
          : [
              {
                AlarmName: name,
                StateValue: alarm.state,
                StateReason: alarm.reason ?? 'Threshold Crossed: no datapoints were received for 1 period.',
                StateTransitionedTimestamp: new Date(alarm.since ?? '2026-03-05T15:50:00Z'),
              },
            ];
      }),
    })),
  );
  const all = [ecs, ecr, ssm, s3, lambda, cloudwatch];
  return { ecs, ecr, ssm, s3, lambda, cloudwatch, reset: () => all.forEach((m) => m.restore()) };
}
