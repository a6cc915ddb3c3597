/**
 * A burst larger than one SQS batch: a `terraform apply` writing 250 parameters for three services
 * reaches the function as three batches of at most 100 records, two at once (the event source
 * mapping's maximum concurrency), the third after them. With DEPLOYMENTS_TABLE (a real
 * DynamoDB-compatible server, dynalite on 127.0.0.1) each service is still deployed once: a batch
 * whose changes all happened before a deployment of the service that deploybridge started, and
 * that carries nothing more, is covered by it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/entry/createApp.js';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import type { ClaimClock } from '../../src/following/claims.js';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import { createLogger } from '../../src/shared/observability.js';
import { createNotifier } from '../../src/slack/setup.js';
import {
  DescribeTaskDefinitionCommand,
  fakeMetrics,
  serviceUpdated,
  taskDefinition,
  testApp,
  testConfig,
  UpdateServiceCommand,
  type TestAppOverrides,
} from '../helpers/app.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { deferred } from '../helpers/deferred.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeImagesCommand } from '../helpers/reads.js';
import { sqsBatch } from '../helpers/sqs.js';
import { recordFigure } from '../reliability/figures.js';
import { DIGEST_A, DIGEST_B, parameterChange, push, REGISTRY, tdArn, updates } from './events.js';

const SERVICES = ['api', 'worker', 'backend'] as const;
const ECS_SERVICE: Record<string, string> = {
  api: 'myproject_service_api_dev',
  worker: 'myproject_service_worker_dev',
  backend: 'myproject_service_dev',
};
/** The events' times are seconds after 2026-03-02T10:00:00Z (./events.ts); the deployments start at T0 + 60 s. */
const T0 = Date.parse('2026-03-02T10:00:00Z');

/**
 * The time claims are judged by: from T0 + `atSeconds`, running on with the real clock (a wait for
 * another invocation ends at once, after a turn of the event loop).
 */
function claimClock(atSeconds = 60): ClaimClock & { waits: number[] } {
  const realStart = Date.now();
  const waits: number[] = [];
  return {
    waits,
    now: () => T0 + atSeconds * 1000 + (Date.now() - realStart),
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * A claim clock at T0 + `atSeconds` that moves a millisecond each time it is read, whatever the real
 * time: for a test about the second a deployment started in, which a loaded machine (a slow first
 * batch, loading its modules) must not move to the next one.
 */
function steppedClock(atSeconds = 60): ClaimClock {
  let reads = 0;
  return { now: () => T0 + atSeconds * 1000 + reads++, sleep: () => new Promise((resolve) => setImmediate(resolve)) };
}

/** The id of the `n`th deployment ECS starts (its answer lists an older one, ecs-svc/0000000000000000001, as ACTIVE). */
const deploymentId = (n: number) => `ecs-svc/7${String(n).padStart(18, '0')}`;

/** 250 parameter changes of one apply, round-robin over the three services, one second apart from T0 + 1 s (all before the deployments start). */
function apply250() {
  return Array.from({ length: 250 }, (_, i) => parameterChange(`/dev/myproject/${SERVICES[i % 3]}/P${i}`, Math.floor(i / 5) / 10 + 1));
}

describe('bursts of any size: one deployment per service however many batches', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
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
  afterEach(() => output.restore());

  /** A fresh deployments table; each UpdateService answers with a new deployment id. */
  async function burstApp(env: Record<string, string> = {}, clock: ClaimClock | undefined = claimClock(), parts: TestAppOverrides = {}) {
    const tableName = `deployments-bursts-${++tables}`;
    await db.createTable(tableName);
    const journal = createDynamoDbStore({ tableName, region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }, db.client);
    const guard = createPowertoolsGuard({ tableName: db.tableName, ttlSeconds: 3600, region: 'us-east-1' }, db.client);
    const built = testApp({ DEPLOYMENTS_TABLE: tableName, ...env }, { journal, guard, claimClock: clock, ...parts });
    let deployments = 0;
    built.ecsMock.on(UpdateServiceCommand).callsFake((input: { service: string; taskDefinition?: string }) => {
      const revision = input.taskDefinition ?? tdArn(input.service, 12);
      return serviceUpdated(revision, deploymentId(++deployments));
    });
    /** Another invocation of the same function: the same table and ECS, its own Slack record. */
    const other = () => createApp(built.config, { ...built.deps, claimClock: clock });
    return { ...built, journal, other };
  }

  const startedTitles = (sent: Array<{ title: string }>) => sent.map((n) => n.title).filter((t) => t.startsWith('Deployment started'));
  const perService = (ecsMock: Parameters<typeof updates>[0]) => {
    const counts: Record<string, number> = {};
    for (const u of updates(ecsMock)) counts[u.service] = (counts[u.service] ?? 0) + 1;
    return counts;
  };

  it('250 parameter changes for three services as three batches, two at once: one UpdateService per service, every record done', async () => {
    const { app, ecsMock, notifier, other } = await burstApp();
    const changes = apply250();
    const [first, second, third] = [changes.slice(0, 100), changes.slice(100, 200), changes.slice(200)];
    const concurrent = other();

    const answers = await Promise.all([app.handleBatch(sqsBatch(first)), concurrent.handleBatch(sqsBatch(second))]);
    answers.push(await app.handleBatch(sqsBatch(third!)));

    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    const deployed = perService(ecsMock);
    expect(deployed).toEqual({ [ECS_SERVICE.api!]: 1, [ECS_SERVICE.worker!]: 1, [ECS_SERVICE.backend!]: 1 });
    expect(startedTitles(notifier.sent)).toHaveLength(3);
    // The covered changes are told in the deployments' threads, and counted: 250 changes in all.
    const covered = output
      .logs()
      .filter((l) => l.message === 'deployment not started: its changes are covered by a deployment that began after them');
    const deployedChanges = output
      .logs()
      .filter((l) => l.message === 'deployment started')
      .reduce((sum, l) => sum + ((l.fields.event_ids as string[] | undefined)?.length ?? 1), 0);
    expect(deployedChanges + covered.reduce((sum, l) => sum + (l.fields.covered_changes as number), 0)).toBe(250);
    expect(notifier.sent.filter((n) => /^\+\d+ changes covered: /.test(n.title)).length).toBe(covered.length);
    recordFigure('burst_250_batches_deployments', updates(ecsMock).length);
    recordFigure('burst_250_batches_started_messages', startedTitles(notifier.sent).length);
    recordFigure('burst_250_batches_covered_replies', covered.length);
  });

  it('without DEPLOYMENTS_TABLE each batch deploys as it always did (the docs say so)', async () => {
    const { app, config, deps, ecsMock, notifier } = testApp({});
    ecsMock.on(UpdateServiceCommand).callsFake((input: { service: string }) => serviceUpdated(tdArn(input.service, 12)));
    const changes = apply250();
    await Promise.all([
      app.handleBatch(sqsBatch(changes.slice(0, 100))),
      createApp(config, deps).handleBatch(sqsBatch(changes.slice(100, 200))),
    ]);
    await app.handleBatch(sqsBatch(changes.slice(200)));
    expect(updates(ecsMock)).toHaveLength(9);
    recordFigure('burst_250_batches_deployments_without_table', updates(ecsMock).length);
    recordFigure('burst_250_batches_started_messages_without_table', startedTitles(notifier.sent).length);
  });

  it('a batch covered entirely answers no batchItemFailures, and its changes are told in the deployment thread', async () => {
    const { app, ecsMock, notifier } = await burstApp();
    expect(await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 5)]))).toEqual({ batchItemFailures: [] });
    notifier.sent.length = 0;

    const late = [parameterChange('/dev/myproject/api/B', 3), parameterChange('/dev/myproject/api/C', 4)];
    expect(await app.handleBatch(sqsBatch(late))).toEqual({ batchItemFailures: [] });

    expect(updates(ecsMock)).toHaveLength(1);
    expect(notifier.sent.map((n) => n.title)).toEqual(['+2 changes covered: api']);
    expect(notifier.sent[0]?.facts).toContainEqual(['Covered', expect.stringContaining('+2 changes covered')]);
    const covered = output.logs().find((l) => l.message.startsWith('deployment not started: its changes are covered'));
    expect(covered?.fields).toMatchObject({
      service: 'api',
      covered_by: deploymentId(1),
      covered_changes: 2,
      event_ids: late.map((e) => e.id),
    });
    const summary = output
      .logs()
      .filter((l) => l.message === 'batch handled')
      .at(-1);
    expect(summary?.fields).toMatchObject({ deployments: 1, deployments_covered: 1, changes_covered: 2 });

    // The same batch again (a redelivery) is covered again, and counted once.
    notifier.sent.length = 0;
    expect(await app.handleBatch(sqsBatch(late, { receiveCount: 2 }))).toEqual({ batchItemFailures: [] });
    expect(updates(ecsMock)).toHaveLength(1);
    expect(notifier.sent).toEqual([]);
  });

  it("with a bot token, a covered batch updates the deployment's message and notes the changes in its thread", async () => {
    const api = await startSlackApi();
    try {
      const env = { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_CHANNEL: 'C0DEPLOYS', SLACK_API_URL: api.apiUrl };
      const metrics = fakeMetrics();
      const notifier = createNotifier(
        testConfig(env),
        createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
        metrics,
      );
      const { app } = await burstApp(env, claimClock(), { notifier, metrics });
      await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 5)]));
      await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/B', 3), parameterChange('/dev/myproject/api/C', 4)]));

      const [first, ...later] = api.calls;
      expect(first?.method).toBe('chat.postMessage');
      expect(
        later.map((c) => [c.method, c.body.thread_ts === undefined ? 'top' : 'reply', c.body.attachments?.[0]?.blocks[0]?.text?.text]),
      ).toEqual(
        expect.arrayContaining([
          ['chat.update', 'top', expect.stringContaining('Deployment in progress: api')],
          ['chat.postMessage', 'reply', expect.stringContaining('+2 changes covered: api')],
        ]),
      );
      expect(later).toHaveLength(2);
      expect(JSON.stringify(later.find((c) => c.method === 'chat.update')?.body)).toContain('+2 changes covered');
    } finally {
      await api.close();
    }
  });

  it('a change after the deployment started, or in the same second, deploys again', async () => {
    const { app, ecsMock } = await burstApp({}, steppedClock());
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 5)]));
    // The deployment started at T0 + 60 s (and a little): a change at 60 s is in its second.
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/B', 60)]));
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/C', 200)]));
    expect(updates(ecsMock).map((u) => u.service)).toEqual([ECS_SERVICE.api, ECS_SERVICE.api, ECS_SERVICE.api]);
  });

  it('a push of a newer digest while a restart is in progress deploys; an older change after it is covered by the push', async () => {
    const { app, ecsMock, ecrMock } = await burstApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('myproject_service_api_dev', 42, [`${REGISTRY}/myproject_service_api:latest`]));
    ecrMock.on(DescribeImagesCommand).callsFake((input: { imageIds: Array<{ imageDigest: string }> }) => ({
      imageDetails: [{ imageDigest: input.imageIds[0]?.imageDigest, imageTags: ['latest'] }],
    }));
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 5)]));
    await app.handleBatch(sqsBatch([push('latest', DIGEST_A, 3)]));
    // A restart's claim never covers a push; the push's deployment covers a restart, not a newer digest.
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/B', 4)]));
    await app.handleBatch(sqsBatch([push('latest', DIGEST_B, 4)]));

    expect(updates(ecsMock).map((u) => u.taskDefinition)).toEqual([
      undefined,
      tdArn('myproject_service_api_dev', 42),
      tdArn('myproject_service_api_dev', 42),
    ]);
  });

  it('two batches for one service at once: one claim wins, the other is covered once it started', async () => {
    const { app, ecsMock, notifier, other } = await burstApp();
    const updating = deferred();
    const release = deferred();
    let calls = 0;
    ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
      ++calls;
      updating.resolve();
      await release.promise;
      return serviceUpdated(tdArn(input.service, 12), deploymentId(calls));
    });
    const second = other();

    const firstAnswer = app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 2), parameterChange('/dev/myproject/api/B', 3)]));
    await updating.promise;
    // The second batch's changes happened before the first's deployment began: it waits for it to start.
    const secondAnswer = second.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/C', 1)]));
    release.resolve();

    expect(await Promise.all([firstAnswer, secondAnswer])).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(calls).toBe(1);
    expect(startedTitles(notifier.sent)).toEqual(['Deployment started: api']);
    expect(notifier.sent.map((n) => n.title)).toContain('+1 change covered: api');
  });

  it('a batch that waited its 15 s for another invocation still starting the service: its records come back, and then are covered', async () => {
    // Virtual time: each wait moves it on by its length.
    let now = T0 + 60_000;
    const waits: number[] = [];
    const clock: ClaimClock = {
      now: () => now,
      sleep: (ms) => {
        waits.push(ms);
        now += ms;
        return new Promise((resolve) => setImmediate(resolve));
      },
    };
    const { app, ecsMock, other } = await burstApp({}, clock);
    const updating = deferred();
    const release = deferred();
    ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
      updating.resolve();
      await release.promise;
      return serviceUpdated(tdArn(input.service, 12), deploymentId(1));
    });
    const first = app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 2)]));
    await updating.promise;
    // A foreign event keeps the batch from failing as a whole.
    const busy = sqsBatch([parameterChange('/dev/myproject/api/B', 1), parameterChange('/prod/otherproject/api/A', 1)]);
    expect(await other().handleBatch(busy)).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(15_000);
    expect(
      output.logs().find((l) => l.message.startsWith('deployment of this target being started in another invocation'))?.fields,
    ).toMatchObject({
      service: 'api',
    });
    release.resolve();
    expect(await first).toEqual({ batchItemFailures: [] });

    // SQS delivers the record again: the deployment started after its change.
    expect(
      await other().handleBatch(
        sqsBatch(
          busy.Records.slice(0, 1).map((r) => r.body),
          { receiveCount: 2 },
        ),
      ),
    ).toEqual({
      batchItemFailures: [],
    });
    expect(updates(ecsMock)).toHaveLength(1);
  });

  it('two batches for one service racing to claim it: exactly one deploys', async () => {
    const { app, ecsMock, other } = await burstApp();
    const answers = await Promise.all([
      app.handleBatch(sqsBatch([parameterChange('/dev/myproject/worker/A', 2)])),
      other().handleBatch(sqsBatch([parameterChange('/dev/myproject/worker/B', 2)])),
    ]);
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(updates(ecsMock)).toHaveLength(1);
  });

  it('dry run claims nothing: every batch describes its deployment', async () => {
    const { app, ecsMock, notifier } = await burstApp({ DRY_RUN: 'true' });
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 5)]));
    await app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/B', 4)]));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(notifier.sent.map((n) => n.title)).toEqual([expect.stringContaining('api'), expect.stringContaining('api')]);
  });
});
