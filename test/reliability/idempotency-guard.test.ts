/**
 * The idempotency guard against a real DynamoDB-compatible server (dynalite on 127.0.0.1).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPowertoolsGuard } from '../../src/aws/idempotency.js';
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
    expect(await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({ ran: true, result: { status: 'started', n: 1 } });
    expect(await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({ ran: false, reason: 'already deployed' });
    // A new guard (a new container) sees the same record.
    expect(await guard().once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).toEqual({ ran: false, reason: 'already deployed' });
    // Another target of the same event, or the same target of another event, runs.
    expect((await g.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_worker_dev', deploy, () => true)).ran).toBe(true);
    expect((await g.once('evt-2', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true)).ran).toBe(true);
    expect(runs).toBe(3);
  });

  it('does not record a failed deployment, so a retry runs it again', async () => {
    let runs = 0;
    const g = guard();
    const failing = async () => ({ status: 'failed', n: ++runs });
    expect(await g.once('evt-3', 'ecs:x/y', failing, (r) => r.status === 'started')).toEqual({ ran: true, result: { status: 'failed', n: 1 } });
    expect(await g.once('evt-3', 'ecs:x/y', failing, (r) => r.status === 'started')).toEqual({ ran: true, result: { status: 'failed', n: 2 } });
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

  it('stores records with the partition key `id` and the TTL attribute `expiration`', async () => {
    const { Items } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
    expect(Items?.length).toBeGreaterThan(0);
    for (const item of Items ?? []) {
      expect(item.id?.S).toMatch(/^deploybridge#/);
      expect(Number(item.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 3000);
    }
  });
});
