/**
 * The deployment guard on DynamoDB, loaded on first use so that only invocations that deploy load
 * the DynamoDB client and Powertools Idempotency (src/deploy/idempotency/powertools.ts).
 */
import { once } from '../../shared/concurrency.js';
import type { DeploymentGuard, DynamoDbGuardOptions } from './guard.js';

/** A guard on a DynamoDB table (partition key `id`, TTL attribute `expiration`). */
export function createDynamoDbGuard(options: DynamoDbGuardOptions): DeploymentGuard {
  const guard = once(() => import('./powertools.js').then((m) => m.createPowertoolsGuard(options)));
  return {
    async once(eventId, target, deploy, succeeded, lambdaContext) {
      return (await guard()).once(eventId, target, deploy, succeeded, lambdaContext);
    },
  };
}
