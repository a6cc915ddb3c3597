/**
 * Small programs run twice by test/bundle/lambda-bundle.test.ts: bundled with the Lambda build's
 * settings (build.mjs) in a child `node` process, and from source in the test, against the same
 * server on 127.0.0.1 (AWS_ENDPOINT_URL). What they answer is compared.
 */
import { ClusterNotFoundException, ECSServiceException } from '@aws-sdk/client-ecs';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { ECSClient, ListTasksCommand } from '../../src/aws/ecs.js';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '../../src/aws/s3.js';

/** An error as the probes report it. */
function failure(error: unknown) {
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode };
}

/** One ECS call: whether it was sent (the server records which key signed it) or why not. */
export async function ecsCall(): Promise<unknown> {
  const ecs = new ECSClient({ region: 'us-east-1' });
  try {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'myproject_cluster_dev' }));
    return { taskArns };
  } catch (error) {
    return { error: failure(error) };
  }
}

/**
 * ECS errors as a caller sees them: one ListTasks models (ClusterNotFoundException) and one it does
 * not (TargetNotFoundException, another operation's), which the Lambda bundle registers for no command.
 */
export async function ecsErrors(): Promise<unknown> {
  const ecs = new ECSClient({ region: 'us-east-1', maxAttempts: 1 });
  const attempt = (cluster: string) =>
    ecs.send(new ListTasksCommand({ cluster })).then(
      () => undefined,
      (error: unknown) => ({
        ...failure(error),
        isServiceException: error instanceof ECSServiceException,
        isClusterNotFound: error instanceof ClusterNotFoundException,
      }),
    );
  return { modeled: await attempt('missing_cluster'), other: await attempt('unlisted_error') };
}

/** An env file as the S3 trigger reads it: one version, the version list, and a key that does not exist. */
export async function s3Reads(): Promise<unknown> {
  const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  const object = await s3.send(new GetObjectCommand({ Bucket: 'myproject-config-dev', Key: 'api/.env', VersionId: 'v2' }));
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'myproject-config-dev', Prefix: 'api/.env' }));
  const missing = await s3.send(new GetObjectCommand({ Bucket: 'myproject-config-dev', Key: 'missing/.env' })).then(
    () => undefined,
    (error: unknown) => ({ ...failure(error), isNoSuchKey: error instanceof NoSuchKey }),
  );
  return {
    body: await object.Body?.transformToString(),
    versionId: object.VersionId,
    contentLength: object.ContentLength,
    contentType: object.ContentType,
    isTruncated: listed.IsTruncated,
    versions: listed.Versions?.map((v) => ({
      key: v.Key,
      versionId: v.VersionId,
      isLatest: v.IsLatest,
      lastModified: v.LastModified?.toISOString(),
      size: v.Size,
    })),
    deleteMarkers: listed.DeleteMarkers?.map((m) => ({ key: m.Key, versionId: m.VersionId, isLatest: m.IsLatest })),
    missing,
  };
}

/**
 * The error the configuration throws without settings (a frame in src/config/config.ts): its stack
 * as V8 wrote it, and as a log line writes it (errorFields).
 */
export async function configErrorStack(): Promise<unknown> {
  const { loadConfig } = await import('../../src/config/config.js');
  const { errorFields } = await import('../../src/shared/errors.js');
  try {
    loadConfig({});
    return { thrown: false };
  } catch (error) {
    return { stack: (error as Error).stack, logged: errorFields(error).error_stack };
  }
}

/**
 * DynamoDB as deploybridge uses it (AWS_ENDPOINT_URL: a DynamoDB server with the table
 * `deploybridge-idempotency`): the Powertools guard runs a deployment once and skips its repeat,
 * and the deployments journal writes an entry, refuses a second first write (a conditional check
 * that failed), and reads it back.
 */
export async function dynamoDbUses(): Promise<unknown> {
  const { createPowertoolsGuard } = await import('../../src/deploy/idempotency/powertools.js');
  const { createDynamoDbStore } = await import('../../src/following/dynamodb.js');
  const tableName = 'deploybridge-idempotency';
  const guard = createPowertoolsGuard({ tableName, ttlSeconds: 3600, region: 'us-east-1' });
  const deploy = async () => ({ status: 'started' });
  const first = await guard.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true);
  const repeat = await guard.once('evt-1', 'ecs:myproject_cluster_dev/myproject_service_api_dev', deploy, () => true);
  const journal = createDynamoDbStore({ tableName, ttlSeconds: 3600, region: 'us-east-1' });
  const entry = { type: 'latest', deploymentId: 'ecs-svc/1234567890123456789' } as const;
  const written = await journal.write('latest#myproject_service_api_dev', entry, undefined);
  const writtenAgain = await journal.write('latest#myproject_service_api_dev', entry, undefined);
  const read = await journal.read('latest#myproject_service_api_dev');
  return { first, repeat, written, writtenAgain, read };
}

/** The alarms the ECS lifecycle hook checks, as CloudWatch's DescribeAlarms returns them. */
export async function cloudWatchAlarms(): Promise<unknown> {
  const { CloudWatchClient, DescribeAlarmsCommand } = await import('../../src/aws/cloudwatch.js');
  const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
  const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['api-5xx', 'api-latency'] }));
  return MetricAlarms?.map((a) => ({ name: a.AlarmName, state: a.StateValue, since: a.StateUpdatedTimestamp?.toISOString() }));
}
