/**
 * Following deployments end to end: real AWS event samples replayed in order against a
 * DynamoDB-compatible server (dynalite on 127.0.0.1) and a Slack-compatible server on 127.0.0.1,
 * with a bot token (one message per deployment, updated, details in its thread) and with a webhook
 * (a message per step, naming the deployment). What Slack received is asserted in order, with colours.
 */
import { DynamoDBClient, type GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { createLogger } from '../../src/shared/observability.js';
import { createNotifier } from '../../src/slack/setup.js';
import {
  DescribeTaskDefinitionCommand,
  fakeMetrics,
  sentCommands,
  taskDefinition,
  testApp,
  testConfig,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { startSlackServer } from '../helpers/slackServer.js';

const FAMILY = 'myproject_service_api_dev';
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/myproject_cluster_dev/myproject_service_api_dev';
const revision = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:${n}`;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const GREEN = '#2EB67D';
const RED = '#E01E5A';
const BLUE = '#1D9BD1';
const AMBER = '#ECB22E';
/** The deployment the service ran, the one a push starts (the documented samples' id), its rollback, and a second push's. */
const D0 = 'ecs-svc/100';
const D1 = 'ecs-svc/123';
const R1 = 'ecs-svc/124';
const D2 = 'ecs-svc/125';

/** The documented ECR push sample, for this project's api repository. */
function push(tag: string, id: string, time: string) {
  return adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_api', 'image-tag': tag }, { id, time });
}

/** A documented ECS sample on this project's api service, as its own event (id, time). */
function ecs(file: string, id: string, time: string, detail: Record<string, unknown> = {}) {
  const sample = awsSample(`ecs/${file}`);
  return {
    ...sample,
    id,
    time,
    account: '123456789012',
    region: 'us-east-1',
    resources: [SERVICE_ARN],
    detail: { ...sample.detail, ...detail },
  };
}

/** UpdateService's answer: `id` is the new PRIMARY of `to`; `replaces` the deployment before it, with its rollout state. */
function started(id: string, to: number, replaces: { id: string; revision: number; rolloutState: 'COMPLETED' | 'IN_PROGRESS' }) {
  return {
    service: {
      taskDefinition: revision(to),
      deployments: [
        { id, status: 'PRIMARY', taskDefinition: revision(to), rolloutState: 'IN_PROGRESS' as const, runningCount: 0 },
        {
          id: replaces.id,
          status: 'ACTIVE',
          taskDefinition: revision(replaces.revision),
          rolloutState: replaces.rolloutState,
          runningCount: 2,
        },
      ],
    },
  };
}

type Slack =
  | { kind: 'bot'; api: Awaited<ReturnType<typeof startSlackApi>> }
  | { kind: 'webhook'; server: Awaited<ReturnType<typeof startSlackServer>> };

describe('following a deployment from trigger to outcome', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let output: ReturnType<typeof captureOutput>;
  let slack: Slack | undefined;
  let tables = 0;
  let journalClient: DynamoDBClient | undefined;
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
    if (slack?.kind === 'bot') await slack.api.close();
    if (slack?.kind === 'webhook') await slack.server.close();
    slack = undefined;
    journalClient?.destroy();
    journalClient = undefined;
  });

  /** An app on a fresh deployments table, ECS mocked, Slack on 127.0.0.1 in the given mode. */
  async function followingApp(mode: 'bot' | 'webhook') {
    const tableName = `deployments-${++tables}`;
    await db.createTable(tableName);
    let env: Record<string, string>;
    if (mode === 'bot') {
      const api = await startSlackApi();
      slack = { kind: 'bot', api };
      env = { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_CHANNEL: 'C0DEPLOYS', SLACK_API_URL: api.apiUrl, DEPLOYMENTS_TABLE: tableName };
    } else {
      const server = await startSlackServer();
      slack = { kind: 'webhook', server };
      env = { SLACK_WEBHOOK_URL: server.url, DEPLOYMENTS_TABLE: tableName };
    }
    const metrics = fakeMetrics();
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
    const notifier = createNotifier(testConfig(env), log, metrics);
    // The journal's own client, which notes the key of every GetItem it sends.
    const getItems: string[] = [];
    journalClient = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    journalClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') getItems.push((args.input as GetItemCommandInput).Key?.id?.S ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countGetItem' },
    );
    const journal = createDynamoDbStore({ tableName, region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }, journalClient);
    const built = testApp(env, { notifier, metrics, journal });
    built.ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 42, [`${IMAGE}:v1.4.3`]));
    /** Handles each event in turn; resolves with the keys the deployments table was read at (GetItem), per event. */
    const reads = async (...events: unknown[]): Promise<string[][]> => {
      const perEvent: string[][] = [];
      for (const event of events) {
        const before = getItems.length;
        await built.app.handle(event);
        perEvent.push(getItems.slice(before));
      }
      return perEvent;
    };
    return { ...built, metrics, tableName, reads };
  }

  /** What Slack received, in order: method (thread replies marked), colour, title. */
  function received(): string[] {
    if (slack?.kind === 'bot') {
      return slack.api.calls.map(
        (c) =>
          `${c.method}${c.body.thread_ts === undefined ? '' : ' (reply)'} ${c.body.attachments?.[0]?.color} ${c.body.attachments?.[0]?.blocks[0]?.text?.text}`,
      );
    }
    return (slack?.kind === 'webhook' ? slack.server.received : []).map((r) => {
      const body = r.body as { attachments: Array<{ color: string; blocks: Array<{ text?: { text: string } }> }> };
      return `${body.attachments[0]?.color} ${body.attachments[0]?.blocks[0]?.text?.text}`;
    });
  }

  /** The text of the fields of a message Slack received. */
  function fieldsOf(index: number): string[] {
    const body = (
      slack?.kind === 'bot' ? slack.api.calls[index]?.body : slack?.kind === 'webhook' ? slack.server.received[index]?.body : undefined
    ) as { attachments: Array<{ blocks: Array<{ fields?: Array<{ text: string }> }> }> } | undefined;
    return (body?.attachments[0]?.blocks ?? []).flatMap((b) => (b.fields ?? []).map((f) => f.text));
  }

  /** Why tasks failed, as ECS would tell it: a task of the deployment that could not pull its image, one killed, and the service's events. */
  function failingTasks(ecsMock: ReturnType<typeof testApp>['ecsMock']) {
    ecsMock.on(ListTasksCommand).resolves({
      taskArns: [
        'arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/aaa',
        'arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/bbb',
      ],
    });
    ecsMock.on(DescribeTasksCommand).callsFake(async () => ({
      tasks: [
        {
          taskArn: 'bbb',
          startedBy: 'ecs-svc/99',
          stoppedAt: new Date(Date.now() + 1000),
          stoppedReason: 'Scaling activity initiated by deployment ecs-svc/99',
          containers: [{ name: 'app', exitCode: 0 }],
        },
        {
          taskArn: 'aaa',
          startedBy: D1,
          stoppedAt: new Date(Date.now() + 2000),
          stopCode: 'TaskFailedToStart',
          stoppedReason:
            'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref myproject_service_api:v1.4.3: not found',
          containers: [{ name: 'app' }],
        },
        {
          taskArn: 'ccc',
          startedBy: D1,
          stoppedAt: new Date(Date.now() + 1500),
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'app', exitCode: 137 }],
        },
      ],
    }));
    ecsMock.on(DescribeServicesCommand).callsFake(async () => ({
      services: [
        {
          events: [
            { createdAt: new Date(Date.now() + 3000), message: '(service myproject_service_api_dev) has started 1 tasks: (task ccc).' },
            {
              createdAt: new Date(Date.now() + 2500),
              message:
                '(service myproject_service_api_dev) was unable to place a task because no container instance met all of its requirements.',
            },
          ],
        },
      ],
    }));
  }

  describe.each(['bot', 'webhook'] as const)('Slack with a %s', (mode) => {
    it('push → started → in progress → completed: green, with trigger, old → new revision and duration', async () => {
      const { app, ecsMock, metrics } = await followingApp(mode);
      ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));

      await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
      await app.handle(ecs('deployment-in-progress.json', 'ecs-1', '2024-06-03T09:00:20Z'));
      await app.handle(ecs('deployment-completed.json', 'ecs-2', '2024-06-03T09:03:05Z'));

      if (mode === 'bot') {
        expect(received()).toEqual([
          `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
          `chat.update ${BLUE} :rocket: Deployment in progress: api`,
          `chat.update ${GREEN} :white_check_mark: Deployment completed: api`,
        ]);
        // One line in the channel, updated in place.
        expect(slack?.kind === 'bot' && slack.api.messages).toEqual([
          { ts: expect.any(String), colour: GREEN, title: ':white_check_mark: Deployment completed: api', replies: [] },
        ]);
      } else {
        expect(received()).toEqual([
          `${BLUE} :rocket: Deployment started: api`,
          `${BLUE} :rocket: Deployment in progress: api`,
          `${GREEN} :white_check_mark: Deployment completed: api`,
        ]);
      }
      expect(fieldsOf(2)).toEqual(
        expect.arrayContaining([
          '*Status*\ncompleted in 3 min 5 s since the trigger',
          '*Trigger*\nECR push myproject_service_api:v1.4.3 (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234)',
          '*Task definition*\nmyproject_service_api_dev:41 → :42',
          `*Deployment ID*\n${D1}`,
        ]),
      );
      expect(metrics.counts).toMatchObject({ DeploymentsStarted: 1, DeploymentsSucceeded: 1 });
      expect(metrics.ofDeployments).toEqual([
        { name: 'DeploymentsSucceeded', trigger: 'ecr', value: 1, unit: 'Count' },
        { name: 'DeploymentDuration', trigger: 'ecr', value: 185_000, unit: 'Milliseconds' },
      ]);
      expect(output.logs().find((l) => l.message === 'deployment completed')?.fields).toMatchObject({
        service: 'api',
        step: 'completed',
        deployment_id: D1,
        duration_ms: 185_000,
      });
    });

    it('push → failed → rolling back → rollback completed: never green; red with the reasons, and the revision the service is back on', async () => {
      const { app, ecsMock, metrics } = await followingApp(mode);
      ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
      failingTasks(ecsMock);

      await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
      await app.handle(ecs('deployment-failed.json', 'ecs-1', '2024-06-03T09:03:40Z'));
      // The documented rollback sample: ECS starts a new deployment that rolls back to the last completed one.
      await app.handle(ecs('deployment-in-progress-rollback.json', 'ecs-2', '2024-06-03T09:03:41Z', { deploymentId: R1 }));
      await app.handle(
        ecs('deployment-completed.json', 'ecs-3', '2024-06-03T09:06:05Z', { deploymentId: R1, reason: `ECS deployment ${R1} completed.` }),
      );

      if (mode === 'bot') {
        expect(received()).toEqual([
          `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
          `chat.update ${RED} :x: Deployment failed: api`,
          `chat.postMessage (reply) ${RED} :x: Why it failed: api`,
          `chat.update ${RED} :x: Deployment failed, rolling back: api`,
          `chat.postMessage (reply) ${AMBER} :warning: Rolling back: api`,
          `chat.update ${RED} :x: Deployment rolled back: api`,
        ]);
        expect(slack?.kind === 'bot' && slack.api.messages).toEqual([
          {
            ts: expect.any(String),
            colour: RED,
            title: ':x: Deployment rolled back: api',
            replies: [
              { colour: RED, title: ':x: Why it failed: api' },
              { colour: AMBER, title: ':warning: Rolling back: api' },
            ],
          },
        ]);
        // The reasons go into the thread: the deployment's own tasks first, up to three distinct.
        expect(fieldsOf(2)).toEqual([
          '*Environment*\ndev',
          '*Service*\nmyproject_service_api_dev',
          '*ECS says*\nECS deployment circuit breaker: task failed to start.',
          '*Why tasks failed*\n• CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref myproject_service_api:v1.4.3: not found\n• Essential container in task exited (app: exit code 137, killed (SIGKILL), usually out of memory)\n• Scaling activity initiated by deployment ecs-svc/99',
        ]);
        expect(fieldsOf(5)).toContain('*Status*\nfailed and rolled back: the service runs myproject_service_api_dev:41 again');
      } else {
        expect(received()).toEqual([
          `${BLUE} :rocket: Deployment started: api`,
          `${RED} :x: Deployment failed: api`,
          `${AMBER} :warning: Deployment rolling back: api`,
          `${RED} :x: Deployment rolled back: api`,
        ]);
        // Each message names the deployment it belongs to.
        for (const index of [1, 2, 3]) {
          expect(fieldsOf(index)).toEqual(
            expect.arrayContaining([
              `*Deployment ID*\n${D1}`,
              '*Task definition*\nmyproject_service_api_dev:41 → :42',
              expect.stringMatching(/^\*Trigger\*\nECR push myproject_service_api:v1\.4\.3/),
            ]),
          );
        }
        expect(fieldsOf(1).join('\n')).toContain('CannotPullContainerError');
        expect(fieldsOf(3)).toContain('*Status*\nfailed and rolled back: the service runs myproject_service_api_dev:41 again');
      }
      expect(received().some((line) => line.includes(GREEN))).toBe(false);
      expect(metrics.counts).toMatchObject({ DeploymentsStarted: 1, DeploymentsFailed: 1, DeploymentsRolledBack: 1 });
      expect(metrics.counts.DeploymentsSucceeded).toBeUndefined();
      expect(output.logs().find((l) => l.message === 'deployment rolled back')?.fields).toMatchObject({
        service: 'api',
        step: 'rolled_back',
        deployment_id: D1,
        rollback: { deploymentId: R1, status: 'completed' },
      });
      // The reads that said why: stopped tasks by service name, described, and the service's events.
      expect(
        sentCommands(ecsMock)
          .filter((c) => c.command !== 'DescribeTaskDefinitionCommand' && c.command !== 'UpdateServiceCommand')
          .map((c) => c.command),
      ).toEqual(['ListTasksCommand', 'DescribeServicesCommand', 'DescribeTasksCommand']);
      expect(sentCommands(ecsMock).find((c) => c.command === 'ListTasksCommand')?.input).toEqual({
        cluster: 'myproject_cluster_dev',
        serviceName: 'myproject_service_api_dev',
        desiredStatus: 'STOPPED',
        maxResults: 20,
      });
    });

    it('a rollback reported before the failure: still one failed deployment, the reasons still in its thread', async () => {
      const { app, ecsMock, metrics } = await followingApp(mode);
      ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
      failingTasks(ecsMock);
      await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
      await app.handle(ecs('deployment-in-progress-rollback.json', 'ecs-2', '2024-06-03T09:03:41Z', { deploymentId: R1 }));
      await app.handle(ecs('deployment-failed.json', 'ecs-1', '2024-06-03T09:03:40Z'));
      await app.handle(ecs('deployment-completed.json', 'ecs-3', '2024-06-03T09:06:05Z', { deploymentId: R1 }));
      const expected =
        mode === 'bot'
          ? [
              `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
              `chat.update ${RED} :x: Deployment failed, rolling back: api`,
              `chat.postMessage (reply) ${AMBER} :warning: Rolling back: api`,
              `chat.update ${RED} :x: Deployment failed, rolling back: api`,
              `chat.postMessage (reply) ${RED} :x: Why it failed: api`,
              `chat.update ${RED} :x: Deployment rolled back: api`,
            ]
          : [
              `${BLUE} :rocket: Deployment started: api`,
              `${AMBER} :warning: Deployment rolling back: api`,
              `${RED} :x: Deployment failed: api`,
              `${RED} :x: Deployment rolled back: api`,
            ];
      expect(received()).toEqual(expected);
      expect(metrics.counts).toMatchObject({ DeploymentsFailed: 1, DeploymentsRolledBack: 1 });
    });

    it('a deployment replaced by a newer push before it finished is superseded (by which trigger), not failed', async () => {
      const { app, ecsMock, metrics } = await followingApp(mode);
      ecsMock
        .on(UpdateServiceCommand)
        .resolvesOnce(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }))
        // ECS shows it: the first rollout is still ACTIVE and IN_PROGRESS when the second starts.
        .resolvesOnce(started(D2, 43, { id: D1, revision: 42, rolloutState: 'IN_PROGRESS' }));
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .resolvesOnce(taskDefinition(FAMILY, 42, [`${IMAGE}:v1.4.3`]))
        .resolvesOnce(taskDefinition(FAMILY, 43, [`${IMAGE}:v1.4.4`]));

      await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
      await app.handle(push('v1.4.4', 'push-2', '2024-06-03T09:01:00Z'));
      await app.handle(ecs('deployment-completed.json', 'ecs-1', '2024-06-03T09:04:00Z', { deploymentId: D2 }));

      if (mode === 'bot') {
        expect(received()).toEqual([
          `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
          `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
          `chat.update ${AMBER} :warning: Deployment superseded: api`,
          `chat.update ${GREEN} :white_check_mark: Deployment completed: api`,
        ]);
        expect(slack?.kind === 'bot' && slack.api.messages.map((m) => `${m.colour} ${m.title}`)).toEqual([
          `${AMBER} :warning: Deployment superseded: api`,
          `${GREEN} :white_check_mark: Deployment completed: api`,
        ]);
        const api = slack?.kind === 'bot' ? slack.api : undefined;
        expect(api?.calls[2]?.body.ts).toBe(api?.messages[0]?.ts);
      } else {
        expect(received()).toEqual([
          `${BLUE} :rocket: Deployment started: api`,
          `${BLUE} :rocket: Deployment started: api`,
          `${AMBER} :warning: Deployment superseded: api`,
          `${GREEN} :white_check_mark: Deployment completed: api`,
        ]);
      }
      expect(fieldsOf(2)).toContain(
        `*Status*\nsuperseded before it finished by ECR push myproject_service_api:v1.4.4 (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234) (deployment ${D2})`,
      );
      expect(metrics.counts).toMatchObject({ DeploymentsStarted: 2, DeploymentsSucceeded: 1 });
      expect(metrics.counts.DeploymentsFailed).toBeUndefined();
    });

    it('a redelivered event changes nothing and sends nothing', async () => {
      const { app, ecsMock, metrics } = await followingApp(mode);
      ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
      await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
      const completed = ecs('deployment-completed.json', 'ecs-1', '2024-06-03T09:03:05Z');
      await app.handle(completed);
      await app.handle(completed);
      expect(received()).toHaveLength(2);
      expect(metrics.counts.DeploymentsSucceeded).toBe(1);
    });
  });

  it('tasks failing to start during our rollout: a warning in its thread with the reasons, once per event', async () => {
    const { app, ecsMock } = await followingApp('bot');
    ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
    failingTasks(ecsMock);
    await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
    const impaired = ecs('service-action-task-start-impaired.json', 'ecs-1', '2024-06-03T09:02:10Z', {
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/myproject_cluster_dev',
    });
    await app.handle(impaired);
    await app.handle(impaired); // redelivered
    expect(received()).toEqual([
      `chat.postMessage ${BLUE} :rocket: Deployment started: api`,
      `chat.update ${BLUE} :rocket: Deployment in progress: api`,
      `chat.postMessage (reply) ${AMBER} :warning: Tasks fail to start: api`,
    ]);
    expect(fieldsOf(2).join('\n')).toContain('CannotPullContainerError');
    // Once the deployment is over, an impaired service is reported on its own.
    await app.handle(ecs('deployment-completed.json', 'ecs-2', '2024-06-03T09:03:05Z'));
    await app.handle(
      ecs('service-action-task-start-impaired.json', 'ecs-3', '2024-06-03T10:00:00Z', {
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/myproject_cluster_dev',
      }),
    );
    expect(received().slice(3)).toEqual([
      `chat.update ${GREEN} :white_check_mark: Deployment completed: api`,
      `chat.postMessage ${AMBER} :warning: Tasks fail to start: api`,
    ]);
  });

  it("the rollback fails too: red, in the deployment's thread, with the reasons of the rollback's tasks; a redelivered rollback start changes nothing", async () => {
    const { app, ecsMock, metrics } = await followingApp('bot');
    ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
    failingTasks(ecsMock);
    await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
    await app.handle(ecs('deployment-failed.json', 'ecs-1', '2024-06-03T09:03:40Z'));
    const rollback = ecs('deployment-in-progress-rollback.json', 'ecs-2', '2024-06-03T09:03:41Z', { deploymentId: R1 });
    await app.handle(rollback);
    await app.handle(rollback);
    await app.handle(ecs('deployment-failed.json', 'ecs-3', '2024-06-03T09:08:00Z', { deploymentId: R1 }));
    expect(received().slice(3)).toEqual([
      `chat.update ${RED} :x: Deployment failed, rolling back: api`,
      `chat.postMessage (reply) ${AMBER} :warning: Rolling back: api`,
      `chat.update ${RED} :x: Deployment failed, rollback failed: api`,
      `chat.postMessage (reply) ${RED} :x: The rollback failed too: api`,
    ]);
    expect(fieldsOf(5)).toContain(
      '*Status*\nfailed, and the rollback to myproject_service_api_dev:41 failed too: the service needs a look',
    );
    expect(metrics.counts).toMatchObject({ DeploymentsFailed: 1 });
    expect(metrics.counts.DeploymentsRolledBack).toBeUndefined();
  });

  it('a deployment someone else starts while ours rolls out supersedes ours', async () => {
    const { app, ecsMock } = await followingApp('webhook');
    ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
    await app.handle(push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'));
    await app.handle(ecs('deployment-in-progress.json', 'ecs-1', '2099-01-01T00:00:00Z', { deploymentId: 'ecs-svc/900' }));
    expect(received()).toEqual([
      `${BLUE} :rocket: Deployment started: api`,
      `${AMBER} :warning: Deployment superseded: api`,
      `${BLUE} :rocket: Deployment in progress: api`,
    ]);
    expect(fieldsOf(1)).toContain('*Status*\nsuperseded before it finished by deployment ecs-svc/900, which deploybridge did not start');
  });

  it('a deployment deploybridge did not start is reported as before; its rollback completing is a warning, not a success', async () => {
    const { app, ecsMock } = await followingApp('webhook');
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ events: [] }] });
    await app.handle(ecs('deployment-in-progress.json', 'ecs-1', '2024-06-03T09:00:20Z', { deploymentId: 'ecs-svc/7' }));
    await app.handle(ecs('deployment-failed.json', 'ecs-2', '2024-06-03T09:03:40Z', { deploymentId: 'ecs-svc/7' }));
    await app.handle(ecs('deployment-in-progress-rollback.json', 'ecs-3', '2024-06-03T09:03:41Z', { deploymentId: 'ecs-svc/8' }));
    await app.handle(ecs('deployment-completed.json', 'ecs-4', '2024-06-03T09:06:05Z', { deploymentId: 'ecs-svc/8' }));
    expect(received()).toEqual([
      `${BLUE} :rocket: Deployment in progress: api`,
      `${RED} :x: Deployment failed: api`,
      `${AMBER} :warning: Deployment rolling back: api`,
      `${AMBER} :warning: Rollback completed: api`,
    ]);
    expect(fieldsOf(1)).toContain('*Why tasks failed*\nno stopped task or service event says why yet');
  });

  it.each(['bot', 'webhook'] as const)('Slack with a %s: each ECS event reads a record once, not again to change it', async (mode) => {
    const { ecsMock, reads } = await followingApp(mode);
    ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
    const deployment = `deployment#${D1}`;
    const latest = 'service#myproject_cluster_dev/myproject_service_api_dev';
    // A rollout claims its service first (src/following/claims.ts): one read.
    const claim = 'claim#ecs:myproject_cluster_dev/myproject_service_api_dev';
    // With a bot token, the message a step updated is remembered: that change reads the record once more.
    const message = mode === 'bot' ? [deployment] : [];
    expect(
      await reads(
        push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'),
        ecs('deployment-in-progress.json', 'ecs-1', '2024-06-03T09:00:20Z'),
        ecs('deployment-completed.json', 'ecs-2', '2024-06-03T09:03:05Z'),
      ),
    ).toEqual([
      [claim, deployment, latest, ...message],
      [deployment, ...message],
      [deployment, ...message],
    ]);
  });

  it.each(['bot', 'webhook'] as const)(
    'Slack with a %s: a rollback reads each record once per event, a redelivered start too',
    async (mode) => {
      const { ecsMock, reads } = await followingApp(mode);
      ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
      failingTasks(ecsMock);
      const deployment = `deployment#${D1}`;
      const rollback = `deployment#${R1}`;
      const latest = 'service#myproject_cluster_dev/myproject_service_api_dev';
      const claim = 'claim#ecs:myproject_cluster_dev/myproject_service_api_dev';
      const message = mode === 'bot' ? [deployment] : [];
      const rollbackStarts = ecs('deployment-in-progress-rollback.json', 'ecs-2', '2024-06-03T09:03:41Z', { deploymentId: R1 });
      expect(
        await reads(
          push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'),
          ecs('deployment-failed.json', 'ecs-1', '2024-06-03T09:03:40Z'),
          rollbackStarts,
          rollbackStarts,
          ecs('deployment-completed.json', 'ecs-3', '2024-06-03T09:06:05Z', {
            deploymentId: R1,
            reason: `ECS deployment ${R1} completed.`,
          }),
        ),
      ).toEqual([
        [claim, deployment, latest, ...message],
        [deployment, ...message],
        // The rollback's own record, the service's latest deployment and that deployment, and the one the rollback returns to (the sample's).
        [rollback, latest, deployment, 'deployment#deploymentID', ...message],
        // Redelivered: the rollback's record says it was applied.
        [rollback],
        [rollback, deployment, ...message],
      ]);
    },
  );

  it("a service action and a deployment someone else starts read our deployment once, through the service's latest", async () => {
    const { ecsMock, reads } = await followingApp('webhook');
    ecsMock.on(UpdateServiceCommand).resolves(started(D1, 42, { id: D0, revision: 41, rolloutState: 'COMPLETED' }));
    failingTasks(ecsMock);
    const deployment = `deployment#${D1}`;
    const latest = 'service#myproject_cluster_dev/myproject_service_api_dev';
    // A rollout claims its service first (src/following/claims.ts): one read.
    const claim = 'claim#ecs:myproject_cluster_dev/myproject_service_api_dev';
    expect(
      await reads(
        push('v1.4.3', 'push-1', '2024-06-03T09:00:00Z'),
        ecs('service-action-task-start-impaired.json', 'ecs-1', '2024-06-03T09:02:10Z', {
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/myproject_cluster_dev',
        }),
        ecs('deployment-in-progress.json', 'ecs-2', '2099-01-01T00:00:00Z', { deploymentId: 'ecs-svc/900' }),
      ),
    ).toEqual([
      [claim, deployment, latest],
      [latest, deployment],
      ['deployment#ecs-svc/900', latest, deployment],
    ]);
    expect(received().slice(1)).toEqual([
      `${AMBER} :warning: Tasks fail to start: api`,
      `${AMBER} :warning: Deployment superseded: api`,
      `${BLUE} :rocket: Deployment in progress: api`,
    ]);
  });

  it('a bot token wins over a webhook', async () => {
    const webhook = await startSlackServer();
    try {
      const api = await startSlackApi();
      slack = { kind: 'bot', api };
      const metrics = fakeMetrics();
      const env = {
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_CHANNEL: 'C0DEPLOYS',
        SLACK_API_URL: api.apiUrl,
        SLACK_WEBHOOK_URL: webhook.url,
      };
      const notifier = createNotifier(
        testConfig(env),
        createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
        metrics,
      );
      const { app } = testApp(env, { notifier, metrics });
      await app.handle(ecs('deployment-in-progress.json', 'ecs-1', '2024-06-03T09:00:20Z'));
      expect(api.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
      expect(webhook.received).toEqual([]);
    } finally {
      await webhook.close();
    }
  });
});
