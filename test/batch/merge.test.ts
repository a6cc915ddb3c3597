/**
 * mergeDeployments on its own: when a merged deployment counts from (its duration starts at the
 * first change it answers), and which change wins when the events' times tie or are missing.
 */
import { describe, expect, it } from 'vitest';
import { mergeDeployments } from '../../src/deploy/batch/merge.js';
import type { DeploymentRequest } from '../../src/triggers/requests.js';

const ECS = { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', family: 'myproject_service_api_dev' };
const T0 = Date.parse('2026-03-02T10:00:00Z');

function restart(parameter: string): DeploymentRequest {
  return { target: 'ecs', service: 'api', ecs: ECS, trigger: { kind: 'ssm', parameter, operation: 'Update' } };
}

describe('mergeDeployments', () => {
  it('a merged deployment counts from its earliest change, whatever the batch order', () => {
    const [merged] = mergeDeployments([
      { eventId: 'late', route: 'ssm', time: T0 + 9_000, request: restart('/dev/myproject/api/B') },
      { eventId: 'early', route: 'ssm', time: T0, request: restart('/dev/myproject/api/A') },
      { eventId: 'middle', route: 'ssm', time: T0 + 4_000, request: restart('/dev/myproject/api/C') },
    ]);
    expect(merged?.triggeredAt).toBe('2026-03-02T10:00:00.000Z');
    expect(merged?.eventIds).toEqual(['early', 'middle', 'late']);
    expect(merged?.eventId).toBe('late');
  });

  it('an event without a time counts as the latest change, and does not move the start', () => {
    const [merged] = mergeDeployments([
      { eventId: 'untimed', route: 'ssm', time: Number.NaN, request: restart('/dev/myproject/api/B') },
      { eventId: 'timed', route: 'ssm', time: T0 + 1_000, request: restart('/dev/myproject/api/A') },
    ]);
    expect(merged?.triggeredAt).toBe('2026-03-02T10:00:01.000Z');
    expect(merged?.eventIds).toEqual(['timed', 'untimed']);
    expect(merged?.eventId).toBe('untimed');
  });

  it('a single event keeps its own trigger (no merged trigger) and its own time', () => {
    const request = restart('/dev/myproject/api/A');
    expect(mergeDeployments([{ eventId: 'one', route: 'ssm', time: T0, request }])).toEqual([
      { request, eventId: 'one', route: 'ssm', eventIds: ['one'], triggeredAt: '2026-03-02T10:00:00.000Z' },
    ]);
  });

  it('a merged deployment counts under the route of the change it deploys', () => {
    const push: DeploymentRequest = {
      target: 'ecs',
      service: 'api',
      ecs: ECS,
      taskDefinition: `${ECS.family}:42`,
      trigger: { kind: 'ecr', repository: 'myproject_service_api', tag: 'v1.4.2', digest: undefined },
    };
    const [merged] = mergeDeployments([
      { eventId: 'parameter', route: 'ssm', time: T0 + 1_000, request: restart('/dev/myproject/api/A') },
      { eventId: 'push', route: 'ecr', time: T0, request: push },
    ]);
    expect(merged).toMatchObject({ eventId: 'push', route: 'ecr', eventIds: ['push', 'parameter'] });
  });
});
