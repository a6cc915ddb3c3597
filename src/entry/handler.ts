/**
 * The handler behind the entry point (src/index.ts): one EventBridge event per invocation, or an
 * SQS batch of them (the coalescing queue), answered with the records to retry.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { App, type HandleResult } from './app.js';
import { isSqsBatch } from '../deploy/batch/sqs.js';
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { createDynamoDbJournal } from '../following/store.js';
import { createDynamoDbGuard } from '../deploy/idempotency/dynamodb.js';
import { MetricName } from '../shared/observability.js';
import { publishMetrics, sharedRuntime } from './runtime.js';
import { createNotifier } from '../slack/setup.js';
import { createAwsReads } from '../triggers/reads/registry.js';
import { createAwsTargets } from '../targets/registry.js';

const runtime = sharedRuntime();
const { config, configError, logger, metrics } = runtime;

function createApp(): App | undefined {
  if (config === undefined) return undefined;
  const guard =
    config.idempotencyTable === undefined
      ? undefined
      : createDynamoDbGuard({ tableName: config.idempotencyTable, ttlSeconds: config.idempotencyTtlSeconds, region: config.region });
  const journal =
    config.deploymentsTable === undefined
      ? undefined
      : createDynamoDbJournal({ tableName: config.deploymentsTable, region: config.region, ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds });
  return new App({
    config,
    log: logger,
    metrics,
    notifier: createNotifier(config, logger, metrics),
    targets: createAwsTargets(config.region),
    reads: createAwsReads(config.region),
    guard,
    journal,
  });
}

const app = createApp();

/**
 * With an invalid configuration nothing is deployed and the invocation fails with the one-line list
 * of problems: the event goes to the on-failure destination (to replay once fixed) and the Errors
 * alarm fires, rather than every event being consumed in silence.
 */
async function handleEvent(event: unknown, context: Context): Promise<HandleResult | SQSBatchResponse> {
  if (app === undefined) {
    metrics.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    throw configError ?? new Error('invalid configuration');
  }
  return isSqsBatch(event) ? app.handleBatch(event, context) : app.handle(event, context);
}

export const handler = middy(handleEvent).use(injectLambdaContext(logger.powertools)).use(publishMetrics(metrics.powertools));
