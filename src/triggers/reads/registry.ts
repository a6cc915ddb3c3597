/**
 * The reads triggers make while planning, and only while planning: what a service would deploy
 * (ECS task definitions, Lambda function images), env files (S3), images (ECR) and parameter
 * metadata (SSM). Each reader is created on first use, on the container's shared client of its
 * service: the SDK's client and commands load then, only on the routes that read from it (the
 * readers' own code, a few KB, loads with the triggers). Targets make their own reads when they
 * prepare a deployment; these never change AWS.
 */
import type { AwsClients } from '../../aws/clients.js';
import { once } from '../../shared/concurrency.js';
import { createEcrReads, type EcrReads } from './ecr.js';
import { createEcsReads, type EcsReads } from './ecs.js';
import { createLambdaReads, type LambdaReads } from './lambda.js';
import { createS3Reads, type S3Reads } from './s3.js';
import { createSsmReads, type SsmReads } from './ssm.js';

export interface Reads {
  ecs(): Promise<EcsReads>;
  lambda(): Promise<LambdaReads>;
  s3(): Promise<S3Reads>;
  ecr(): Promise<EcrReads>;
  ssm(): Promise<SsmReads>;
}

/**
 * The planning reads on the container's clients.
 *
 * @example
 * const reads = createAwsReads(createAwsClients('eu-west-1'));
 * await (await reads.ssm()).parameterChange('/dev/myproject/api/DB_HOST');
 */
export function createAwsReads(clients: AwsClients): Reads {
  return {
    ecs: once(async () => createEcsReads(await clients.ecs())),
    lambda: once(async () => createLambdaReads(await clients.lambda())),
    s3: once(async () => createS3Reads(await clients.s3())),
    ecr: once(async () => createEcrReads(await clients.ecr())),
    ssm: once(async () => createSsmReads(await clients.ssm())),
  };
}
