/**
 * The handler of Slack's interactions: a request to the Function URL (answered at once, see
 * src/interactions/click.ts) and the asynchronous invocation a click is handed off to (see
 * src/interactions/carryOut.ts). The answering path loads no deployment code: the actors of the
 * buttons are loaded in the asynchronous invocation only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { approvalRules } from '../approvals/buttons.js';
import { INTERACTION_LIMITS } from '../config/constants.js';
import { answerFunctionUrl } from '../interactions/click.js';
import { carryOutHandOff, type CarryOutResult } from '../interactions/carryOut.js';
import { isHandOffEvent, type ButtonRules, type ClickActors, type HandOff } from '../interactions/contract.js';
import { answer, readFunctionUrlRequest, type FunctionUrlAnswer } from '../interactions/http.js';
import { once } from '../shared/concurrency.js';
import { MetricName, type MetricSink } from '../shared/observability.js';
import { isSlackResponseUrl, replyEphemeral } from '../slack/interactions.js';
import { secretOf, secretSource } from '../shared/secrets.js';
import { publishMetrics, sharedRuntime } from './runtime.js';

const { config, configError, logger, metrics } = sharedRuntime();

const rules: ButtonRules = approvalRules(config?.approvers ?? []);
const signingSecret = config === undefined ? undefined : secretOf(config.slackSigningSecret, config.slackSigningSecretSsmParameter);
const secret = signingSecret === undefined ? undefined : secretSource(signingSecret);

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

/** The actors of the buttons, loaded in the asynchronous invocation only. */
function actorsOf(context: Context, counted: MetricSink): ClickActors {
  return async (actionId) => {
    if (config === undefined || rules(actionId) === undefined) return undefined;
    const { approvalActor } = await import('./approvals.js');
    return approvalActor({ config, log: logger, containerMetrics: metrics, metrics: counted, context });
  };
}

/**
 * The metrics of one invocation, dimensioned `trigger` = `interaction` from its first count: a
 * dimension is cleared only when metrics are published, which an invocation that counts nothing
 * does not do.
 */
function interactionMetrics(): MetricSink {
  let dimensioned = false;
  const dimension = () => {
    if (!dimensioned) metrics.setTrigger('interaction');
    dimensioned = true;
  };
  return {
    count: (name, value) => {
      dimension();
      metrics.count(name, value);
    },
    ofDeployment: (...args) => metrics.ofDeployment(...args),
    ofChannel: (...args) => metrics.ofChannel(...args),
    ofHookCheck: (...args) => metrics.ofHookCheck(...args),
  };
}

async function handleInteraction(event: unknown, context: Context): Promise<FunctionUrlAnswer | CarryOutResult> {
  const counted = interactionMetrics();
  const handingOff = isHandOffEvent(event);
  if (config === undefined) {
    counted.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    if (handingOff) throw configError ?? new Error('invalid configuration');
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
    return handingOff ? { status: 'refused', reason: 'no signing secret is configured' } : answer(404, 'not found');
  }
  if (handingOff) return carryOutHandOff(event, { rules, actors: actorsOf(context, counted), secret, log: logger, metrics: counted });
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
