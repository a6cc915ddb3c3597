/**
 * Deployment targets on the real AWS SDK. Each client is created on first use and then reused for
 * the life of the container; its module is loaded only by the routes that deploy to it.
 */
import type { Config } from '../config.js';
import type { Targets } from '../deployer.js';
import type { EcsApi } from './ecs.js';
import type { LambdaApi } from './lambda.js';

function once<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

export function createAwsTargets(config: Pick<Config, 'region'>): Targets {
  return {
    ecs: once<EcsApi>(async () => {
      const { createEcsApi, createEcsClient } = await import('./ecs.js');
      return createEcsApi(createEcsClient(config.region));
    }),
    lambda: once<LambdaApi>(async () => {
      const { createLambdaApi, createLambdaClient } = await import('./lambda.js');
      return createLambdaApi(createLambdaClient(config.region));
    }),
  };
}
