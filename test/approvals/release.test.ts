/**
 * Approvals and releases together (APPROVERS and RELEASE_CONFIG), through the Lambda entry point
 * as deployed: a release begins only once its deployment is approved. A push asks for approval and
 * runs nothing; Approve runs the migration task (the release's first step), and the task's `STOPPED`
 * event deploys the revision the request pinned, in the request's own message. The deployments
 * table is dynalite on 127.0.0.1, Slack's Web API and response URLs on 127.0.0.1, ECS, ECR and
 * Lambda's hand-off aws-sdk-client-mock.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RunTaskCommand,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE_ENV, lambdaContext, serviceUpdated, taskDefinition } from '../helpers/app.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackApi, TEST_BOT_TOKEN, type ApiCall } from '../helpers/slackApi.js';
import { signedClick, TEST_SIGNING_SECRET } from '../helpers/slackInteractions.js';

const FUNCTION = 'myproject-deploybridge-dev';
const CLUSTER = 'myproject_cluster_dev';
const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const FAMILY = 'myproject_service_api_dev';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const MIGRATE = `${ARN}:task-definition/myproject_migrate_dev:7`;
const TASK = `${ARN}:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const NOW = new Date('2026-03-02T10:00:00Z');
const RELEASE_CONFIG = JSON.stringify({
  api: { run_before: { family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], timeout_minutes: 20 } },
  worker: { after: ['api'] },
});
const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' as const },
};

/** The documented ECR push sample, for this project's api repository. */
function push(id: string) {
  return adapt(
    'ecr/image-action-push-success.json',
    { 'repository-name': 'myproject_service_api', 'image-tag': 'v1.4.3' },
    { id, time: NOW.toISOString() },
  );
}

/** The documented task event, as ECS sends it when the migration task deploybridge started stopped. */
function taskStopped(id: string, startedBy: string, exitCode: number) {
  const sample = awsSample('ecs/task-state-change-not-handled.json');
  return {
    ...sample,
    id,
    time: '2026-03-02T10:12:00Z',
    account: '123456789012',
    region: 'us-east-1',
    resources: [TASK],
    detail: {
      ...sample.detail,
      clusterArn: `${ARN}:cluster/${CLUSTER}`,
      taskArn: TASK,
      taskDefinitionArn: MIGRATE,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'migrate', lastStatus: 'STOPPED', taskArn: TASK, exitCode }],
    },
  };
}

type Block = { type: string; text?: { text: string }; elements?: Array<Record<string, unknown>> };
const blocksOf = (call: ApiCall | undefined) => (call?.body.attachments?.[0]?.blocks ?? []) as Block[];
const titleOf = (call: ApiCall | undefined) =>
  blocksOf(call)
    .find((b) => b.type === 'header')
    ?.text?.text.replace(/^:[a-z_]+: /, '');
/** The buttons that act (deploybridge's own, not the console link). */
const buttonsOf = (call: ApiCall | undefined) =>
  (blocksOf(call).find((b) => b.type === 'actions')?.elements ?? []).filter((b) => String(b.action_id).startsWith('deploybridge.'));

describe('approvals with RELEASE_CONFIG: a release begins once its deployment is approved', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let api: Awaited<ReturnType<typeof startSlackApi>>;
  let output: ReturnType<typeof captureOutput>;
  let ecs: AwsClientStub<ECSClient>;
  let ecr: AwsClientStub<ECRClient>;
  let lambda: AwsClientStub<LambdaClient>;
  /** The events the Function URL handed off (Lambda `Invoke`, `Event`), in order. */
  let handOffs: unknown[];
  let tables = 0;

  beforeAll(async () => {
    db = await startDynamoDb('unused');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    api = await startSlackApi();
    output = captureOutput();
    ecs = mockClient(ECSClient);
    ecr = mockClient(ECRClient);
    lambda = mockClient(LambdaClient);
    handOffs = [];
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      handOffs.push(JSON.parse(new TextDecoder().decode(input.Payload)));
      return { StatusCode: 202 };
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 43, [`${IMAGE}:v1.4.3`]));
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_migrate_dev' }).resolves({
      taskDefinition: {
        taskDefinitionArn: MIGRATE,
        family: 'myproject_migrate_dev',
        revision: 7,
        containerDefinitions: [
          {
            name: 'migrate',
            essential: true,
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/myproject/migrate', 'awslogs-stream-prefix': 'ecs' },
            },
          },
        ],
      },
    });
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: FAMILY, launchType: 'FARGATE', platformVersion: '1.4.0', networkConfiguration: NETWORK }],
    });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    ecs.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => serviceUpdated(input.taskDefinition ?? 'unknown'));
    ecr.on(DescribeImagesCommand).callsFake((input: { imageIds?: Array<{ imageDigest?: string; imageTag?: string }> }) => ({
      imageDetails: [{ imageDigest: input.imageIds?.[0]?.imageDigest ?? `sha256:${'0'.repeat(64)}`, imageTags: ['v1.4.3'] }],
    }));
  });
  afterEach(async () => {
    output.restore();
    ecs.restore();
    ecr.restore();
    lambda.restore();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await api.close();
  });

  /** The entry point, loaded afresh with approvals and RELEASE_CONFIG on a fresh deployments table (a cold start). */
  async function coldStart(env: Record<string, string> = {}) {
    const tableName = `approved-releases-${++tables}`;
    await db.client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const variables = {
      ...BASE_ENV,
      APPROVERS: 'U0APPROVER',
      RELEASE_CONFIG,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_CHANNEL: 'C0DEPLOYS',
      SLACK_API_URL: api.apiUrl,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      DEPLOYMENTS_TABLE: tableName,
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ...env,
    };
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
    vi.resetModules();
    const { handler } = await import('../../src/index.js');
    return async (event: unknown) => handler(event, lambdaContext());
  }

  const responseUrl = () => `${new URL(api.apiUrl).origin}/actions/T0/1/response`;
  /** The approval request posted in the channel (the top-level message with buttons). */
  const requests = () => api.calls.filter((c) => c.method === 'chat.postMessage' && buttonsOf(c).length > 0);
  const approvalIdOf = (call: ApiCall | undefined) => buttonsOf(call)[0]?.value as string;
  /** The ECS calls that change something: the task run, the services updated. */
  const changes = () =>
    ecs
      .calls()
      .map((call) => call.args[0])
      .filter((command) => command instanceof RunTaskCommand || command instanceof UpdateServiceCommand)
      .map((command) =>
        command instanceof RunTaskCommand
          ? `RunTask ${command.input.taskDefinition}`
          : `UpdateService ${(command.input as UpdateServiceCommandInput).service} ${(command.input as UpdateServiceCommandInput).taskDefinition}`,
      );
  const startedBy = () => (ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.startedBy ?? '') as string;
  /** The top-level messages posted (not the replies in a thread), by title. */
  const posted = () => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === undefined).map((c) => titleOf(c));

  /** A click on a button as Slack sends it, then the hand-off the Function URL made, as Lambda delivers it. */
  async function click(invoke: (event: unknown) => Promise<unknown>, value: string, action = 'approve') {
    const before = handOffs.length;
    const answer = (await invoke(signedClick({ actionId: `deploybridge.${action}`, value, responseUrl: responseUrl() }))) as {
      statusCode: number;
    };
    expect(answer.statusCode).toBe(200);
    return { handOff: handOffs[before], result: await invoke(handOffs[before]) };
  }

  it('the push asks for approval and runs no task; Approve runs the migration; its exit 0 deploys the pinned revision in the request’s message', async () => {
    const invoke = await coldStart();
    const asked = (await invoke(push('push-1'))) as { deployments: Array<Record<string, unknown>> };
    expect(asked.deployments).toEqual([{ service: 'api', status: 'awaiting approval', approvalId: expect.any(String) }]);
    // Waiting for approval: no migration, no deployment, no release announced.
    expect(changes()).toEqual([]);
    expect(posted()).toEqual(['Approval needed: api']);

    // Someone registers revision 44 while the request waits: the approved deployment is still the pinned 43.
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY }).resolves(taskDefinition(FAMILY, 44, [`${IMAGE}:v1.4.4`]));
    vi.setSystemTime(new Date(NOW.getTime() + 10 * 60_000));
    const { result } = await click(invoke, approvalIdOf(requests()[0]));
    expect(result).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    // Approved: the release begins, its migration runs, and the api waits for it.
    expect(changes()).toEqual([`RunTask ${MIGRATE}`]);
    expect(startedBy()).toMatch(/^deploybridge\/[0-9a-f]{16}\/0$/);
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input).toMatchObject({
      cluster: CLUSTER,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      overrides: { containerOverrides: [{ name: 'migrate', command: ['./migrate', 'up'] }] },
    });
    expect(posted()).toEqual(['Approval needed: api', 'Release in progress: api']);
    expect(output.logs().find((l) => l.message === 'release started')?.fields).toMatchObject({ event_id: 'push-1', steps: 2 });

    await invoke(taskStopped('task-1', startedBy(), 0));
    expect(changes()).toEqual([`RunTask ${MIGRATE}`, `UpdateService ${FAMILY} ${ARN}:task-definition/${FAMILY}:43`]);
    // The deployment is the request's message, approved by whom; no second deployment message.
    const requestTs = api.messages[0]?.ts;
    const requestUpdates = api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === requestTs).map((c) => titleOf(c));
    expect(requestUpdates).toEqual(['Approved: api', 'Deployment started: api']);
    expect(posted()).toEqual(['Approval needed: api', 'Release in progress: api']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      approved_by: 'U0APPROVER',
      task_definition: `${ARN}:task-definition/${FAMILY}:43`,
    });
  });

  it('Reject: the release never begins, no task runs', async () => {
    const invoke = await coldStart();
    await invoke(push('push-1'));
    await click(invoke, approvalIdOf(requests()[0]), 'reject');
    expect(changes()).toEqual([]);
    expect(output.logs().some((l) => l.message === 'release started')).toBe(false);
  });

  it('a transient RunTask failure after approval gives the request back and fails the invocation; Lambda’s retry runs the task once', async () => {
    const invoke = await coldStart();
    await invoke(push('push-1'));
    // As the SDK throws it: a client fault Lambda's retry can mend.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(throttled)
      .resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    await invoke(signedClick({ actionId: 'deploybridge.approve', value: approvalIdOf(requests()[0]), responseUrl: responseUrl() }));
    const [handOff] = handOffs;
    await expect(invoke(handOff)).rejects.toThrow('approved deployment of api not finished; retried');
    // Lambda retries the asynchronous invocation with the same event: the start is finished, once.
    expect(await invoke(handOff)).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.startedBy)).toEqual([startedBy(), startedBy()]);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    // A further delivery runs nothing again.
    await invoke(handOff);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    await invoke(taskStopped('task-1', startedBy(), 0));
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.service)).toEqual([FAMILY]);
  });
});
