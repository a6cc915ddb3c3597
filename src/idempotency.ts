/**
 * The deployment guard on DynamoDB, loaded on first use so that only invocations that deploy load
 * the DynamoDB client and Powertools Idempotency (src/aws/idempotency.ts).
 */
import type { DeploymentGuard, DynamoDbGuardOptions } from './guard.js';

/** A guard on a DynamoDB table (partition key `id`, TTL attribute `expiration`). */
export function createDynamoDbGuard(options: DynamoDbGuardOptions): DeploymentGuard {
  let guard: Promise<DeploymentGuard> | undefined;
  return {
    async once(eventId, target, deploy, succeeded, lambdaContext) {
      guard ??= import('./aws/idempotency.js').then((m) => m.createPowertoolsGuard(options));
      return (await guard).once(eventId, target, deploy, succeeded, lambdaContext);
    },
  };
}
