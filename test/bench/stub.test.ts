import { DescribeTaskDefinitionCommand, ECSClient, ListClustersCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import { firstWriteRequest, PREVIOUS_VERSION, startStub, type Stub } from '../../bench/stub.mjs';

/** The bench's stand-in for AWS must speak the real protocols: the SDK itself is the judge. */
describe('bench AWS stub', () => {
  let stub: Stub;
  const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
  beforeEach(async () => {
    stub = await startStub({ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1' });
  });
  afterEach(async () => {
    await stub.close();
  });

  it('keeps the deployments table in memory: reads, and writes on the condition deploybridge names', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const table = createDynamoDbStore({ tableName: 'bench-deployments', region: 'us-east-1', ttlSeconds: 60 }, client);
    const entry = { type: 'latest' as const, deploymentId: 'ecs-svc/1' };
    expect(await table.read('k')).toBeUndefined();
    expect(await table.write('k', entry, undefined)).toBe(true);
    expect(await table.write('k', entry, undefined)).toBe(false);
    expect(await table.write('k', { ...entry, deploymentId: 'ecs-svc/2' }, 1)).toBe(true);
    expect(await table.write('k', entry, 1)).toBe(false);
    expect(await table.read('k')).toEqual({ entry: { ...entry, deploymentId: 'ecs-svc/2' }, version: 2 });
    client.destroy();
  });

  it('answers the ECS JSON protocol with what deploybridge reads', async () => {
    const ecs = new ECSClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'myproject_service_api_dev' }));
    expect(described.taskDefinition?.taskDefinitionArn).toBe(
      'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:7',
    );
    expect(described.taskDefinition?.containerDefinitions?.[0]?.image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1',
    );
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: 'c', service: 's', taskDefinition: 'myproject_service_api_dev', forceNewDeployment: true }),
    );
    expect(updated.service?.taskDefinition).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:7');
    expect(updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id).toMatch(/^ecs-svc\//);
    expect(stub.calls().map((c) => [c.target, c.input.taskDefinition])).toEqual([
      ['DescribeTaskDefinition', 'myproject_service_api_dev'],
      ['UpdateService', 'myproject_service_api_dev'],
    ]);
    expect(stub.maxInFlight()).toBe(1);
    ecs.destroy();
  });

  it('answers SSM GetParameter with a webhook on the stub, and refuses what it does not know', async () => {
    const ssm = new SSMClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/dev/myproject/slack', WithDecryption: true }));
    expect(Parameter?.Value).toBe(`${stub.url}/services/T000/B000/SSMWEBHOOK`);
    const ecs = new ECSClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'UnknownOperationException' });
    expect(stub.calls().map((c) => c.target)).toEqual(['GetParameter', 'ListClusters']);
    stub.reset();
    expect(stub.calls()).toEqual([]);
    ssm.destroy();
    ecs.destroy();
  });

  it('answers S3 reads of an env file (path-style REST-XML): the version before the one read is another file', async () => {
    const s3 = new S3Client({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const current = await s3.send(new GetObjectCommand({ Bucket: 'myproject-config-dev', Key: 'shared/.env', VersionId: 'v3' }));
    expect(await current.Body?.transformToString()).toBe('APP_ENV=dev\nLOG_LEVEL=info\n');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'myproject-config-dev', Prefix: 'shared/.env' }));
    expect(listed.Versions?.map((v) => [v.Key, v.VersionId])).toEqual([
      ['shared/.env', 'v3'],
      ['shared/.env', PREVIOUS_VERSION],
    ]);
    const previous = await s3.send(
      new GetObjectCommand({ Bucket: 'myproject-config-dev', Key: 'shared/.env', VersionId: PREVIOUS_VERSION }),
    );
    expect(await previous.Body?.transformToString()).toBe('APP_ENV=dev\nLOG_LEVEL=debug\n');
    expect(stub.calls().map((c) => [c.target, c.input.Key, c.input.VersionId])).toEqual([
      ['GetObject', 'shared/.env', 'v3'],
      ['ListObjectVersions', 'shared/.env', undefined],
      ['GetObject', 'shared/.env', PREVIOUS_VERSION],
    ]);
    s3.destroy();
  });

  it('answers ECR DescribeImages and SSM DescribeParameters', async () => {
    const ecr = new ECRClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'myproject_service_api', imageIds: [{ imageDigest: 'sha256:1' }] }),
    );
    expect(imageDetails?.[0]).toMatchObject({ imageDigest: 'sha256:1', imageTags: ['v1.4.2', 'latest'], imageSizeInBytes: 182_312_448 });
    expect(imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);
    const ssm = new SSMClient({ region: 'us-east-1', endpoint: stub.url, credentials, maxAttempts: 1 });
    const { Parameters } = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/dev/myproject/api/X'] }] }),
    );
    expect(Parameters?.[0]).toMatchObject({
      Name: '/dev/myproject/api/X',
      Version: 3,
      LastModifiedUser: 'arn:aws:iam::123456789012:user/bench',
    });
    expect(stub.calls().map((c) => c.target)).toEqual(['DescribeImages', 'DescribeParameters']);
    ecr.destroy();
    ssm.destroy();
  });

  it('takes Slack webhook posts', async () => {
    const response = await fetch(stub.slackUrl, { method: 'POST', body: '{"text":"hi"}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(stub.slackPosts()).toBe(1);
    expect(stub.calls()).toEqual([]);
  });
});

describe('firstWriteRequest: the first AWS write a sample started', () => {
  const request = (fields: { target?: string; method: string; path: string }, cpuMs: number) => ({ ...fields, cpuMs });
  it('knows a JSON-protocol target and a Lambda REST path; reads, S3 reads and Slack are not writes', () => {
    const reads = [
      request({ target: 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition', method: 'POST', path: '/' }, 10),
      request({ method: 'GET', path: '/myproject-config-dev/shared/.env?x-id=GetObject' }, 20),
      request({ method: 'POST', path: '/services/T000/B000/XXXX' }, 30),
    ];
    expect(firstWriteRequest(reads)).toBeUndefined();
    const ecs = request({ target: 'AmazonEC2ContainerServiceV20141113.UpdateService', method: 'POST', path: '/' }, 40);
    const lambda = request({ method: 'PUT', path: '/2015-03-31/functions/f/code' }, 50);
    expect(firstWriteRequest([...reads, ecs, lambda])).toBe(ecs);
    expect(firstWriteRequest([...reads, lambda, ecs])?.cpuMs).toBe(50);
  });
});
