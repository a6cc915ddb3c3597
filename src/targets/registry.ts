/**
 * The deployment targets of one container, on the container's shared SDK clients. Each target is
 * created on first use, with its SDK client (whose code loads then, on the routes that deploy to it).
 */
import type { AwsClients } from '../aws/clients.js';
import { once } from '../shared/concurrency.js';
import type { TargetRegistry } from './contract.js';
import { createEcsTarget } from './ecs.js';
import { createLambdaTarget } from './lambda/index.js';

/**
 * The targets on the container's clients.
 *
 * @example
 * const targets = createAwsTargets(createAwsClients('eu-west-1'));
 * const prepared = await (await targets.ecs()).prepare(request, context);
 */
export function createAwsTargets(clients: AwsClients): TargetRegistry {
  return {
    ecs: once(async () => createEcsTarget(await clients.ecs())),
    lambda: once(async () => createLambdaTarget(await clients.lambda())),
  };
}
