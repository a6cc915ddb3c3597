/**
 * The idempotency guard against a real DynamoDB-compatible server (dynalite on 127.0.0.1).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import { lambdaContext } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { startDynamoDb } from '../helpers/dynalite.js';

/** The time the guard reads (a whole second: TTLs in seconds are exact). */
const NOW = Date.UTC(2026, 0, 1, 12);

describe('DynamoDB deployment guard (Powertools Idempotency)', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  beforeAll(async () => {
    db = await startDynamoDb();
  });
  afterAll(async () => db.close());

  // Time stands still at NOW unless a test moves it (only Date is virtual: the servers' I/O and timers are real).
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const guard = () => createPowertoolsGuard({ tableName: db.tableName, ttlSeconds: 3600, region: 'us-east-1' }, db.client);
  const records = async () => (await db.client.send(new ScanCommand({ TableName: db.tableName }))).Items ?? [];

  it('runs a deployment once per (event id, target)', async () => {
    let runs = 0;
    const deploy = async () => ({ status: 'started', n: ++runs });
    const g = guard();
    expect(await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({
      ran: true,
      result: { status: 'started', n: 1 },
    });
    expect(await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({
      ran: false,
      reason: 'already deployed',
    });
    // A new guard (a new container) sees the same record.
    expect(await guard().once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({
      ran: false,
      reason: 'already deployed',
    });
    // Another target of the same event, or the same target of another event, runs.
    expect((await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_worker_dev', deploy, () => true)).ran).toBe(true);
    expect((await g.once('evt-2', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).ran).toBe(true);
    expect(runs).toBe(3);
  });

  it('does not record a failed deployment, so a retry runs it again', async () => {
    let runs = 0;
    const g = guard();
    const failing = async () => ({ status: 'failed', n: ++runs });
    expect(await g.once('evt-3', 'ecs:x/y', failing, (r) => r.status === 'started')).toEqual({
      ran: true,
      result: { status: 'failed', n: 1 },
    });
    expect(await g.once('evt-3', 'ecs:x/y', failing, (r) => r.status === 'started')).toEqual({
      ran: true,
      result: { status: 'failed', n: 2 },
    });
    const succeeding = async () => ({ status: 'started', n: ++runs });
    expect((await g.once('evt-3', 'ecs:x/y', succeeding, (r) => r.status === 'started')).ran).toBe(true);
    expect(await g.once('evt-3', 'ecs:x/y', succeeding, (r) => r.status === 'started')).toEqual({ ran: false, reason: 'already deployed' });
  });

  it('a concurrent duplicate sees the deployment in progress and does not run', async () => {
    const g = guard();
    const entered = deferred();
    const release = deferred();
    let runs = 0;
    const slow = async () => {
      runs++;
      entered.resolve();
      await release.promise;
      return { status: 'started' };
    };
    const first = g.once('evt-4', 'ecs:x/y', slow, () => true);
    // The guard writes its claim before it runs the deployment: once the deployment runs, the claim is there.
    await entered.promise;
    expect((await records()).filter((i) => i.status?.S === 'INPROGRESS')).toHaveLength(1);
    expect(await g.once('evt-4', 'ecs:x/y', slow, () => true)).toEqual({ ran: false, reason: 'in progress' });
    expect(await guard().once('evt-4', 'ecs:x/y', slow, () => true)).toEqual({ ran: false, reason: 'in progress' });
    release.resolve();
    expect(await first).toEqual({ ran: true, result: { status: 'started' } });
    expect(runs).toBe(1);
  });

  it('an in-progress record expires with the invocation that wrote it (the Lambda context is registered)', async () => {
    let recorded: Record<string, { S?: string; N?: string }> | undefined;
    const deploy = async () => {
      recorded = (await records()).find((item) => item.status?.S === 'INPROGRESS');
      return { status: 'started' };
    };
    await guard().once('evt-5', 'ecs:x/y', deploy, () => true, lambdaContext({ remainingMs: 42_000 }));
    expect(Number(recorded?.in_progress_expiration?.N)).toBe(NOW + 42_000);
  });

  it('outside Lambda (no context), an in-progress record holds until the record expires, said to Powertools so it does not warn', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      let recorded: Record<string, { S?: string; N?: string }> | undefined;
      const deploy = async () => {
        recorded = (await records()).find((item) => item.status?.S === 'INPROGRESS');
        return { status: 'started' };
      };
      await guard().once('evt-no-context', 'ecs:x/y', deploy, () => true);
      // The record's lifetime (ttlSeconds), to the millisecond.
      expect(Number(recorded?.in_progress_expiration?.N)).toBe(NOW + 3600_000);
      expect(Number(recorded?.expiration?.N) * 1000).toBe(NOW + 3600_000);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('a record left in progress by an invocation that ended (timeout, crash) is taken over', async () => {
    const entered = deferred();
    // The first invocation, with 50 ms left, starts the deployment and dies: its promise never settles.
    void guard().once(
      'evt-6',
      'ecs:x/y',
      () => {
        entered.resolve();
        return new Promise<never>(() => undefined);
      },
      () => true,
      lambdaContext({ remainingMs: 50 }),
    );
    await entered.promise;
    const retry = async () =>
      guard().once(
        'evt-6',
        'ecs:x/y',
        async () => ({ status: 'started' }),
        () => true,
        lambdaContext(),
      );
    // While that invocation may still be running, its claim holds…
    vi.setSystemTime(NOW + 50);
    expect(await retry()).toEqual({ ran: false, reason: 'in progress' });
    // …and once its time is over, Lambda's retry takes the deployment over.
    vi.setSystemTime(NOW + 51);
    expect(await retry()).toEqual({ ran: true, result: { status: 'started' } });
  });

  it('stores records with the partition key `id` and the TTL attribute `expiration` (ttlSeconds after they were written)', async () => {
    const items = await records();
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.id?.S).toMatch(/^deploybridge#/);
      expect(Number(item.expiration?.N)).toBe(NOW / 1000 + 3600);
    }
  });
});
