/**
 * The handler behind the entry point (src/index.ts): one EventBridge event per invocation, or an
 * SQS batch of them (the coalescing queue), answered with the records to retry; ECS's call of a
 * lifecycle hook; and a Slack click the Function URL handed off (./clicks.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { App, HandleResult } from './app.js';
import { carryOutClick } from './clicks.js';
import { createApp } from './createApp.js';
import type { CarryOutResult } from '../interactions/carryOut.js';
import { isHandOffEvent } from '../interactions/contract.js';
import { isSqsBatch } from '../deploy/batch/sqs.js';
import type { HookAnswer } from '../rollout/hook.js';
import { isLifecycleHookInvocation } from '../triggers/events.js';
import { MetricName } from '../shared/observability.js';
import { maskText } from '../shared/redact.js';
import { mapStack } from '../shared/stackTrace.js';
import { publishMetrics, sharedRuntime } from './runtime.js';

const runtime = sharedRuntime();
const { config, configError, logger, metrics } = runtime;

/** The container's App, composed with its first event (a handed-off click composes its own: ./clicks.ts). */
let containerApp: App | undefined;
const appOf = () => (config === undefined ? undefined : (containerApp ??= createApp(config, { log: logger, metrics })));

/**
 * With an invalid configuration nothing is deployed and the invocation fails with the one-line list
 * of problems: the event goes to the on-failure destination (to replay once fixed) and the Errors
 * alarm fires, rather than every event being consumed in silence.
 */
async function handleEvent(event: unknown, context: Context): Promise<HandleResult | SQSBatchResponse | HookAnswer | CarryOutResult> {
  if (isHandOffEvent(event)) return carryOutClick(event, context, runtime);
  const app = appOf();
  if (isLifecycleHookInvocation(event)) {
    if (app !== undefined) return app.handleHook(event, context);
    // ECS gets an answer, not an exception: a gate that cannot check does not let traffic through.
    metrics.count(MetricName.ConfigInvalid);
    logger.error(`lifecycle hook failed: ${configError?.message ?? 'invalid configuration'}`, { problems: configError?.problems });
    return { hookStatus: 'FAILED' };
  }
  if (app === undefined) {
    metrics.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    throw configError ?? new Error('invalid configuration');
  }
  return isSqsBatch(event) ? app.handleBatch(event, context) : app.handle(event, context);
}

/**
 * Masks the error a failed invocation throws ({@link maskText}), as every log line is: the Lambda
 * runtime writes its name, message and stack to the log, and an AWS error that must be retried is
 * rethrown as it came, quoting whatever the request held. Its stack's frames in deploybridge's code
 * are mapped to their source lines ({@link mapStack}).
 */
function maskThrownError(): MiddlewareObj {
  return {
    onError: async (request) => {
      const { error } = request;
      if (!(error instanceof Error)) return;
      error.message = maskText(error.message);
      if (error.stack !== undefined) error.stack = maskText(mapStack(error.stack));
    },
  };
}

export const handler = middy(handleEvent)
  .use(injectLambdaContext(logger.powertools))
  .use(publishMetrics(metrics.powertools))
  .use(maskThrownError());
