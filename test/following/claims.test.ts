/**
 * Claims on the deployments table (src/following/claims.ts), against a real DynamoDB-compatible
 * server (dynalite on 127.0.0.1): of invocations racing for a service exactly one claims it, and a
 * deployment is covered only by one that started after its changes, carries all it carries and
 * still covers them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { beganAfter, createServiceClaims, settleClaim, type ClaimAsk, type ClaimClock } from '../../src/following/claims.js';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import type { DeploymentJournal, FollowedEcsDeployment } from '../../src/following/journal.js';
import { change, journalKeys } from '../../src/following/records.js';
import type { Carried } from '../../src/triggers/requests.js';
import { startDynamoDb } from '../helpers/dynalite.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const TARGET = 'ecs:myproject_cluster_dev/myproject_service_api_dev';
const RESTART: Carried = { revision: undefined, digests: [], replaceable: true };
const PUSH_A: Carried = { revision: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:42', digests: ['sha256:a'], replaceable: true };

/**
 * Virtual time: a wait ends after a turn of the event loop (so a racing invocation can run) and
 * moves the time on by its length, unless `still` (many waiters at once would add up).
 */
function clock(start = T0 + 60_000, still = false): ClaimClock & { set(ms: number): void; waits: number[] } {
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) =>
        setImmediate(() => {
          if (!still) now += ms;
          resolve();
        }),
      );
    },
  };
}

const ask = (changedAtSeconds: number, carried: Carried = RESTART, waitMs = 15_000): ClaimAsk => ({
  target: TARGET,
  carried,
  changedAt: new Date(T0 + changedAtSeconds * 1000).toISOString(),
  leaseMs: 600_000,
  waitMs,
});

/** The record of a rollout deploybridge started, as the follower writes it. */
async function recordRollout(journal: DeploymentJournal, id: string, status: FollowedEcsDeployment['status'] = 'in_progress') {
  const deployment: FollowedEcsDeployment = {
    id,
    target: 'ecs',
    service: 'api',
    resource: 'myproject_service_api_dev',
    cluster: 'myproject_cluster_dev',
    region: 'us-east-1',
    trigger: { kind: 'ssm', parameter: '/dev/myproject/api/A', operation: 'Update' },
    eventId: `event-of-${id}`,
    triggeredAt: new Date(T0).toISOString(),
    startedAt: new Date(T0 + 60_000).toISOString(),
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:41',
    previousTaskDefinition: undefined,
    status,
    events: [`event-of-${id}`],
  };
  await change(journal, journalKeys.deployment(id), () => ({ entry: { type: 'deployment', deployment }, result: true }));
}

describe('claims on the deployments table', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let tables = 0;
  beforeAll(async () => {
    db = await startDynamoDb();
  });
  afterAll(async () => {
    await db.close();
  });

  async function table(): Promise<DeploymentJournal> {
    const tableName = `claims-${++tables}`;
    await db.createTable(tableName);
    return createDynamoDbStore({ tableName, region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }, db.client);
  }

  it('a change in the same second as the start is not covered; one a second before is', () => {
    expect(beganAfter('2026-03-02T10:00:06.000Z', '2026-03-02T10:00:05Z')).toBe(true);
    expect(beganAfter('2026-03-02T10:00:05.999Z', '2026-03-02T10:00:05Z')).toBe(false);
    expect(beganAfter('2026-03-02T10:00:05.000Z', '2026-03-02T10:00:05Z')).toBe(false);
  });

  it('five invocations claiming one service at once: exactly one claims it, the others wait for it to start, then are covered', async () => {
    const journal = await table();
    const time = clock(T0 + 60_000, true);
    const claims = createServiceClaims({ journal, clock: time });
    const outcomes = Promise.all(Array.from({ length: 5 }, () => claims.claim(ask(5))));
    // The winner starts its rollout once the others are waiting on its claim.
    let winner;
    for (;;) {
      const stored = await journal.read(journalKeys.claim(TARGET));
      if (stored?.entry.type === 'claim' && time.waits.length >= 4) {
        winner = stored.entry.claim;
        break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await recordRollout(journal, 'ecs-svc/1');
    await settleClaim(journal, { key: journalKeys.claim(TARGET), claim: winner, version: 1, replaced: undefined }, 'ecs-svc/1');

    const settled = await outcomes;
    expect(settled.filter((o) => o.kind === 'claimed')).toHaveLength(1);
    expect(settled.filter((o) => o.kind === 'covered').map((o) => o.kind === 'covered' && o.by.deployment.id)).toEqual([
      'ecs-svc/1',
      'ecs-svc/1',
      'ecs-svc/1',
      'ecs-svc/1',
    ]);
  });

  it('covered only by a rollout that started after the change, carries all it carries and is still in progress or completed', async () => {
    const journal = await table();
    const time = clock();
    const claims = createServiceClaims({ journal, clock: time });
    const first = await claims.claim(ask(5, PUSH_A));
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await recordRollout(journal, 'ecs-svc/1');
    await settleClaim(journal, first.ticket, 'ecs-svc/1');

    // A restart made before it: the push's rollout restarts too.
    expect(await claims.claim(ask(10))).toMatchObject({ kind: 'covered', by: { deployment: { id: 'ecs-svc/1' } } });
    // The same push again (another tag of it): covered.
    expect(await claims.claim(ask(10, PUSH_A))).toMatchObject({ kind: 'covered' });
    // A change in the second it started: not covered.
    expect(await claims.claim(ask(60))).toMatchObject({ kind: 'claimed' });
  });

  it('a newer digest, a manual deploy, or a rollout that failed: not covered', async () => {
    const journal = await table();
    const claims = createServiceClaims({ journal, clock: clock() });
    const first = await claims.claim(ask(5));
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await recordRollout(journal, 'ecs-svc/1');
    await settleClaim(journal, first.ticket, 'ecs-svc/1');

    const newer = await claims.claim(ask(10, PUSH_A));
    expect(newer.kind).toBe('claimed');
    if (newer.kind !== 'claimed') return;
    // That push's rollout fails: a restart made before it is not covered by it.
    await recordRollout(journal, 'ecs-svc/2', 'failed');
    await settleClaim(journal, newer.ticket, 'ecs-svc/2');
    const after = await claims.claim(ask(10));
    expect(after.kind).toBe('claimed');
    if (after.kind !== 'claimed') return;
    await recordRollout(journal, 'ecs-svc/3');
    await settleClaim(journal, after.ticket, 'ecs-svc/3');
    expect(await claims.claim(ask(10, { ...RESTART, replaceable: false }))).toMatchObject({ kind: 'claimed' });
  });

  it('a claim given back (its rollout did not start) restores the one it replaced', async () => {
    const journal = await table();
    const claims = createServiceClaims({ journal, clock: clock() });
    const first = await claims.claim(ask(5));
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await recordRollout(journal, 'ecs-svc/1');
    await settleClaim(journal, first.ticket, 'ecs-svc/1');
    const second = await claims.claim(ask(5, PUSH_A));
    if (second.kind !== 'claimed') throw new Error('expected a claim');

    await claims.release(second.ticket);

    expect(await claims.claim(ask(10))).toMatchObject({ kind: 'covered', by: { deployment: { id: 'ecs-svc/1' } } });
  });

  it('a claim still being started elsewhere after the wait: busy; once its lease ended, abandoned and taken', async () => {
    const journal = await table();
    const time = clock();
    const claims = createServiceClaims({ journal, clock: time });
    const held = await claims.claim({ ...ask(5), leaseMs: 60_000 });
    expect(held.kind).toBe('claimed');

    const busy = await claims.claim(ask(5, RESTART, 3_000));
    expect(busy.kind).toBe('busy');
    // Waits double from 250 ms, up to the 3 s allowed.
    expect(time.waits).toEqual([250, 500, 1000]);

    time.set(T0 + 60_000 + 60_001);
    expect(await claims.claim(ask(5))).toMatchObject({ kind: 'claimed' });
  });
});
