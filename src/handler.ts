/**
 * The handler behind the entry point (src/index.ts): one EventBridge event per invocation.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { App, type HandleResult } from './app.js';
import { createDynamoDbGuard } from './idempotency.js';
import { MetricName } from './observability.js';
import { startRuntime } from './runtime.js';
import { createNotifier } from './slack/setup.js';
import { createAwsTargets } from './targets/aws.js';

const runtime = startRuntime();
const { config, configError, logger, metrics } = runtime;

function createApp(): App | undefined {
  if (config === undefined) return undefined;
  const guard = config.idempotencyTable === undefined ? undefined : createDynamoDbGuard({ tableName: config.idempotencyTable, ttlSeconds: config.idempotencyTtlSeconds, region: config.region });
  return new App({ config, log: logger, metrics, notifier: createNotifier(config, logger, metrics), targets: createAwsTargets(config), guard });
}

const app = createApp();

async function handleEvent(event: unknown): Promise<HandleResult> {
  if (app === undefined) {
    metrics.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    return { status: 'rejected', eventId: undefined, reason: 'invalid configuration' };
  }
  return app.handle(event);
}

export const handler = middy(handleEvent)
  .use(injectLambdaContext(logger.powertools))
  .use(logMetrics(metrics.powertools, { throwOnEmptyMetrics: false }));
