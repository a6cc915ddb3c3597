/**
 * Following deployments when things are missing or failing: no deployments table (stateless), a
 * table that cannot be reached, ECS reads that fail or hang, one table shared with idempotency,
 * and Lambda deployments, which are recorded too.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { isRetryableAwsError } from '../../src/shared/errors.js';
import type { DeploymentJournal, JournalEntry } from '../../src/following/journal.js';
import { change, see } from '../../src/following/records.js';
import { createMemoryJournal } from '../../src/following/store.js';
import { recordingNotifier, sentCommands, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import type { Notifier } from '../../src/slack/notifier.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { startFakeEcs } from '../helpers/fakeEcs.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { happyPath, lambdaApp } from '../helpers/lambda-harness.js';
import { captureOutput } from '../helpers/logs.js';

const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/myproject_cluster_dev/myproject_service_api_dev';
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42';

function ecs(file: string, id: string, detail: Record<string, unknown> = {}) {
  const sample = awsSample(`ecs/${file}`);
  return { ...sample, id, account: '123456789012', region: 'us-east-1', resources: [SERVICE_ARN], detail: { ...sample.detail, ...detail } };
}

const parameterUpdate = (id: string) => adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }, { id });

describe('following without, or despite, the deployments table', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let output: ReturnType<typeof captureOutput>;
  beforeAll(async () => {
    db = await startDynamoDb('shared-table');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  const journalOn = (tableName: string) =>
    createDynamoDbStore({ tableName, region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }, db.client);

  it('without a table, a circuit-breaker rollback is a warning (amber), not information', async () => {
    const { app, notifier } = testApp();
    await app.handle(ecs('deployment-in-progress-rollback.json', 'e1'));
    expect(notifier.sent).toEqual([
      expect.objectContaining({
        severity: 'warning',
        title: 'Deployment rolling back: api',
        facts: [
          ['Status', 'a deployment failed; ECS is rolling back'],
          ['Deployment ID', 'ecs-svc/123'],
          ['Rolls back to', 'deploymentID'],
          ['Reason', 'ECS deployment circuit breaker: rolling back to deploymentId deploymentID.'],
        ],
      }),
    ]);
  });

  it('without a table, a failure and an impaired task start say why tasks failed', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/aaa'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'aaa',
          startedBy: 'ecs-svc/123',
          stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
          containers: [],
        },
      ],
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          events: [
            { message: '(service myproject_service_api_dev) failed to launch a task with (error ECS was unable to assume the role).' },
          ],
        },
      ],
    });
    await app.handle(ecs('deployment-failed.json', 'e1'));
    await app.handle(
      ecs('service-action-task-start-impaired.json', 'e2', {
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/myproject_cluster_dev',
      }),
    );
    const why = [
      'Why tasks failed',
      '• ResourceInitializationError: unable to pull secrets or registry auth\n• failed to launch a task with (error ECS was unable to assume the role).',
    ];
    expect(notifier.sent.map((n) => [n.severity, n.title])).toEqual([
      ['error', 'Deployment failed: api'],
      ['warning', 'Tasks fail to start: api'],
    ]);
    expect(notifier.sent[0]?.facts).toContainEqual(why);
    expect(notifier.sent[1]?.facts).toContainEqual(why);
    expect(
      sentCommands(ecsMock)
        .filter((c) => c.command === 'DescribeTasksCommand')
        .map((c) => c.input),
    ).toEqual([
      { cluster: 'myproject_cluster_dev', tasks: ['arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/aaa'] },
      { cluster: 'myproject_cluster_dev', tasks: ['arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/aaa'] },
    ]);
  });

  it('ECS reads that are refused never stop the notification: it says what could not be read', async () => {
    const { app, ecsMock, notifier } = testApp();
    const denied = Object.assign(new Error('not authorized to perform ecs:ListTasks'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    ecsMock.on(ListTasksCommand).rejects(denied);
    ecsMock.on(DescribeServicesCommand).rejects(denied);
    await app.handle(ecs('deployment-failed.json', 'e1'));
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Why tasks failed',
      'no stopped task or service event says why yet (not read: stopped tasks: AccessDeniedException, service events: AccessDeniedException)',
    ]);
    expect(output.logs().find((l) => l.message === 'why tasks failed: some ECS reads failed')?.level).toBe('warn');
  });

  it('ECS reads that hang are abandoned after the time allowed; the notification goes out', async () => {
    const fake = await startFakeEcs((request) => (request.action === 'ListTasks' ? { kind: 'hang' } : { kind: 'ok' }));
    try {
      const client = new ECSClient({
        region: 'us-east-1',
        endpoint: fake.endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const { app, ecsMock, notifier } = testApp({}, { clients: { ecs: async () => client } });
      ecsMock.restore(); // this test's client talks to the fake endpoint

      await app.handle(ecs('deployment-failed.json', 'e1'));
      expect(notifier.sent).toHaveLength(1);
      expect(notifier.sent[0]?.facts).toContainEqual([
        'Why tasks failed',
        'no stopped task or service event says why yet (not read: stopped tasks: timed out)',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('a table that does not exist: the deployment still starts, is reported, and the failure to record it is logged and counted', async () => {
    const { app, ecsMock, metrics, notifier } = testApp({}, { journal: journalOn('no-such-table') });
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD, 'ecs-svc/1'));
    const result = await app.handle(parameterUpdate('p1'));
    expect(result).toMatchObject({ deployments: [{ status: 'started', deploymentId: 'ecs-svc/1' }] });
    expect(notifier.sent.map((n) => n.title)).toEqual(['Deployment started: api']);
    // Neither its claim of the service nor its record could be written.
    expect(metrics.counts).toMatchObject({ DeploymentsStarted: 1, DeploymentRecordsFailed: 2 });
    expect(
      output.logs().find((l) => l.message === 'deployment claim not recorded: it starts without one, as without the deployments table')
        ?.fields,
    ).toMatchObject({ service: 'api', error_name: 'ResourceNotFoundException' });
    expect(
      output.logs().find((l) => l.message === 'deployment not recorded: its later events are reported without it')?.fields,
    ).toMatchObject({ service: 'api', error_name: 'ResourceNotFoundException' });
    // Its ECS events are then reported as they can be without a record.
    await app.handle(ecs('deployment-completed.json', 'e1', { deploymentId: 'ecs-svc/1' }));
    expect(notifier.sent.map((n) => `${n.severity} ${n.title}`)).toEqual([
      'info Deployment started: api',
      'success Deployment completed: api',
    ]);
    expect(metrics.counts.DeploymentRecordsFailed).toBe(3);
  });

  describe('a message reference the table does not take', () => {
    /** A Slack bot: each message it posts or updates has a place (ts 1, 2, …) the table is asked to remember. */
    function threadedSlack(): Notifier & { sent: ReturnType<typeof recordingNotifier>['sent'] } {
      const recording = recordingNotifier();
      let ts = 0;
      const placed = () => ({ channel: 'C0DEPLOYS', ts: String(++ts) });
      return {
        ...recording,
        open: async (notification) => {
          recording.notify(notification);
          return placed();
        },
        follow: async (_message, update) => {
          recording.notify(update.standalone);
          return placed();
        },
      };
    }

    /** A table that refuses to remember the messages posted at the places given. */
    function refusing(places: Set<string>): DeploymentJournal {
      const memory = createMemoryJournal();
      return {
        read: (key) => memory.read(key),
        async write(key, entry, expected) {
          const ts = entry.type === 'deployment' ? entry.deployment.message?.ts : undefined;
          if (ts !== undefined && places.has(ts))
            throw Object.assign(new Error('not allowed'), {
              name: 'AccessDeniedException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            });
          return memory.write(key, entry, expected);
        },
      };
    }

    it("a step's: the step is reported, the failure logged with the deployment and the event, and counted", async () => {
      const notifier = threadedSlack();
      const { app, ecsMock, metrics } = testApp({}, { notifier, journal: refusing(new Set(['2'])) });
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD, 'ecs-svc/1'));
      await app.handle(parameterUpdate('p1'));
      await app.handle(ecs('deployment-completed.json', 'e-done', { deploymentId: 'ecs-svc/1' }));

      expect(notifier.sent.map((n) => `${n.severity} ${n.title}`)).toEqual([
        'info Deployment started: api',
        'success Deployment completed: api',
      ]);
      expect(metrics.counts.DeploymentRecordsFailed).toBe(1);
      const failed = output.logs().filter((l) => l.level === 'error');
      expect(failed.map((l) => [l.message, l.fields.deployment_id, l.fields.event_id, l.fields.error_name])).toEqual([
        ['deployment message not recorded: later steps start a new one', 'ecs-svc/1', 'e-done', 'AccessDeniedException'],
      ]);
    });

    it("a superseded rollout's: told in its thread, the failure logged with the rollout that replaced it, and counted", async () => {
      const notifier = threadedSlack();
      const { app, ecsMock, metrics } = testApp({}, { notifier, journal: refusing(new Set(['3'])) });
      ecsMock
        .on(UpdateServiceCommand)
        .resolvesOnce(serviceUpdated(TD, 'ecs-svc/1'))
        .resolvesOnce({
          service: {
            taskDefinition: TD,
            deployments: [
              { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD },
              { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'IN_PROGRESS', taskDefinition: TD, runningCount: 1 },
            ],
          },
        });
      await app.handle(parameterUpdate('p1'));
      // A change made after the first rollout started (one made before would be covered by it).
      await app.handle({ ...parameterUpdate('p2'), time: new Date().toISOString() });

      expect(notifier.sent.map((n) => `${n.severity} ${n.title}`)).toEqual([
        'info Deployment started: api',
        'info Deployment started: api',
        'warning Deployment superseded: api',
      ]);
      const superseded = output.logs().find((l) => l.message === 'deployment superseded');
      expect(superseded).toMatchObject({ level: 'warn', fields: { deployment_id: 'ecs-svc/1', superseded_by: 'ecs-svc/2' } });
      expect(metrics.counts.DeploymentRecordsFailed).toBe(1);
      const failed = output.logs().filter((l) => l.level === 'error');
      expect(failed.map((l) => [l.message, l.fields.deployment_id, l.fields.superseded_by, l.fields.error_name])).toEqual([
        ['deployment message not recorded: later steps start a new one', 'ecs-svc/1', 'ecs-svc/2', 'AccessDeniedException'],
      ]);
    });
  });

  it('a table that fails transiently fails the invocation, so Lambda retries the event rather than report it wrongly', async () => {
    const unavailable: DeploymentJournal = {
      read: () =>
        Promise.reject(
          Object.assign(new Error('Service Unavailable'), {
            name: 'InternalServerError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
          }),
        ),
      write: () => Promise.resolve(false),
    };
    const { app, notifier } = testApp({}, { journal: unavailable });
    await expect(app.handle(ecs('deployment-completed.json', 'e1'))).rejects.toThrow('Service Unavailable');
    expect(notifier.sent).toEqual([]);
  });

  it('one table serves idempotency and deployments: records are keyed apart and expire after 14 days', async () => {
    // Only Date is virtual: the record's expiry is read against the time it was written.
    const now = Date.UTC(2026, 0, 1, 12);
    vi.useFakeTimers({ toFake: ['Date'], now });
    const guard = createPowertoolsGuard({ tableName: 'shared-table', ttlSeconds: 3600, region: 'us-east-1' }, db.client);
    const { app, ecsMock, notifier } = testApp({}, { guard, journal: journalOn('shared-table') });
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD, 'ecs-svc/77'));
    await app.handle(parameterUpdate('p-shared'));
    await app.handle(parameterUpdate('p-shared')); // a duplicate delivery: skipped by the guard
    await app.handle(ecs('deployment-completed.json', 'e-shared', { deploymentId: 'ecs-svc/77' }));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notifier.sent.map((n) => `${n.severity} ${n.title}`)).toEqual([
      'info Deployment started: api',
      'success Deployment completed: api',
    ]);
    const { Item } = await db.client.send(new GetItemCommand({ TableName: 'shared-table', Key: { id: { S: 'deployment#ecs-svc/77' } } }));
    expect(Number(Item?.expiration?.N)).toBe(now / 1000 + 14 * 24 * 3600);
    expect(JSON.parse(Item?.entry?.S ?? '{}')).toMatchObject({
      type: 'deployment',
      deployment: {
        id: 'ecs-svc/77',
        service: 'api',
        cluster: 'myproject_cluster_dev',
        taskDefinition: TD,
        status: 'completed',
        eventId: 'p-shared',
        trigger: { kind: 'ssm', parameter: '/dev/myproject/api/KEY', operation: 'Update' },
      },
    });
  });

  it('a Lambda deployment is recorded when it finishes, with its versions and trigger', async () => {
    await db.createTable('lambda-table');
    const { app, lambdaMock, metrics } = lambdaApp({}, { journal: journalOn('lambda-table') });
    happyPath(lambdaMock);
    const upload = adapt(
      's3/eventbridge-object-created.json',
      { bucket: { name: 'myproject-artifacts' }, object: { key: 'thumbnailer/lambda.zip', size: 1, etag: 'e' } },
      { id: 'upload-1', time: '2024-06-03T09:00:00Z' },
    );
    await app.handle(upload);
    const { Item } = await db.client.send(
      new GetItemCommand({ TableName: 'lambda-table', Key: { id: { S: 'deployment#lambda:myproject_lambda_thumbnailer_dev:upload-1' } } }),
    );
    expect(JSON.parse(Item?.entry?.S ?? '{}')).toMatchObject({
      deployment: {
        target: 'lambda',
        service: 'thumbnailer',
        alias: 'live',
        fromVersion: '12',
        toVersion: '13',
        status: 'completed',
        trigger: { kind: 's3' },
      },
    });
    expect(metrics.ofDeployments).toEqual([{ name: 'DeploymentDuration', trigger: 's3', value: expect.any(Number), unit: 'Milliseconds' }]);
  });
});

describe('the deployments table under concurrent writers', () => {
  it('a write that lost the race is decided again on what the winner wrote', async () => {
    const journal = createMemoryJournal();
    await journal.write('k', { type: 'latest', deploymentId: 'a' }, undefined);
    let decided = 0;
    const result = await change(journal, 'k', (current) => {
      decided++;
      // Another invocation writes between this one's read and its write, once.
      if (decided === 1) void journal.write('k', { type: 'latest', deploymentId: 'b' }, 1);
      return current?.type === 'latest'
        ? { entry: { type: 'latest', deploymentId: `${current.deploymentId}+c` }, result: current.deploymentId }
        : undefined;
    });
    expect(decided).toBe(2);
    expect(result).toBe('b');
    expect((await journal.read('k'))?.entry).toEqual({ type: 'latest', deploymentId: 'b+c' });
  });

  it('a change given what a read of its key found decides on that first; a stale one costs one more attempt, one of another key is ignored', async () => {
    const memory = createMemoryJournal();
    const read: string[] = [];
    const journal: DeploymentJournal = {
      read: (key) => (read.push(key), memory.read(key)),
      write: (key, entry, expected) => memory.write(key, entry, expected),
    };
    await journal.write('k', { type: 'latest', deploymentId: 'a' }, undefined);
    const append = (current: JournalEntry | undefined) =>
      current?.type === 'latest'
        ? { entry: { type: 'latest' as const, deploymentId: `${current.deploymentId}+c` }, result: current.deploymentId }
        : undefined;

    const seen = await see(journal, 'k');
    expect(await change(journal, 'k', append, seen)).toBe('a');
    expect(read).toEqual(['k']);
    // `seen` is stale now: its write fails, and the next attempt reads and decides on what was written.
    expect(await change(journal, 'k', append, seen)).toBe('a+c');
    expect(read).toEqual(['k', 'k']);
    expect((await journal.read('k'))?.entry).toEqual({ type: 'latest', deploymentId: 'a+c+c' });
    read.length = 0;
    expect(await change(journal, 'k', append, await see(journal, 'other'))).toBe('a+c+c');
    expect(read).toEqual(['other', 'k']);
  });

  it('a rollback start whose record another invocation wrote meanwhile goes on from the record the decision saw', async () => {
    const memory = createMemoryJournal();
    const read: string[] = [];
    let racing = false;
    const journal: DeploymentJournal = {
      async read(key) {
        read.push(key);
        // Another delivery of the rollback's start records it between this one's first read and its change.
        if (racing && key === 'service#myproject_cluster_dev/myproject_service_api_dev') {
          racing = false;
          await memory.write(
            'deployment#ecs-svc/2',
            { type: 'rollback', deploymentId: 'ecs-svc/2', rollbackOf: 'ecs-svc/1', to: 'deploymentID', events: ['e-other'] },
            undefined,
          );
        }
        return memory.read(key);
      },
      write: (key, entry, expected) => memory.write(key, entry, expected),
    };
    const { app, ecsMock, metrics, notifier } = testApp({}, { journal });
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD, 'ecs-svc/1'));
    await app.handle(parameterUpdate('p1'));
    racing = true;
    read.length = 0;
    await app.handle(ecs('deployment-in-progress-rollback.json', 'e-rollback', { deploymentId: 'ecs-svc/2' }));
    expect(notifier.sent.map((n) => `${n.severity} ${n.title}`)).toEqual([
      'info Deployment started: api',
      'warning Deployment rolling back: api',
    ]);
    expect(metrics.counts).toMatchObject({ DeploymentsFailed: 1 });
    expect((await memory.read('deployment#ecs-svc/1'))?.entry).toMatchObject({
      deployment: { status: 'failed', rollback: { deploymentId: 'ecs-svc/2', to: 'deploymentID', status: 'in_progress' } },
    });
    // The record's key is read once more only because the first write lost the race.
    expect(read).toEqual([
      'deployment#ecs-svc/2',
      'service#myproject_cluster_dev/myproject_service_api_dev',
      'deployment#ecs-svc/1',
      'deployment#ecs-svc/2',
      'deployment#deploymentID',
    ]);
  });

  it('gives up with an error (a retryable failure) when the entry keeps changing', async () => {
    const busy: DeploymentJournal = {
      read: async () => ({ entry: { type: 'latest', deploymentId: 'x' }, version: 1 }),
      write: async () => false,
    };
    const changing = change(busy, 'k', (current) => (current === undefined ? undefined : { entry: current, result: true }));
    await expect(changing).rejects.toThrow('deployments table: k kept changing under 5 attempts to write it');
    // Contention, not a bug: the invocation fails and Lambda retries it.
    expect(isRetryableAwsError(await changing.catch((error: unknown) => error))).toBe(true);
  });
});
