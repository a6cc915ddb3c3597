/**
 * The deployment targets of one container, on the container's shared SDK clients. Each target is
 * created on first use; its module is loaded only by the routes that deploy to it.
 */
import type { AwsClients } from '../aws/clients.js';
import { once } from '../shared/concurrency.js';
import type { TargetRegistry } from './contract.js';

/**
 * The targets on the container's clients.
 *
 * @example
 * const targets = createAwsTargets(createAwsClients('eu-west-1'));
 * const prepared = await (await targets.ecs()).prepare(request, context);
 */
export function createAwsTargets(clients: AwsClients): TargetRegistry {
  return {
    ecs: once(async () => (await import('./ecs.js')).createEcsTarget(await clients.ecs())),
    lambda: once(async () => (await import('./lambda/index.js')).createLambdaTarget(await clients.lambda())),
  };
}
