/**
 * The reads handlers make while planning, beyond what the targets read: env files (S3), images
 * (ECR) and parameter metadata (SSM). Each client is created on first use and reused for the
 * life of the container; its module is loaded only by the routes that read from it.
 */
import { once } from '../../shared/concurrency.js';
import type { EcrReads } from './ecr.js';
import type { S3Reads } from './s3.js';
import type { SsmReads } from './ssm.js';

export interface Reads {
  s3(): Promise<S3Reads>;
  ecr(): Promise<EcrReads>;
  ssm(): Promise<SsmReads>;
}

export function createAwsReads(region: string): Reads {
  return {
    s3: once(async () => {
      const { createS3Client, createS3Reads } = await import('./s3.js');
      return createS3Reads(createS3Client(region));
    }),
    ecr: once(async () => {
      const { createEcrClient, createEcrReads } = await import('./ecr.js');
      return createEcrReads(createEcrClient(region));
    }),
    ssm: once(async () => {
      const { createSsmClient, createSsmReads } = await import('./ssm.js');
      return createSsmReads(createSsmClient(region));
    }),
  };
}
