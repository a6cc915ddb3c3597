/**
 * The asynchronous invocation a click on a Slack button was handed off to, once ./interactions.ts
 * answered Slack. The click is verified again and carried out by its button's actor (./approvals.ts
 * or ./rollouts.ts). It runs with the deployment code, in the handler's invocation (./handler.ts):
 * the Function URL's answer loads none of it.
 */
import type { Context } from 'aws-lambda';
import { carryOutHandOff, type CarryOutResult } from '../interactions/carryOut.js';
import type { ClickActors } from '../interactions/contract.js';
import { MetricName } from '../shared/observability.js';
import { approvalActor } from './approvals.js';
import { buttonsOf, interactionMetrics } from './buttons.js';
import { rolloutActor } from './rollouts.js';
import type { Runtime } from './runtime.js';

/**
 * Carries out a handed-off click: refused (logged, counted, the invocation ends normally) unless it
 * verifies. An invalid configuration, and what an actor throws, fail the invocation.
 *
 * @example
 * await carryOutClick(handOff, context, sharedRuntime()); // { status: 'carried out', action: 'deploybridge.approve' }
 */
export async function carryOutClick(event: unknown, context: Context | undefined, runtime: Runtime): Promise<CarryOutResult> {
  const { config, configError, logger, metrics } = runtime;
  const counted = interactionMetrics(metrics);
  if (config === undefined) {
    counted.count(MetricName.ConfigInvalid);
    logger.error(configError?.message ?? 'invalid configuration', { problems: configError?.problems });
    throw configError ?? new Error('invalid configuration');
  }
  const { rules, rollouts, secret } = buttonsOf(config);
  if (secret === undefined) {
    // No signing secret: nothing can be verified, so nothing is carried out.
    counted.count(MetricName.InteractionsRejected);
    logger.warn('hand-off refused: no signing secret is configured (SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_SSM_PARAMETER)');
    return { status: 'refused', reason: 'no signing secret is configured' };
  }
  const actors: ClickActors = async (actionId) => {
    if (rules(actionId) === undefined) return undefined;
    if (rollouts(actionId) !== undefined) return rolloutActor({ config, log: logger, containerMetrics: metrics });
    return approvalActor({ config, log: logger, containerMetrics: metrics, metrics: counted, context });
  };
  return carryOutHandOff(event, { rules, actors, secret, log: logger, metrics: counted });
}
