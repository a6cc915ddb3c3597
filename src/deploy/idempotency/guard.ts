/**
 * Idempotency: at-most-once deployments per (event id, target). EventBridge delivers at least once
 * and Lambda retries failed invocations, so the same event can arrive again after some of its
 * deployments succeeded; with a guard, those are not repeated and only the failed ones run again.
 * The guard is this interface; on `IDEMPOTENCY_TABLE` it is ./dynamodb.ts (loaded on first use),
 * on Powertools Idempotency ./powertools.ts.
 */
import type { Context } from 'aws-lambda';

/** What the guard reports when it does not run a deployment. */
export type GuardSkip = { ran: false; reason: 'already deployed' | 'in progress' };
export type GuardOutcome<T> = { ran: true; result: T } | GuardSkip;

export interface DeploymentGuard {
  /**
   * Runs `deploy` unless a deployment of `target` for `eventId` already succeeded (or is running)
   * within the window. A result for which `succeeded` is false is not recorded, so a retry of the
   * event runs it again. With the invocation's Lambda context, a deployment "running" in an
   * invocation that has ended (a timeout, a crash) is not running any more: it is taken over.
   */
  once<T>(
    eventId: string,
    target: string,
    deploy: () => Promise<T>,
    succeeded: (result: T) => boolean,
    lambdaContext?: Context,
  ): Promise<GuardOutcome<T>>;
}

export interface DynamoDbGuardOptions {
  tableName: string;
  ttlSeconds: number;
  region: string;
}

/** Thrown through the claims of a merged deployment when one of its events is being deployed elsewhere. */
class InProgressElsewhere extends Error {}

/**
 * {@link DeploymentGuard.once} for a deployment that answers several events (a merged deployment
 * of a batch): each (event, target) pair is recorded, so a redelivery of any of them is skipped.
 * Events already deployed to `target` are passed over; when none is left, nothing runs. The others
 * are claimed one inside the other with `deploy` innermost, so its success is recorded for every
 * event it answers and a failure for none. An event in progress in another (live) invocation is
 * never passed over in silence: the whole deployment reports 'in progress' and releases its claims,
 * so the events come back and find it done.
 *
 * @example
 * await onceForEach(guard, ['e1', 'e2', 'e3'], 'ecs:myproject_service_api_dev', deploy, (r) => r.ok);
 * // e2 already deployed: deploy runs once, and e1 and e3 are recorded
 */
export async function onceForEach<T>(
  guard: DeploymentGuard,
  eventIds: readonly string[],
  target: string,
  deploy: () => Promise<T>,
  succeeded: (result: T) => boolean,
  lambdaContext?: Context,
): Promise<GuardOutcome<T>> {
  const claim = async (index: number, claimed: boolean): Promise<GuardOutcome<T>> => {
    const eventId = eventIds[index];
    if (eventId === undefined) return claimed ? { ran: true, result: await deploy() } : { ran: false, reason: 'already deployed' };
    const outcome = await guard.once(
      eventId,
      target,
      () => claim(index + 1, true),
      (inner) => inner.ran && succeeded(inner.result),
      lambdaContext,
    );
    if (outcome.ran) return outcome.result;
    if (outcome.reason === 'in progress') throw new InProgressElsewhere();
    return claim(index + 1, claimed);
  };
  try {
    return await claim(0, false);
  } catch (error) {
    if (error instanceof InProgressElsewhere) return { ran: false, reason: 'in progress' };
    throw error;
  }
}
