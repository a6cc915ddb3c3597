/**
 * The reads triggers make while planning, and only while planning: what a service would deploy
 * (ECS task definitions, Lambda function images), env files (S3), images (ECR) and parameter
 * metadata (SSM). Each reader is created on first use, on the container's shared client of its
 * service, and its module is loaded only by the routes that read from it. Targets make their own
 * reads when they prepare a deployment; these never change AWS.
 */
import type { AwsClients } from '../../aws/clients.js';
import { once } from '../../shared/concurrency.js';
import type { EcrReads } from './ecr.js';
import type { EcsReads } from './ecs.js';
import type { LambdaReads } from './lambda.js';
import type { S3Reads } from './s3.js';
import type { SsmReads } from './ssm.js';

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
    ecs: once(async () => (await import('./ecs.js')).createEcsReads(await clients.ecs())),
    lambda: once(async () => (await import('./lambda.js')).createLambdaReads(await clients.lambda())),
    s3: once(async () => (await import('./s3.js')).createS3Reads(await clients.s3())),
    ecr: once(async () => (await import('./ecr.js')).createEcrReads(await clients.ecr())),
    ssm: once(async () => (await import('./ssm.js')).createSsmReads(await clients.ssm())),
  };
}
