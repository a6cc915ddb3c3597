/**
 * The doors to AWS (src/aws/): one module per SDK package (./ecs.ts, ./lambda.ts, ./s3.ts, ./ecr.ts, ./sns.ts,
 * ./dynamodb.ts, ./ssmMetadata.ts, ./ssmParameter.ts) re-exports just the client and commands deploybridge uses,
 * so each route loads the SDK it calls and no other.
 *
 * The SDK clients of one container, one per AWS service, each created (and its SDK module loaded)
 * on first use, then shared by everything that calls that service: the ECS client serves the
 * planning reads, the ECS target and the follower's failure evidence alike, so a route opens one
 * connection per service. Each client honours `AWS_ENDPOINT_URL` and the SDK's own retries.
 */
import { once } from '../shared/concurrency.js';
import type { CloudWatchClient } from './cloudwatch.js';
import type { ECRClient } from './ecr.js';
import type { ECSClient } from './ecs.js';
import type { LambdaClient } from './lambda.js';
import type { S3Client } from './s3.js';
import type { SSMClient } from './ssmMetadata.js';

export interface AwsClients {
  readonly ecs: () => Promise<ECSClient>;
  readonly lambda: () => Promise<LambdaClient>;
  readonly ecr: () => Promise<ECRClient>;
  readonly s3: () => Promise<S3Client>;
  /** Parameter metadata only (`DescribeParameters`); the Slack webhook is read apart (./ssmParameter.ts). */
  readonly ssm: () => Promise<SSMClient>;
  /** Alarms (`DescribeAlarms`), for the ECS lifecycle hook only. */
  readonly cloudwatch: () => Promise<CloudWatchClient>;
}

/**
 * The clients for a region, each created on first use.
 *
 * @example
 * const clients = createAwsClients('eu-west-1');
 * await clients.ecs(); // the same ECSClient for every caller in this container
 */
export function createAwsClients(region: string): AwsClients {
  return {
    ecs: once(async () => new (await import('./ecs.js')).ECSClient({ region })),
    lambda: once(async () => new (await import('./lambda.js')).LambdaClient({ region })),
    ecr: once(async () => new (await import('./ecr.js')).ECRClient({ region })),
    s3: once(async () => new (await import('./s3.js')).S3Client({ region })),
    ssm: once(async () => new (await import('./ssmMetadata.js')).SSMClient({ region })),
    cloudwatch: once(async () => new (await import('./cloudwatch.js')).CloudWatchClient({ region })),
  };
}
