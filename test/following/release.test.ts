/**
 * Releases (RELEASE_CONFIG) through the handler: a migration task before the api deploys, the
 * worker after the api, each step started by the ECS event that ends the one before it. The
 * deployments table is dynalite on 127.0.0.1, Slack a Slack-compatible Web API on 127.0.0.1 (bot
 * token: one release message, updated, its moves in its thread), ECS aws-sdk-client-mock. What
 * ECS was asked (with which inputs) and what Slack received (in order, with colours) are asserted.
 */
import { DescribeServicesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import { createLogger } from '../../src/shared/observability.js';
import { createChannelNotifier } from '../../src/channels/setup.js';
import {
  configProblems,
  DescribeTaskDefinitionCommand,
  fakeMetrics,
  sentCommands,
  taskDefinition,
  testApp,
  testConfig,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { SIGNING_SECRET, webhookUrl } from '../helpers/channels.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { startReceiver } from '../helpers/receiver.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';

const GREEN = '#2EB67D';
const RED = '#E01E5A';
const BLUE = '#1D9BD1';
const CLUSTER = 'myproject_cluster_dev';
const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const MIGRATE = `${ARN}:task-definition/myproject_migrate_dev:7`;
const TASK = `${ARN}:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const RELEASE_CONFIG = JSON.stringify({
  api: { run_before: { family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], timeout_minutes: 20 } },
  worker: { after: ['api'] },
});
const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' as const },
};
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const API_DEPLOYMENT = 'ecs-svc/2000000000000000001';
const WORKER_DEPLOYMENT = 'ecs-svc/3000000000000000001';

/** The documented ECR push sample, for this project's api repository. */
function push(id: string) {
  return adapt(
    'ecr/image-action-push-success.json',
    { 'repository-name': 'myproject_service_api', 'image-tag': 'v2.0.0' },
    { id, time: '2026-03-02T10:00:00Z' },
  );
}

/** The documented S3 sample: shared/.env changed, which the api, the worker and the backend read. */
function sharedEnvFile(id: string) {
  return adapt(
    's3/eventbridge-object-created.json',
    { bucket: { name: 'myproject-config-dev' }, object: { key: 'shared/.env', size: 12, 'version-id': 'v2' }, reason: 'PutObject' },
    { id, time: '2026-03-02T10:00:00Z', resources: ['arn:aws:s3:::myproject-config-dev'] },
  );
}

/** The documented task event, as ECS sends it when a task deploybridge started stopped. */
function taskStopped(id: string, startedBy: string, exit: { exitCode?: number; reason?: string }, task = TASK, cluster = CLUSTER) {
  const sample = awsSample('ecs/task-state-change-not-handled.json');
  return {
    ...sample,
    id,
    time: '2026-03-02T10:02:00Z',
    account: '123456789012',
    region: 'us-east-1',
    resources: [task],
    detail: {
      ...sample.detail,
      clusterArn: `${ARN}:cluster/${cluster}`,
      taskArn: task,
      taskDefinitionArn: MIGRATE,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'migrate', lastStatus: 'STOPPED', taskArn: task, ...exit }],
    },
  };
}

/** A documented ECS deployment event on one of this project's services. */
function deploymentEvent(file: 'deployment-completed.json' | 'deployment-failed.json', service: string, deploymentId: string, id: string) {
  const sample = awsSample(`ecs/${file}`);
  return {
    ...sample,
    id,
    time: '2026-03-02T10:06:00Z',
    account: '123456789012',
    region: 'us-east-1',
    resources: [`${ARN}:service/${CLUSTER}/myproject_service_${service}_dev`],
    detail: { ...sample.detail, deploymentId },
  };
}

describe('a release: a migration task before the api, the worker after the api', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let api: Awaited<ReturnType<typeof startSlackApi>> | undefined;
  let output: ReturnType<typeof captureOutput>;
  let tables = 0;
  beforeAll(async () => {
    db = await startDynamoDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await api?.close();
    api = undefined;
  });

  /** An app with RELEASE_CONFIG on a fresh deployments table, ECS mocked as the api's and the worker's services answer. */
  async function releaseApp(extra: Record<string, string> = {}) {
    const tableName = `releases-${++tables}`;
    await db.createTable(tableName);
    api = await startSlackApi();
    const env = {
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_CHANNEL: 'C0DEPLOYS',
      SLACK_API_URL: api.apiUrl,
      DEPLOYMENTS_TABLE: tableName,
      RELEASE_CONFIG,
      ...extra,
    };
    const metrics = fakeMetrics();
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
    const notifier = createChannelNotifier(testConfig(env), log, metrics);
    const journal = createDynamoDbStore({ tableName, region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }, db.client);
    const built = testApp(env, { notifier, metrics, journal });
    const { ecsMock } = built;
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'myproject_service_api_dev', launchType: 'FARGATE', platformVersion: '1.4.0', networkConfiguration: NETWORK },
      ],
    });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition('myproject_service_api_dev', 12, [`${IMAGE}:v2.0.0`]));
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_migrate_dev' }).resolves({
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
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    ecsMock.on(UpdateServiceCommand).resolves(serviceStarted('backend', 'ecs-svc/4000000000000000001'));
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_api_dev' }).resolves(serviceStarted('api', API_DEPLOYMENT));
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' }).resolves(serviceStarted('worker', WORKER_DEPLOYMENT));
    return { ...built, metrics };
  }

  function serviceStarted(service: string, deploymentId: string) {
    const definition = `${ARN}:task-definition/myproject_service_${service}_dev:12`;
    return {
      service: {
        taskDefinition: definition,
        deployments: [
          { id: deploymentId, status: 'PRIMARY', taskDefinition: definition, rolloutState: 'IN_PROGRESS' as const, runningCount: 0 },
          {
            id: 'ecs-svc/1',
            status: 'ACTIVE',
            taskDefinition: `${ARN}:task-definition/myproject_service_${service}_dev:11`,
            rolloutState: 'COMPLETED' as const,
            runningCount: 2,
          },
        ],
      },
    };
  }

  /** What Slack received, in order: method (thread replies marked), colour, title. */
  function received(): string[] {
    return (api?.calls ?? []).map(
      (c) =>
        `${c.method}${c.body.thread_ts === undefined ? '' : ' (reply)'} ${c.body.attachments?.[0]?.color} ${c.body.attachments?.[0]?.blocks.find((b) => b.type === 'header')?.text?.text}`,
    );
  }

  /** The text of the fields of the message Slack received at `index`. */
  function fieldsOf(index: number): string {
    const blocks = api?.calls[index]?.body.attachments?.[0]?.blocks ?? [];
    return blocks.flatMap((b) => (b.fields ?? []).map((f) => f.text)).join('\n');
  }

  /** The ECS calls that change something, with their inputs. */
  function changes(ecsMock: ReturnType<typeof testApp>['ecsMock']) {
    return sentCommands(ecsMock).filter((c) => c.command === 'RunTaskCommand' || c.command === 'UpdateServiceCommand');
  }

  /** The `startedBy` the release gave its task. */
  function startedByOf(ecsMock: ReturnType<typeof testApp>['ecsMock']): string {
    const run = sentCommands(ecsMock).find((c) => c.command === 'RunTaskCommand');
    return (run?.input as { startedBy: string }).startedBy;
  }

  it('push → migration task runs with the service placement → exits 0 → api deploys in that invocation', async () => {
    const { app, ecsMock } = await releaseApp();
    const first = await app.handle(push('push-1'));
    expect(first.status === 'planned' && first.deployments).toEqual([]);
    const startedBy = startedByOf(ecsMock);
    expect(startedBy).toMatch(/^deploybridge\/[0-9a-f]{16}\/0$/);
    expect(startedBy.length).toBeLessThanOrEqual(36);
    expect(changes(ecsMock)).toEqual([
      {
        command: 'RunTaskCommand',
        input: {
          cluster: CLUSTER,
          taskDefinition: MIGRATE,
          count: 1,
          startedBy,
          clientToken: startedBy,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          networkConfiguration: NETWORK,
          overrides: { containerOverrides: [{ name: 'migrate', command: ['./migrate', 'up'] }] },
        },
      },
    ]);
    expect(sentCommands(ecsMock).find((c) => c.command === 'DescribeServicesCommand')?.input).toEqual({
      cluster: CLUSTER,
      services: ['myproject_service_api_dev'],
    });

    const second = await app.handle(taskStopped('task-1', startedBy, { exitCode: 0 }));
    expect(second.status === 'planned' && second.deployments.map((d) => [d.service, d.status])).toEqual([['api', 'started']]);
    expect(changes(ecsMock).map((c) => [c.command, (c.input as { service?: string }).service])).toEqual([
      ['RunTaskCommand', undefined],
      ['UpdateServiceCommand', 'myproject_service_api_dev'],
    ]);
    expect(received()).toEqual([
      `chat.postMessage ${BLUE} :rocket: Release in progress: api`,
      `chat.update ${BLUE} :rocket: Release in progress: api`,
      `chat.postMessage (reply) ${BLUE} :rocket: Task started before api: myproject_migrate_dev`,
      `chat.update ${BLUE} :rocket: Release in progress: api`,
      `chat.postMessage (reply) ${GREEN} :white_check_mark: Task succeeded before api: myproject_migrate_dev`,
      `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
    ]);
    expect(fieldsOf(3)).toContain('1. Run myproject_migrate_dev before api: done\n2. Deploy api: running');
  });

  it('migration exits 1: nothing deploys; the red message gives the exit code, the reasons and the log stream', async () => {
    const { app, ecsMock, metrics } = await releaseApp();
    await app.handle(push('push-1'));
    const startedBy = startedByOf(ecsMock);
    const result = await app.handle(taskStopped('task-1', startedBy, { exitCode: 1, reason: 'migration 0042 failed' }));
    expect(result.status === 'planned' && result.deployments).toEqual([]);
    expect(changes(ecsMock).map((c) => c.command)).toEqual(['RunTaskCommand']);
    expect(received().slice(-2)).toEqual([
      `chat.update ${RED} :x: Release failed: api`,
      `chat.postMessage (reply) ${RED} :x: Task failed before api: myproject_migrate_dev`,
    ]);
    const why = fieldsOf(api ? api.calls.length - 1 : 0);
    expect(why).toContain('migrate: 1');
    expect(why).toContain('Essential container in task exited');
    expect(why).toContain('migration 0042 failed');
    expect(why).toContain('api');
    expect(why).toContain(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fmyproject$252Fmigrate/log-events/ecs$252Fmigrate$252F0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    );
    // Not a failed deployment (none started), but a failed release, counted under the trigger that asked for it.
    expect(metrics.counts.DeploymentsFailed ?? 0).toBe(0);
    expect(metrics.ofDeployments.filter((m) => m.name === 'ReleasesFailed')).toEqual([
      { name: 'ReleasesFailed', trigger: 'ecr', value: 1, unit: 'Count' },
    ]);
  });

  it('RunTask places no task: the release fails at once and nothing deploys', async () => {
    const { app, ecsMock, metrics } = await releaseApp();
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: MIGRATE, reason: 'RESOURCE:MEMORY' }] });
    const result = await app.handle(push('push-1'));
    expect(metrics.counts.ReleasesFailed).toBe(1);
    expect(result.status === 'planned' && result.deployments).toEqual([]);
    expect(changes(ecsMock).map((c) => c.command)).toEqual(['RunTaskCommand']);
    expect(received().slice(-2)).toEqual([
      `chat.update ${RED} :x: Release failed: api`,
      `chat.postMessage (reply) ${RED} :x: Task not started before api: myproject_migrate_dev`,
    ]);
    expect(fieldsOf(api ? api.calls.length - 1 : 0)).toContain('RESOURCE:MEMORY');
  });

  it('a wave: the worker waits, then starts on the api deployment COMPLETED; the backend (no order) starts at once', async () => {
    const { app, ecsMock, metrics } = await releaseApp();
    const first = await app.handle(sharedEnvFile('s3-1'));
    expect(first.status === 'planned' && first.deployments.map((d) => d.service)).toEqual(['backend']);
    const startedBy = startedByOf(ecsMock);
    await app.handle(taskStopped('task-1', startedBy, { exitCode: 0 }));
    expect(changes(ecsMock).map((c) => (c.input as { service?: string }).service ?? c.command)).toEqual([
      'RunTaskCommand',
      'myproject_service_dev',
      'myproject_service_api_dev',
    ]);
    const completed = await app.handle(deploymentEvent('deployment-completed.json', 'api', API_DEPLOYMENT, 'ecs-1'));
    expect(completed.status === 'planned' && completed.deployments.map((d) => [d.service, d.status])).toEqual([['worker', 'started']]);
    expect(changes(ecsMock).at(-1)?.input).toMatchObject({ service: 'myproject_service_worker_dev', forceNewDeployment: true });
    await app.handle(deploymentEvent('deployment-completed.json', 'worker', WORKER_DEPLOYMENT, 'ecs-2'));
    const releaseMessage = api?.messages.find((m) => m.title.includes('Release'));
    expect(releaseMessage?.colour).toBe(GREEN);
    expect(releaseMessage?.title).toBe(':white_check_mark: Release completed: api, worker');
    expect(releaseMessage?.replies.map((r) => `${r.colour} ${r.title}`)).toEqual([
      `${BLUE} :rocket: Task started before api: myproject_migrate_dev`,
      `${GREEN} :white_check_mark: Task succeeded before api: myproject_migrate_dev`,
      `${GREEN} :white_check_mark: Step done: api deployed`,
      `${GREEN} :white_check_mark: Step done: worker deployed`,
    ]);
    expect(metrics.counts.ReleasesFailed).toBeUndefined();
  });

  it('the signed webhook hears the release as typed events: release.started, release.progressing, release.succeeded; a failed migration, release.failed', async () => {
    const hook = await startReceiver();
    try {
      const channel = { WEBHOOK_URL: webhookUrl(hook.baseUrl), WEBHOOK_SECRET: SIGNING_SECRET, WEBHOOK_EVENTS: 'release.*' };
      const { app, ecsMock } = await releaseApp(channel);
      await app.handle(sharedEnvFile('s3-1'));
      await app.handle(taskStopped('task-1', startedByOf(ecsMock), { exitCode: 0 }));
      await app.handle(deploymentEvent('deployment-completed.json', 'api', API_DEPLOYMENT, 'ecs-1'));
      await app.handle(deploymentEvent('deployment-completed.json', 'worker', WORKER_DEPLOYMENT, 'ecs-2'));
      const heard = () => hook.received.map((r) => r.body as { type: string; title: string; severity: string });
      // The deployments' own messages (deployment.*) are not what this channel listens to.
      expect(heard().map((b) => `${b.type} ${b.severity} ${b.title}`)).toEqual([
        'release.started info Release in progress: api, worker',
        'release.progressing info Task started before api: myproject_migrate_dev',
        'release.progressing success Task succeeded before api: myproject_migrate_dev',
        'release.progressing success Step done: api deployed',
        'release.succeeded success Step done: worker deployed',
      ]);

      hook.received.length = 0;
      await api?.close();
      const failing = await releaseApp(channel);
      await failing.app.handle(push('push-2'));
      await failing.app.handle(taskStopped('task-2', startedByOf(failing.ecsMock), { exitCode: 1 }));
      expect(heard().map((b) => `${b.type} ${b.severity} ${b.title}`)).toEqual([
        'release.started info Release in progress: api',
        'release.progressing info Task started before api: myproject_migrate_dev',
        'release.failed error Task failed before api: myproject_migrate_dev',
      ]);
    } finally {
      await hook.close();
    }
  });

  it('a failed first wave stops the second: the worker is reported not deployed, and why', async () => {
    const { app, ecsMock, metrics } = await releaseApp();
    await app.handle(sharedEnvFile('s3-1'));
    await app.handle(taskStopped('task-1', startedByOf(ecsMock), { exitCode: 0 }));
    expect(metrics.counts.ReleasesFailed).toBeUndefined();
    const failed = await app.handle(deploymentEvent('deployment-failed.json', 'api', API_DEPLOYMENT, 'ecs-1'));
    expect(metrics.ofDeployments.filter((m) => m.name === 'ReleasesFailed')).toEqual([
      { name: 'ReleasesFailed', trigger: 's3', value: 1, unit: 'Count' },
    ]);
    // Delivered again, the failed deployment's event fails nothing more.
    await app.handle(deploymentEvent('deployment-failed.json', 'api', API_DEPLOYMENT, 'ecs-1'));
    expect(metrics.counts.ReleasesFailed).toBe(1);
    expect(failed.status === 'planned' && failed.deployments).toEqual([]);
    expect(changes(ecsMock).some((c) => (c.input as { service?: string }).service === 'myproject_service_worker_dev')).toBe(false);
    const releaseMessage = api?.messages.find((m) => m.title.includes('Release'));
    expect(releaseMessage?.title).toBe(':x: Release failed: api, worker');
    expect(releaseMessage?.replies.at(-1)?.title).toBe(':x: Step failed: api not deployed');
    const last = api?.calls.findLast((c) => c.body.thread_ts !== undefined);
    const text = (last?.body.attachments?.[0]?.blocks ?? []).flatMap((b) => (b.fields ?? []).map((f) => f.text)).join('\n');
    expect(text).toContain('Not deployed');
    expect(text).toContain('worker');
  });

  it('events delivered twice start the next step once', async () => {
    const { app, ecsMock } = await releaseApp();
    await app.handle(sharedEnvFile('s3-1'));
    await app.handle(sharedEnvFile('s3-1'));
    // The backend (not in RELEASE_CONFIG) deploys at once, and its claim covers the redelivered change.
    expect(changes(ecsMock).map((c) => c.command)).toEqual(['RunTaskCommand', 'UpdateServiceCommand']);
    const stopped = taskStopped('task-1', startedByOf(ecsMock), { exitCode: 0 });
    await app.handle(stopped);
    await app.handle(stopped);
    const done = deploymentEvent('deployment-completed.json', 'api', API_DEPLOYMENT, 'ecs-1');
    await app.handle(done);
    await app.handle(done);
    const services = changes(ecsMock).map((c) => (c.input as { service?: string }).service ?? c.command);
    expect(services.filter((s) => s === 'myproject_service_api_dev')).toHaveLength(1);
    expect(services.filter((s) => s === 'myproject_service_worker_dev')).toHaveLength(1);
    expect(services.filter((s) => s === 'RunTaskCommand')).toHaveLength(1);
    const others = services.filter((s) => !['myproject_service_api_dev', 'myproject_service_worker_dev', 'RunTaskCommand'].includes(s));
    expect(others).toHaveLength(1); // the backend, once
  });

  it('a task event for a task deploybridge did not start, or of another cluster, changes nothing', async () => {
    const { app, ecsMock } = await releaseApp();
    await app.handle(push('push-1'));
    const startedBy = startedByOf(ecsMock);
    const before = api?.calls.length;
    const foreign = await app.handle(taskStopped('task-x', 'ecs-svc/123', { exitCode: 0 }));
    expect(foreign.status).toBe('ignored');
    const otherCluster = await app.handle(taskStopped('task-y', startedBy, { exitCode: 0 }, TASK, 'other_cluster'));
    expect(otherCluster.status).toBe('ignored');
    const unknownRelease = await app.handle(taskStopped('task-z', 'deploybridge/0123456789abcdef/0', { exitCode: 0 }));
    expect(unknownRelease.status === 'planned' && unknownRelease.deployments).toEqual([]);
    expect(changes(ecsMock).map((c) => c.command)).toEqual(['RunTaskCommand']);
    expect(api?.calls.length).toBe(before);
  });

  it('a step that hears nothing before its timeout fails on the periodic check, and the steps after it do not start', async () => {
    const { app, ecsMock, metrics } = await releaseApp();
    await app.handle(sharedEnvFile('s3-1'));
    const check = (id: string, time: string) => ({
      version: '0',
      id,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time,
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/myproject-deploybridge-dev-release-timeouts'],
      detail: {},
    });
    // Before the task's 20 minutes: nothing changes.
    const calls = api?.calls.length;
    await app.handle(check('tick-1', new Date().toISOString()));
    expect(api?.calls.length).toBe(calls);
    // 21 minutes later (the clock moved, not waited for).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 21 * 60_000);
    try {
      await app.handle(check('tick-2', new Date().toISOString()));
    } finally {
      vi.useRealTimers();
    }
    expect(received().slice(-2)).toEqual([
      `chat.update ${RED} :x: Release failed: api, worker`,
      `chat.postMessage (reply) ${RED} :x: Release step timed out`,
    ]);
    expect(metrics.counts.ReleasesFailed).toBe(1);
    expect(fieldsOf(api ? api.calls.length - 1 : 0)).toContain('no word from ECS within 20 minutes');
    // The task's late STOPPED changes nothing: the release is over.
    await app.handle(taskStopped('task-1', startedByOf(ecsMock), { exitCode: 0 }));
    expect(changes(ecsMock).map((c) => (c.input as { service?: string }).service ?? c.command)).toEqual([
      'RunTaskCommand',
      'myproject_service_dev',
    ]);
  });

  it('a RunTask that fails transiently fails the invocation; its retry runs the task once, with the same idempotency token', async () => {
    const { app, ecsMock } = await releaseApp();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(throttled)
      .resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    await expect(app.handle(push('push-1'))).rejects.toThrow('Rate exceeded');
    await app.handle(push('push-1'));
    const runs = sentCommands(ecsMock).filter((c) => c.command === 'RunTaskCommand');
    expect(runs).toHaveLength(2);
    expect(runs[1]?.input).toEqual(runs[0]?.input);
    expect(received().filter((r) => r.includes('Task started'))).toEqual([
      `chat.postMessage (reply) ${BLUE} :rocket: Task started before api: myproject_migrate_dev`,
    ]);
    await app.handle(push('push-1'));
    expect(sentCommands(ecsMock).filter((c) => c.command === 'RunTaskCommand')).toHaveLength(2);
  });

  it('a cycle, an unknown service in after, or a release without the deployments table is a configuration error', () => {
    expect(
      configProblems({
        ...base(),
        RELEASE_CONFIG: JSON.stringify({ api: { after: ['worker'] }, worker: { after: ['api'] } }),
        DEPLOYMENTS_TABLE: 't',
      }),
    ).toEqual(['RELEASE_CONFIG: the order has a cycle (api → worker → api)']);
    expect(
      configProblems({ ...base(), RELEASE_CONFIG: JSON.stringify({ worker: { after: ['nosuch'] } }), DEPLOYMENTS_TABLE: 't' }),
    ).toEqual([
      'RELEASE_CONFIG.worker.after: "nosuch" is not a service of RELEASE_CONFIG (add it as a key, {} when it has no rule of its own)',
    ]);
    expect(configProblems({ ...base(), RELEASE_CONFIG })).toEqual([
      "RELEASE_CONFIG needs DEPLOYMENTS_TABLE, where a release's steps wait for ECS's events",
    ]);
  });
});

function base(): Record<string, string> {
  return { PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', SERVICE_CONFIG: '{}' };
}
