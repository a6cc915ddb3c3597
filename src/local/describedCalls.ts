/**
 * The offline local run's AWS: real SDK clients whose requests are answered before they are signed
 * or sent. Reads are described (an answer, and what it assumes, in words); writes are not made (one
 * event: never reached, dry run is forced; a sequence: `UpdateService` is described, so the ECS
 * events that follow can be correlated with the deployment it would start). The targets and reads on
 * these clients are the real ones.
 */
import type { InitializeMiddleware } from '@smithy/types';
import type { Context } from 'aws-lambda';
import type { Config } from '../config/config.js';
import { ecrRegistry } from '../config/images.js';
import { serviceRepositories, shortTaskDefinition, taskDefinitionFamily } from '../config/naming.js';
import {
  describedAlarmsRead,
  describedEcrRead,
  describedS3Read,
  describedServiceDeploymentsRead,
  describedSsmReads,
  type Assume,
} from './describedReads.js';
import type { RawEvent } from './input.js';

/** One AWS call the offline run answered instead of AWS. */
export interface DescribedCall {
  /** `ecs`, `lambda`, `s3`, `ecr`, `ssm`, `cloudwatch`. */
  service: string;
  /** The command without `Command` (`DescribeTaskDefinition`). */
  command: string;
  input: Record<string, unknown>;
  kind: 'read' | 'write';
  /** What the described answer assumes, in words; empty when it answers nothing in particular. */
  assumed: string[];
}

/** The answer to a call, read or write, made up from its input and the event it is made for; `assume` says in words what it took for granted. */
export type DescribedAnswer = (command: string, input: Record<string, unknown>, event: RawEvent, assume: Assume) => Record<string, unknown>;

/** Where deploybridge is assumed to run offline: its account and region (never an event's). */
export interface LocalInstall {
  account: string;
  region: string;
}

/** The image an ECR push (or scan) event is about, as the install's registry holds it (a push's tag, else the scan's first). */
function pushedImage(event: RawEvent, { account, region }: LocalInstall): string {
  const detail = (event.detail ?? {}) as { 'repository-name'?: string; 'image-tag'?: string; 'image-tags'?: string[] };
  const tag = detail['image-tag'] ?? detail['image-tags']?.[0] ?? 'latest';
  return `${ecrRegistry(account, region)}/${detail['repository-name'] ?? ''}:${tag}`;
}

/** The revision the described task definitions have, and the one the service is assumed to run before a deployment. */
const LOCAL_REVISION = 42;
const LOCAL_PREVIOUS_REVISION = 41;

/**
 * The answers to ECS reads, described rather than performed. The described task definition runs the
 * pushed image for an ECR push, so the plan shows what a matching service would get; for other
 * events it runs `latest` of the service's own repository (`repositoryOf` the family).
 */
function describedEcsReads(
  install: LocalInstall,
  repositoryOf: (family: string) => string,
  releaseTasks: ReadonlyMap<string, string | undefined>,
): DescribedAnswer {
  const { account, region } = install;
  return (command, input, event, assume) => {
    switch (command) {
      case 'DescribeTaskDefinition': {
        // A family reads its latest ACTIVE revision; family:revision or an ARN, that revision.
        const requested = String(input.taskDefinition);
        const family = taskDefinitionFamily(requested);
        const pinned = /:(\d+)$/.exec(shortTaskDefinition(requested))?.[1];
        const revision = pinned === undefined ? LOCAL_REVISION : Number(pinned);
        if (releaseTasks.has(family)) {
          // A task a release runs (RELEASE_CONFIG): its container, logging to CloudWatch.
          const container = releaseTasks.get(family) ?? 'app';
          assume(`its latest ACTIVE revision is ${revision}, with container ${container} logging to /ecs/${family}`);
          return {
            taskDefinition: {
              taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
              containerDefinitions: [
                {
                  name: container,
                  essential: true,
                  logConfiguration: {
                    logDriver: 'awslogs',
                    options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-stream-prefix': 'ecs' },
                  },
                },
              ],
            },
          };
        }
        const image =
          event.source === 'aws.ecr' ? pushedImage(event, install) : `${ecrRegistry(account, region)}/${repositoryOf(family)}:latest`;
        assume(
          `${pinned === undefined ? `its latest ACTIVE revision is ${revision}` : `revision ${revision} is ACTIVE`} and runs ${image}`,
        );
        return {
          taskDefinition: {
            taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
            containerDefinitions: [{ name: 'app', image }],
          },
        };
      }
      case 'DescribeServiceDeployments':
        return describedServiceDeploymentsRead(input, event, assume);
      case 'DescribeServices':
        assume('the service runs on Fargate, platform version LATEST, in subnet-0123456789abcdef0');
        return {
          services: (input.services as string[]).map((serviceName) => ({
            serviceName,
            launchType: 'FARGATE',
            platformVersion: 'LATEST',
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' } },
          })),
        };
      case 'ListTasks':
        assume('one task of the service stopped');
        return { taskArns: [`arn:aws:ecs:${region}:${account}:task/${String(input.cluster)}/0123456789abcdef0123456789abcdef`] };
      case 'DescribeTasks':
        assume('it stopped with "Essential container in task exited", container app exit code 137');
        return {
          tasks: [
            {
              taskArn: (input.tasks as string[])[0],
              stopCode: 'EssentialContainerExited',
              stoppedReason: 'Essential container in task exited',
              stoppedAt: new Date(),
              containers: [{ name: 'app', exitCode: 137 }],
            },
          ],
        };
      default:
        return {};
    }
  };
}

/** How an ECS deployment state change names where a rollout got to, as `UpdateService` reports its `rolloutState`. */
const ROLLOUT_STATES: Record<string, 'COMPLETED' | 'FAILED'> = {
  SERVICE_DEPLOYMENT_COMPLETED: 'COMPLETED',
  SERVICE_DEPLOYMENT_FAILED: 'FAILED',
};

/**
 * A sequence describes the writes it makes: `UpdateService` answers with a new PRIMARY deployment,
 * numbered in order from the id the service is assumed to run (`ecs-svc/1000000000000000000`), the
 * ids the sample sequences' ECS events use. It deploys the revision asked for (a family: its latest
 * ACTIVE revision), or, for a restart (no task definition), the revision the service runs;
 * `familyOf` names the task family of an ECS service. The deployment it replaces is the one started
 * before, still rolling out unless one of the `sequence`'s events before this call's said it
 * completed or failed (as ECS would answer: a rollout replaced mid-way is superseded, and the tasks
 * still serve the revision of the last one that completed); the one the service is assumed to run
 * has completed.
 */
function describedEcsWrites(
  { account, region }: LocalInstall,
  familyOf: (ecsService: string) => string,
  sequence: RawEvent[],
): DescribedAnswer {
  const revisions = [LOCAL_PREVIOUS_REVISION];
  const id = (n: number) => `ecs-svc/${String(1_000_000_000_000_000_000n + BigInt(n))}`;
  const rolloutState = (deploymentId: string, before: RawEvent) => {
    const at = sequence.indexOf(before);
    const said = sequence
      .slice(0, at < 0 ? sequence.length : at)
      .map((event) => (event.source === 'aws.ecs' ? ((event.detail ?? {}) as { deploymentId?: unknown; eventName?: unknown }) : {}))
      .filter((detail) => detail.deploymentId === deploymentId)
      .map((detail) => ROLLOUT_STATES[String(detail.eventName)])
      .filter((state) => state !== undefined);
    return said.at(-1) ?? 'IN_PROGRESS';
  };
  return (command, input, event, assume) => {
    if (command === 'RunTask') {
      // The task of a release (RELEASE_CONFIG), with the id the sample sequence's task event uses.
      const taskArn = `arn:aws:ecs:${region}:${account}:task/${String(input.cluster)}/${LOCAL_TASK_ID}`;
      assume(`ECS starts task ${LOCAL_TASK_ID} of ${shortTaskDefinition(String(input.taskDefinition))}`);
      return { tasks: [{ taskArn }], failures: [] };
    }
    if (command !== 'UpdateService') return {};
    const requested = typeof input.taskDefinition === 'string' ? input.taskDefinition : undefined;
    const family = requested === undefined ? familyOf(String(input.service)) : taskDefinitionFamily(requested);
    const pinned = requested === undefined ? undefined : /:(\d+)$/.exec(shortTaskDefinition(requested))?.[1];
    const revision = requested === undefined ? LOCAL_PREVIOUS_REVISION : pinned === undefined ? LOCAL_REVISION : Number(pinned);
    const arn = (revision: number) => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;
    const started = revisions.push(revision) - 1;
    // The rollouts it replaces: those still rolling out (no tasks serving yet), back to the one that completed.
    const replaced: Array<{ id: string; revision: number; rolloutState: string; runningCount: number }> = [];
    for (let n = started - 1; n >= 0; n--) {
      const state = n === 0 ? 'COMPLETED' : rolloutState(id(n), event);
      replaced.push({
        id: id(n),
        revision: revisions[n] ?? LOCAL_PREVIOUS_REVISION,
        rolloutState: state,
        runningCount: state === 'IN_PROGRESS' ? 0 : 2,
      });
      if (state !== 'IN_PROGRESS') break;
    }
    const words = replaced.map((d) => `${d.id} (${family}:${d.revision}${d.rolloutState === 'IN_PROGRESS' ? ', still rolling out' : ''})`);
    assume(`ECS starts deployment ${id(started)} of ${family}:${revision}, replacing ${words.join(' and ')}`);
    return {
      service: {
        taskDefinition: arn(revision),
        deployments: [
          { id: id(started), status: 'PRIMARY', taskDefinition: arn(revision), rolloutState: 'IN_PROGRESS' },
          ...replaced.map(({ revision, ...deployment }) => ({ ...deployment, status: 'ACTIVE', taskDefinition: arn(revision) })),
        ],
      },
    };
  };
}

/** The id of the task a release runs offline: the sample sequence's task event (events/release-sequence.json) names it. */
const LOCAL_TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** The version the described aliases point to, and the one their description records as before. */
const LOCAL_ALIAS_VERSION = '7';
const LOCAL_PREVIOUS_VERSION = '6';

/**
 * The answers to Lambda reads, described rather than performed. A function is what its
 * configuration makes it: one LAMBDA_CONFIG gives an artifact is a zip function (its code comes from
 * there); any other is an image function of its own repository (`repositoryOf` the function name),
 * configured with the pushed tag for an ECR push (so the plan shows what it would get), else `latest`.
 */
function describedLambdaReads(install: LocalInstall, repositoryOf: (functionName: string) => string | undefined): DescribedAnswer {
  return (command, input, event, assume) => {
    const repository = repositoryOf(String(input.FunctionName));
    const image =
      repository === undefined
        ? undefined
        : event.source === 'aws.ecr'
          ? pushedImage(event, install)
          : `${ecrRegistry(install.account, install.region)}/${repository}:latest`;
    const packageType = image === undefined ? 'Zip' : 'Image';
    switch (command) {
      case 'GetFunction':
        assume(image === undefined ? 'a zip function' : `an image function configured with ${image}`);
        return {
          Configuration: { FunctionName: input.FunctionName, PackageType: packageType, LastUpdateStatus: 'Successful', State: 'Active' },
          Code: image === undefined ? {} : { ImageUri: image },
        };
      case 'GetFunctionConfiguration':
        assume(
          `${input.Qualifier === undefined ? '$LATEST' : `version ${input.Qualifier as string}`} exists, is Active and LastUpdateStatus is Successful`,
        );
        return {
          FunctionName: input.FunctionName,
          Version: input.Qualifier ?? '$LATEST',
          PackageType: packageType,
          State: 'Active',
          LastUpdateStatus: 'Successful',
          RevisionId: 'LOCAL-REVISION',
          Environment: { Variables: { LOG_LEVEL: 'info' } },
        };
      case 'GetAlias':
        assume(
          `alias ${String(input.Name)} points to version ${LOCAL_ALIAS_VERSION} and records previous_version=${LOCAL_PREVIOUS_VERSION}`,
        );
        return {
          Name: input.Name,
          FunctionVersion: LOCAL_ALIAS_VERSION,
          Description: `deploybridge previous_version=${LOCAL_PREVIOUS_VERSION}; (described)`,
          RevisionId: 'LOCAL-ALIAS-REVISION',
        };
      default:
        return {};
    }
  };
}

/** Where a client's requests are answered: the `initialize` step, before credentials are looked up. */
export const DESCRIBED = { step: 'initialize', name: 'deploybridgeDescribedCalls' } as const;

/** A service's described answers: to its reads, and (a sequence's ECS) to its writes; other writes get an empty answer. */
export interface DescribedAnswers {
  read: DescribedAnswer;
  write?: DescribedAnswer;
}

/**
 * Answers one call as the offline run does, for the event it is made for: the described answer,
 * and the call with what the answer assumed.
 *
 * @example
 * const { output, call } = answerCall('ecs', 'DescribeTaskDefinition', { taskDefinition: 'f' }, aws.answers.ecs, event);
 */
export function answerCall(
  service: string,
  command: string,
  input: Record<string, unknown>,
  { read, write }: DescribedAnswers,
  event: RawEvent,
): { output: Record<string, unknown>; call: DescribedCall } {
  const kind = /^(Get|Describe|List)/.test(command) ? 'read' : 'write';
  const assumed: string[] = [];
  const assume = (what: string) => assumed.push(what);
  const output = kind === 'read' ? read(command, input, event, assume) : (write?.(command, input, event, assume) ?? {});
  return { output, call: { service, command, input, kind, assumed } };
}

/**
 * A middleware for a real SDK client that answers every request in the `initialize` step with
 * {@link answerCall}, each call given to `record` with what its answer assumed. `current` is the
 * event the call is made for (the one being handled, or the event of a batch the call is about:
 * see {@link batchEventOfCall}).
 *
 * @example
 * client.middlewareStack.add(describedCalls('ecs', aws.answers.ecs, () => event, calls.push.bind(calls)), DESCRIBED);
 */
export function describedCalls<Input extends object, Output extends object>(
  service: string,
  answers: DescribedAnswers,
  current: (service: string, input: Record<string, unknown>) => RawEvent,
  record: (call: DescribedCall) => void,
): InitializeMiddleware<Input, Output> {
  return (_next, context) => async (args) => {
    const command = (context.commandName ?? 'Command').replace(/Command$/, '');
    const input = args.input as Record<string, unknown>;
    const { output, call } = answerCall(service, command, input, answers, current(service, input));
    record(call);
    return { output: { $metadata: {}, ...output } as Output, response: {} };
  };
}

/** The S3 object key an event is about (an EventBridge notification's, or CloudTrail's request). */
function objectKeyOf(event: RawEvent): unknown {
  const detail = (event.detail ?? {}) as { object?: { key?: unknown }; requestParameters?: { key?: unknown } | null };
  return detail.object?.key ?? detail.requestParameters?.key;
}

/**
 * For an SQS batch, whose events are planned concurrently: the event a described call is about.
 * An S3 read is about the event of its object; an ECR read about the push of its digest; a task
 * definition read about the last push to the family's repository (the tag the service runs); any
 * other call about the batch's first event.
 *
 * @example
 * const current = batchEventOfCall(events, (family) => 'myproject_service_api');
 * current('s3', { Bucket: 'myproject-config-dev', Key: 'shared/.env' }); // the batch's event of shared/.env
 */
function batchEventOfCall(
  events: RawEvent[],
  repositoryOf: (family: string) => string,
): (service: string, input: Record<string, unknown>) => RawEvent {
  const last = (matching: RawEvent[]) =>
    matching.reduce<RawEvent | undefined>(
      (latest, event) => (latest === undefined || String(event.time) >= String(latest.time) ? event : latest),
      undefined,
    );
  const pushes = events.filter((event) => event.source === 'aws.ecr');
  const detailOf = (event: RawEvent) => (event.detail ?? {}) as Record<string, unknown>;
  return (service, input) => {
    let about: RawEvent | undefined;
    if (service === 's3') {
      const key = input.Key ?? input.Prefix;
      about = events.find((event) => event.source === 'aws.s3' && objectKeyOf(event) === key);
    } else if (service === 'ecr') {
      const digest = (input.imageIds as Array<{ imageDigest?: string }> | undefined)?.[0]?.imageDigest;
      about = last(pushes.filter((event) => detailOf(event)['image-digest'] === digest));
    } else if (service === 'ecs' && typeof input.taskDefinition === 'string') {
      const repository = repositoryOf(input.taskDefinition);
      about = last(pushes.filter((event) => detailOf(event)['repository-name'] === repository));
    }
    return about ?? events[0] ?? {};
  };
}

/** The AWS services of the offline run, as {@link DescribedCall.service} names them. */
export type DescribedService = 'ecs' | 'lambda' | 's3' | 'ecr' | 'ssm' | 'cloudwatch';

/** The offline run's AWS for a configuration: each service's described answers, and which event of a batch a call is about. */
export interface DescribedAws {
  answers: Record<DescribedService, DescribedAnswers>;
  /** The Lambda context of an invocation: the install's account and region, with Lambda's longest timeout ahead. */
  context: () => Context;
  /** For an SQS batch: see {@link batchEventOfCall}. */
  eventOfBatchCall(events: RawEvent[]): (service: string, input: Record<string, unknown>) => RawEvent;
}

/**
 * The described answers of every AWS service for `config` (its catalog names each family's
 * repository and each ECS service's family), deploybridge running in `account` and the configured
 * region. A `sequence` (its events, in order) describes its writes.
 *
 * @example
 * const aws = describedAws(config, { account: '123456789012', sequence: events });
 * client.middlewareStack.add(describedCalls('ecs', aws.answers.ecs, () => event, record), DESCRIBED);
 */
export function describedAws(config: Config, options: { account: string; sequence?: RawEvent[] }): DescribedAws {
  const { catalog } = config;
  const install: LocalInstall = { account: options.account, region: config.region };
  const repositoryOf = (family: string) => {
    const service = catalog.forEcsService(family);
    return (service === undefined ? undefined : serviceRepositories(catalog.naming, service.name)[0]) ?? family;
  };
  const familyOf = (ecsService: string) => {
    const service = catalog.forEcsService(ecsService);
    return service?.kind === 'ecs' ? service.ecs.family : ecsService;
  };
  const releaseTasks = new Map(
    Object.values(config.release?.rules ?? {}).flatMap((rule) =>
      rule.runBefore === undefined ? [] : [[rule.runBefore.family, rule.runBefore.container] as const],
    ),
  );
  const imageFunctions = new Map(
    catalog
      .configured()
      .flatMap((service) =>
        service.kind === 'lambda' && service.artifact === undefined
          ? [[service.lambda.functionName, serviceRepositories(catalog.naming, service.name)[0] ?? service.name] as const]
          : [],
      ),
  );
  return {
    answers: {
      ecs: {
        read: describedEcsReads(install, repositoryOf, releaseTasks),
        ...(options.sequence === undefined ? {} : { write: describedEcsWrites(install, familyOf, options.sequence) }),
      },
      lambda: { read: describedLambdaReads(install, (functionName) => imageFunctions.get(functionName)) },
      s3: { read: describedS3Read },
      ecr: { read: describedEcrRead },
      ssm: { read: describedSsmReads(install.account) },
      cloudwatch: { read: describedAlarmsRead },
    },
    context: () =>
      ({
        functionName: 'deploybridge-local',
        invokedFunctionArn: `arn:aws:lambda:${install.region}:${install.account}:function:deploybridge-local`,
        awsRequestId: 'local',
        getRemainingTimeInMillis: () => 900_000,
      }) as Context,
    eventOfBatchCall: (events) => batchEventOfCall(events, repositoryOf),
  };
}
