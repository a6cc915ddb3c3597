/**
 * SQS delivers at least once, and a record that failed comes back: with IDEMPOTENCY_TABLE (a real
 * DynamoDB-compatible server, dynalite on 127.0.0.1) a merged deployment records every event it
 * answers, so a redelivery of any of them deploys nothing twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/entry/createApp.js';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import { serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { captureOutput } from '../helpers/logs.js';
import { sqsBatch } from '../helpers/sqs.js';
import { parameterChange, tdArn, updates, updatesAnswered } from './events.js';

const transient = () =>
  Object.assign(new Error('Service Unavailable'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 503 } });

describe('redelivered batches deploy nothing twice', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let output: ReturnType<typeof captureOutput>;
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

  const guard = () => createPowertoolsGuard({ tableName: db.tableName, ttlSeconds: 3600, region: 'us-east-1' }, db.client);

  it('the same batch delivered again deploys nothing: every event of each merged deployment was recorded', async () => {
    const { app, ecsMock } = testApp({}, { guard: guard() });
    updatesAnswered(ecsMock);
    const batch = sqsBatch([
      parameterChange('/dev/myproject/api/A', 0),
      parameterChange('/dev/myproject/api/B', 1),
      parameterChange('/dev/myproject/worker/C', 2),
    ]);

    expect(await app.handleBatch(batch)).toEqual({ batchItemFailures: [] });
    expect(
      updates(ecsMock)
        .map((u) => u.service)
        .sort(),
    ).toEqual(['myproject_service_api_dev', 'myproject_service_worker_dev']);

    ecsMock.resetHistory();
    expect(
      await app.handleBatch(
        sqsBatch(
          batch.Records.map((r) => r.body),
          { receiveCount: 2 },
        ),
      ),
    ).toEqual({ batchItemFailures: [] });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(
      output
        .logs()
        .filter((l) => l.message === 'deployment skipped: already deployed for this event')
        .map((l) => l.fields.service)
        .sort(),
    ).toEqual(['api', 'worker']);
  });

  it('any one event of a merged deployment, redelivered alone or with a new change, is not deployed again', async () => {
    const { app, ecsMock, notifier } = testApp({}, { guard: guard() });
    updatesAnswered(ecsMock);
    const a = parameterChange('/dev/myproject/api/A', 0);
    const b = parameterChange('/dev/myproject/api/B', 1);
    await app.handleBatch(sqsBatch([a, b]));
    expect(updates(ecsMock)).toHaveLength(1);

    // Each alone: the change deployed (b, the later) and the one merged into it (a).
    ecsMock.resetHistory();
    await app.handleBatch(sqsBatch([b]));
    await app.handleBatch(sqsBatch([a]));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);

    // A new change arrives with the redelivered one: one deployment, for the new change.
    const c = parameterChange('/dev/myproject/api/C', 5);
    await app.handleBatch(sqsBatch([a, c]));
    expect(updates(ecsMock)).toHaveLength(1);
    ecsMock.resetHistory();
    await app.handleBatch(sqsBatch([c, b, a]));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(notifier.sent.filter((n) => n.title === 'Deployment started: api')).toHaveLength(2);
  });

  it('the records that failed come back alone and deploy only what failed', async () => {
    const { app, ecsMock } = testApp({}, { guard: guard() });
    let apiFails = true;
    ecsMock.on(UpdateServiceCommand).callsFake((input: { service: string }) => {
      if (apiFails && input.service === 'myproject_service_api_dev') throw transient();
      return serviceUpdated(tdArn(input.service, 12));
    });
    const batch = sqsBatch([
      parameterChange('/dev/myproject/api/A', 0),
      parameterChange('/dev/myproject/worker/C', 1),
      parameterChange('/dev/myproject/api/B', 2),
    ]);

    const first = await app.handleBatch(batch);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['msg-1', 'msg-3']);

    // SQS makes the two records visible again; the cause has passed.
    apiFails = false;
    ecsMock.resetHistory();
    const failed = new Set(first.batchItemFailures.map((f) => f.itemIdentifier));
    const again = batch.Records.filter((r) => failed.has(r.messageId));
    expect(await app.handleBatch({ Records: again })).toEqual({ batchItemFailures: [] });
    expect(updates(ecsMock).map((u) => u.service)).toEqual(['myproject_service_api_dev']);
  });

  it('a deployment in progress in another live invocation is not passed over: its records come back', async () => {
    const first = testApp({}, { guard: guard() });
    // The first invocation's UpdateService answers when the test says; any other answers at once.
    const updating = deferred();
    const release = deferred();
    let calls = 0;
    first.ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
      if (++calls === 1) {
        updating.resolve();
        await release.promise;
      }
      return serviceUpdated(tdArn(input.service, 12));
    });
    const second = createApp(first.config, { ...first.deps, guard: guard() });
    // A foreign event keeps the batch from failing as a whole.
    const batch = sqsBatch([
      parameterChange('/dev/myproject/api/A', 0),
      parameterChange('/dev/myproject/api/B', 1),
      parameterChange('/prod/otherproject/api/A', 2),
    ]);

    const firstResponse = first.app.handleBatch(batch);
    await updating.promise;
    // The same batch, delivered to another invocation while the first deploys it.
    const secondResponse = await second.handleBatch(batch);
    release.resolve();

    expect(updates(first.ecsMock)).toHaveLength(1);
    expect(secondResponse.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['msg-1', 'msg-2']);
    expect(await firstResponse).toEqual({ batchItemFailures: [] });
    // Once it is done, the returning records find it deployed.
    first.ecsMock.resetHistory();
    expect(
      await second.handleBatch(
        sqsBatch(
          batch.Records.slice(0, 2).map((r) => r.body),
          { receiveCount: 2 },
        ),
      ),
    ).toEqual({ batchItemFailures: [] });
    expect(first.ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
