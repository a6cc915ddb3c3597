/**
 * Approval requests on the deployments table (dynalite): each move is one conditional write, so
 * concurrent decisions decide once, a request decided stays decided, and a later request for the
 * same target supersedes the pending one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decideApproval,
  readApproval,
  recordApproval,
  releaseStarted,
  startApproved,
  replaceLatest,
  supersedeApproval,
} from '../../src/approvals/records.js';
import { FOLLOW_DEFAULTS } from '../../src/config/constants.js';
import { createDynamoDbStore } from '../../src/following/dynamodb.js';
import type { ApprovalRequest, DeploymentJournal } from '../../src/following/journal.js';
import { startDynamoDb } from '../helpers/dynalite.js';

const alice = { id: 'U0APPROVER', name: 'alice' };
const bob = { id: 'W0GRIDUSER', name: 'bob' };
const NOW = new Date('2026-03-02T10:00:00Z');

function request(id: string): ApprovalRequest {
  return {
    id,
    status: 'pending',
    service: 'api',
    request: {
      target: 'ecs',
      service: 'api',
      ecs: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', family: 'myproject_service_api_dev' },
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:43',
      trigger: { kind: 'ecr', repository: 'myproject_service_api', tag: 'v1.4.3', digest: 'sha256:3f9c' },
    },
    pinned: {
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:43',
      imageDigest: 'sha256:3f9c',
    },
    preview: { target: 'ecs', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:43' },
    calls: [],
    eventId: 'e1',
    triggeredAt: '2026-03-02T09:59:50.000Z',
    requestedAt: '2026-03-02T10:00:00.000Z',
    expiresAt: '2026-03-03T10:00:00.000Z',
  };
}

describe('approval requests', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let journal: DeploymentJournal;
  beforeAll(async () => {
    db = await startDynamoDb('deployments');
    journal = createDynamoDbStore(
      { tableName: 'deployments', region: 'us-east-1', ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds },
      db.client,
    );
  });
  afterAll(async () => db.close());

  it('is recorded once: a redelivered event finds the request it made', async () => {
    expect((await recordApproval(journal, request('r1'))).created).toBe(true);
    const again = await recordApproval(journal, { ...request('r1'), eventId: 'redelivered' });
    expect(again).toEqual({ approval: request('r1'), created: false });
  });

  it('ten concurrent approvals and rejections decide once; the others change nothing', async () => {
    await recordApproval(journal, request('r2'));
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        decideApproval(journal, 'r2', i % 2 === 0 ? 'approve' : 'reject', i % 2 === 0 ? alice : bob, NOW),
      ),
    );
    expect(outcomes.filter((o) => o.changed)).toHaveLength(1);
    const stored = await readApproval(journal, 'r2');
    expect(['approved', 'rejected']).toContain(stored?.status);
    expect(outcomes.filter((o) => !o.changed).every((o) => o.approval?.status === stored?.status)).toBe(true);
  });

  it('approved → started once of many; a release lets a retry start it again', async () => {
    await recordApproval(journal, request('r3'));
    await decideApproval(journal, 'r3', 'approve', alice, NOW);
    const started = await Promise.all(Array.from({ length: 5 }, () => startApproved(journal, 'r3')));
    expect(started.filter((s) => s !== undefined)).toHaveLength(1);
    expect((await readApproval(journal, 'r3'))?.decision).toEqual({ by: alice, at: NOW.toISOString() });
    await releaseStarted(journal, 'r3');
    expect((await startApproved(journal, 'r3'))?.status).toBe('started');
  });

  it('a decision after the expiry expires the request instead', async () => {
    await recordApproval(journal, request('r4'));
    const late = await decideApproval(journal, 'r4', 'approve', alice, new Date('2026-03-03T10:00:01Z'));
    expect(late).toMatchObject({ changed: true, approval: { status: 'expired' } });
    expect(late.approval?.decision).toBeUndefined();
    expect(await startApproved(journal, 'r4')).toBeUndefined();
  });

  it('a later request for the same target supersedes the pending one, which then cannot be decided', async () => {
    const replaced: string[] = [];
    const supersede = async (previous: string) => {
      replaced.push(previous);
      await supersedeApproval(journal, previous, 'r6');
    };
    await recordApproval(journal, request('r5'));
    await replaceLatest(journal, 'ecs:myproject_service_api_dev', 'r5', supersede);
    await recordApproval(journal, request('r6'));
    await replaceLatest(journal, 'ecs:myproject_service_api_dev', 'r6', supersede);
    expect(replaced).toEqual(['r5']);
    expect((await readApproval(journal, 'r5'))?.status).toBe('superseded');
    expect(await decideApproval(journal, 'r5', 'approve', alice, NOW)).toMatchObject({
      changed: false,
      approval: { status: 'superseded' },
    });
    // The same request asked again (a redelivery) supersedes nothing, itself least.
    await replaceLatest(journal, 'ecs:myproject_service_api_dev', 'r6', supersede);
    expect(replaced).toEqual(['r5']);
  });

  it('when superseding the earlier request fails, the later one does not take its place: a retry supersedes it', async () => {
    await recordApproval(journal, request('r7'));
    await replaceLatest(journal, 'lambda:resizer-fn', 'r7', async () => undefined);
    await recordApproval(journal, request('r8'));
    const failing = async () => {
      throw new Error('table unreachable');
    };
    await expect(replaceLatest(journal, 'lambda:resizer-fn', 'r8', failing)).rejects.toThrow('table unreachable');
    expect((await readApproval(journal, 'r7'))?.status).toBe('pending');
    await replaceLatest(journal, 'lambda:resizer-fn', 'r8', async (previous) => {
      await supersedeApproval(journal, previous, 'r8');
    });
    expect((await readApproval(journal, 'r7'))?.status).toBe('superseded');
  });

  it('two requests made at once: the one written last stands, the other is superseded', async () => {
    await recordApproval(journal, request('r9'));
    await recordApproval(journal, request('r10'));
    await Promise.all(
      ['r9', 'r10'].map((id) =>
        replaceLatest(journal, 'ecs:myproject_service_worker_dev', id, async (previous) => {
          await supersedeApproval(journal, previous, id);
        }),
      ),
    );
    const statuses = [(await readApproval(journal, 'r9'))?.status, (await readApproval(journal, 'r10'))?.status].sort();
    expect(statuses).toEqual(['pending', 'superseded']);
  });
});
