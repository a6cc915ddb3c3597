/**
 * What the two halves of a click share: the Function URL's answer (./interactions.ts) and the
 * carrying out of the click it handed off (./clicks.ts) recognise the same buttons, verify with
 * the same signing secret and count under the same `interaction` dimension.
 */
import { approvalRules } from '../approvals/buttons.js';
import type { Config } from '../config/config.js';
import type { ButtonRules } from '../interactions/contract.js';
import { rolloutRules } from '../interactions/rollout.js';
import type { AppMetrics, MetricSink } from '../shared/observability.js';
import { secretOf, secretSource } from '../shared/secrets.js';

export interface Buttons {
  /** Every button deploybridge acts on: the approval buttons, then the rollout buttons. */
  rules: ButtonRules;
  /** The rollout buttons alone (Continue, Roll back): their actor is another. */
  rollouts: ButtonRules;
  /** The signing secret, read on first use; undefined when none is configured (nothing is listened to). */
  secret: (() => Promise<string>) | undefined;
}

/** The buttons last made, and the configuration they were made of. */
let made: { config: Config | undefined; buttons: Buttons } | undefined;

/**
 * The buttons of a configuration (none without one), made once per configuration: a container
 * that answers a click and carries it out reads the signing secret once.
 *
 * @example
 * const { rules, secret } = buttonsOf(config);
 * rules('deploybridge.approve')?.allows('U012ABC'); // true for a named approver
 */
export function buttonsOf(config: Config | undefined): Buttons {
  if (made !== undefined && made.config === config) return made.buttons;
  const approvals = approvalRules(config?.approvers ?? []);
  const rollouts = rolloutRules(config?.approvers ?? []);
  const signingSecret = config === undefined ? undefined : secretOf(config.slackSigningSecret, config.slackSigningSecretSsmParameter);
  const buttons: Buttons = {
    rules: (actionId) => approvals(actionId) ?? rollouts(actionId),
    rollouts,
    secret: signingSecret === undefined ? undefined : secretSource(signingSecret),
  };
  made = { config, buttons };
  return buttons;
}

/**
 * The metrics of one invocation, dimensioned `trigger` = `interaction` from its first count: a
 * dimension is cleared only when metrics are published, which an invocation that counts nothing
 * does not do.
 */
export function interactionMetrics(metrics: MetricSink & Pick<AppMetrics, 'setTrigger'>): MetricSink {
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
