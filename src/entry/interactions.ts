/**
 * The handler of Slack's requests to the Function URL: each is answered at once (see
 * src/interactions/click.ts), and a click to carry out is handed off to an asynchronous invocation
 * of this function, which ./handler.ts takes (./clicks.ts). This path loads no deployment code.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { INTERACTION_LIMITS } from '../config/constants.js';
import { answerFunctionUrl } from '../interactions/click.js';
import type { HandOff } from '../interactions/contract.js';
import { answer, readFunctionUrlRequest, type FunctionUrlAnswer } from '../interactions/http.js';
import { once } from '../shared/concurrency.js';
import { MetricName } from '../shared/observability.js';
import { isSlackResponseUrl, replyEphemeral } from '../slack/interactions.js';
import { buttonsOf, interactionMetrics } from './buttons.js';
import { publishMetrics, sharedRuntime } from './runtime.js';

const { config, configError, logger, metrics } = sharedRuntime();
const { rules, secret } = buttonsOf(config);

/** The Lambda client of the hand-off, created on the first click. */
const lambda = once(async () => {
  const { LambdaClient } = await import('../aws/lambda.js');
  return new LambdaClient({ region: config?.region });
});

/** Invokes this very function asynchronously (`InvocationType` `Event`): Lambda answers once it has queued the event. */
async function handOff(event: HandOff): Promise<void> {
  const functionName = config?.functionName;
  if (functionName === undefined) throw new Error('AWS_LAMBDA_FUNCTION_NAME is not set: the click cannot be handed off');
  const [client, { InvokeCommand }] = await Promise.all([lambda(), import('../aws/lambda.js')]);
  await client.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
}

async function handleInteraction(event: unknown): Promise<FunctionUrlAnswer> {
  const counted = interactionMetrics(metrics);
  if (config === undefined) {
    counted.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    return answer(503, 'unavailable');
  }
  if (secret === undefined) {
    // No signing secret: nothing can be verified, so nothing is listened to.
    counted.count(MetricName.InteractionsRejected);
    const request = readFunctionUrlRequest(event, INTERACTION_LIMITS.maxBodyBytes);
    logger.warn('interaction refused: no signing secret is configured (SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_SSM_PARAMETER)', {
      request_id: request.requestId,
      source_ip: request.sourceIp,
      status: 404,
    });
    return answer(404, 'not found');
  }
  return answerFunctionUrl(event, {
    rules,
    secret,
    handOff,
    reply: replyEphemeral,
    repliesTo: (url) => isSlackResponseUrl(url, config.slackApiUrl),
    log: logger,
    metrics: counted,
  });
}

export const handler = middy(handleInteraction).use(injectLambdaContext(logger.powertools)).use(publishMetrics(metrics.powertools));
