/**
 * The idempotency guard against a real DynamoDB-compatible server (dynalite on 127.0.0.1).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import { lambdaContext } from '../helpers/app.js';
import { startDynamoDb } from '../helpers/dynalite.js';

describe('DynamoDB deployment guard (Powertools Idempotency)', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  beforeAll(async () => {
    db = await startDynamoDb();
  });
  afterAll(async () => db.close());

  const guard = () => createPowertoolsGuard({ tableName: db.tableName, ttlSeconds: 3600, region: 'us-east-1' }, db.client);

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
    let release: () => void = () => undefined;
    const slow = () => new Promise<{ status: string }>((resolve) => (release = () => resolve({ status: 'started' })));
    const first = g.once('evt-4', 'ecs:x/y', slow, () => true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await g.once('evt-4', 'ecs:x/y', slow, () => true)).toEqual({ ran: false, reason: 'in progress' });
    release();
    expect((await first).ran).toBe(true);
  });

  it('an in-progress record expires with the invocation that wrote it (the Lambda context is registered)', async () => {
    let recorded: Record<string, { S?: string; N?: string }> | undefined;
    const before = Date.now();
    const deploy = async () => {
      const { Items } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
      recorded = Items?.find((item) => item.status?.S === 'INPROGRESS');
      return { status: 'started' };
    };
    await guard().once('evt-5', 'ecs:x/y', deploy, () => true, lambdaContext({ remainingMs: 42_000 }));
    const expiry = Number(recorded?.in_progress_expiration?.N);
    expect(expiry).toBeGreaterThanOrEqual(before + 42_000);
    expect(expiry).toBeLessThan(Date.now() + 42_000);
  });

  it('outside Lambda (no context), an in-progress record holds until the record expires, said to Powertools so it does not warn', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      let recorded: Record<string, { S?: string; N?: string }> | undefined;
      const before = Date.now();
      const deploy = async () => {
        const { Items } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
        recorded = Items?.find((item) => item.status?.S === 'INPROGRESS');
        return { status: 'started' };
      };
      await guard().once('evt-no-context', 'ecs:x/y', deploy, () => true);
      const expiry = Number(recorded?.in_progress_expiration?.N);
      expect(expiry).toBeGreaterThanOrEqual(before + 3600_000);
      expect(expiry).toBeLessThanOrEqual(Number(recorded?.expiration?.N) * 1000 + 1000);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('a record left in progress by an invocation that ended (timeout, crash) is taken over', async () => {
    const g = guard();
    // The first invocation starts the deployment and dies: its promise never settles.
    void g.once(
      'evt-6',
      'ecs:x/y',
      () => new Promise<never>(() => undefined),
      () => true,
      lambdaContext({ remainingMs: 50 }),
    );
    await until(
      async () =>
        (await db.client.send(new ScanCommand({ TableName: db.tableName }))).Items?.some((i) => i.status?.S === 'INPROGRESS') === true,
    );
    await waitPast(50);
    let runs = 0;
    const outcome = await guard().once(
      'evt-6',
      'ecs:x/y',
      async () => ({ status: 'started', n: ++runs }),
      () => true,
      lambdaContext(),
    );
    expect(outcome).toEqual({ ran: true, result: { status: 'started', n: 1 } });
  });

  it('stores records with the partition key `id` and the TTL attribute `expiration`', async () => {
    const { Items } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
    expect(Items?.length).toBeGreaterThan(0);
    for (const item of Items ?? []) {
      expect(item.id?.S).toMatch(/^deploybridge#/);
      expect(Number(item.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 3000);
    }
  });
});

/** Polls `condition` until it holds (the guard's writes are asynchronous). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Waits until `ms` have certainly passed since now: an in-progress record of that lifetime has expired. */
async function waitPast(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() <= end) await new Promise((resolve) => setTimeout(resolve, ms));
}
