/**
 * The deployment targets of one container, on the real AWS SDK. Each client is created on first
 * use and then reused for the life of the container; its module is loaded only by the routes that
 * deploy to it (or read from it while planning).
 */
import { once } from '../shared/concurrency.js';
import type { EcsTarget } from './ecs.js';
import type { LambdaTarget } from './lambda/index.js';

/** Every target, with the reads handlers make while planning. */
export interface Targets {
  ecs(): Promise<EcsTarget>;
  lambda(): Promise<LambdaTarget>;
}

export function createAwsTargets(region: string): Targets {
  return {
    ecs: once(async () => {
      const { createEcsClient, createEcsTarget } = await import('./ecs.js');
      return createEcsTarget(createEcsClient(region));
    }),
    lambda: once(async () => {
      const { createLambdaClient, createLambdaTarget } = await import('./lambda/index.js');
      return createLambdaTarget(createLambdaClient(region));
    }),
  };
}
