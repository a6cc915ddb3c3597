/**
 * Merging per batch: every deployment the events of one SQS batch ask of one target becomes one
 * deployment, so a burst of changes (twelve parameters of one `terraform apply`, three tags of one
 * push) makes one rollout per service instead of one per change, each replacing the last.
 *
 * Which change is deployed: an image (the ECR path's task-definition revision, or a Lambda image
 * update) over an S3 zip over a restart, and among equals the last by event time, so pushes of
 * different digests deploy the latest. The merged deployment lists every trigger it answers
 * (src/present/triggerLines.ts words them) and every event id, which the idempotency guard records.
 */
import { changeRank, deploymentKey, type DeploymentRequest } from '../../triggers/requests.js';
import { eventTriggers } from '../../triggers/trigger.js';
import type { RouteName } from '../../triggers/plan.js';
import type { DeploymentOrder } from '../deployer.js';

/** A deployment one event of the batch asked for. */
interface Asked {
  eventId: string;
  /** The event's route: what the merged deployment counts under when it is the one deployed. */
  route: RouteName;
  /** When the event happened (its `time`, epoch milliseconds); NaN when it does not say. */
  time: number;
  request: DeploymentRequest;
}

/**
 * One deployment of the batch: one event's request as it was, or the winning request with a
 * merged trigger; the event whose change is deployed and its route; `triggeredAt` the earliest of
 * the events (a deployment's duration counts from the first change).
 */
export interface MergedDeployment extends DeploymentOrder {
  /** Every event it answers, in event-time order. */
  eventIds: string[];
}

/** The request itself when only one event asked; otherwise the winner, with a merged trigger. */
function mergeTarget(asked: readonly Asked[]): MergedDeployment {
  // Event-time order (an event without a time counts as the latest), then the batch's order.
  const at = (a: Asked) => (Number.isNaN(a.time) ? Number.POSITIVE_INFINITY : a.time);
  const ordered = asked.map((a, index) => ({ ...a, index })).sort((a, b) => at(a) - at(b) || a.index - b.index);
  const winner = ordered.reduce((best, a) => (changeRank(a.request) >= changeRank(best.request) ? a : best));
  const eventIds = [...new Set(ordered.map((a) => a.eventId))];
  const times = ordered.map((a) => a.time).filter((t) => !Number.isNaN(t));
  const triggeredAt = new Date(times.length === 0 ? Date.now() : Math.min(...times)).toISOString();
  const { eventId, route } = winner;
  if (ordered.length === 1) return { request: winner.request, eventId, route, eventIds, triggeredAt };
  // The latest change: an event that does not say when counts as now.
  const changedAt = new Date(times.length < ordered.length ? Date.now() : Math.max(...times)).toISOString();
  const deployed = winner.request.trigger;
  return {
    request: {
      ...winner.request,
      trigger: {
        kind: 'merged',
        deployed: deployed.kind === 'merged' ? deployed.deployed : deployed,
        triggers: ordered.flatMap((a) => eventTriggers(a.request.trigger)),
        eventIds,
      },
    },
    eventId,
    route,
    eventIds,
    triggeredAt,
    changedAt,
  };
}

/**
 * Merges the deployments a batch asks for into one per target, in the order targets first appear.
 *
 * @example
 * mergeDeployments([
 *   { eventId: 'e1', route: 'ssm', time: t0, request: restart(api, ssmChange('/dev/myproject/api/DB_HOST')) },
 *   { eventId: 'e2', route: 'ecr', time: t0 + 1000, request: redeploy(api, 'arn:…:task-definition/myproject_service_api_dev:42', ecrPush('v1.4.2')) },
 * ]);
 * // [{ request: { …redeploy of :42, trigger: { kind: 'merged', deployed: ecrPush, triggers: [ssmChange, ecrPush], eventIds: ['e1', 'e2'] } }, eventId: 'e2', route: 'ecr', eventIds: ['e1', 'e2'], triggeredAt: t0, changedAt: t0 + 1000 }]
 */
export function mergeDeployments(asked: readonly Asked[]): MergedDeployment[] {
  const byTarget = new Map<string, Asked[]>();
  for (const a of asked) {
    const key = deploymentKey(a.request);
    byTarget.set(key, [...(byTarget.get(key) ?? []), a]);
  }
  return [...byTarget.values()].map(mergeTarget);
}
