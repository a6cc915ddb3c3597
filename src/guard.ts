import type { Context } from 'aws-lambda';

/**
 * At-most-once deployments per (event id, target). EventBridge delivers at least once and Lambda
 * retries failed invocations, so the same event can arrive again after some of its deployments
 * succeeded; with a guard, those are not repeated and only the failed ones run again.
 */

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
  once<T>(eventId: string, target: string, deploy: () => Promise<T>, succeeded: (result: T) => boolean, lambdaContext?: Context): Promise<GuardOutcome<T>>;
}

export interface DynamoDbGuardOptions {
  tableName: string;
  ttlSeconds: number;
  region: string;
}
