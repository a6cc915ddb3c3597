/**
 * The Approve and Reject buttons' actor, composed in the asynchronous invocation a click was handed
 * off to (src/entry/interactions.ts loads this module there only): the decision
 * (src/approvals/decide.ts) on the deployments table, and an approved request carried out by the
 * App as any deployment is.
 */
import type { Context } from 'aws-lambda';
import { createDecisionActor } from '../approvals/decide.js';
import type { Config } from '../config/config.js';
import { INTERACTION_LIMITS } from '../config/constants.js';
import type { ClickActor } from '../interactions/contract.js';
import type { AppMetrics, Log, MetricSink } from '../shared/observability.js';
import { isSlackResponseUrl, replyEphemeral } from '../slack/interactions.js';
import { composeApp, type ComposedApp } from './compose.js';

/** The container's App, composed with the first click. */
let composed: ComposedApp | undefined;

export interface ApprovalActorParts {
  config: Config;
  log: Log;
  /** The container's metrics (the App's), and the invocation's (the decisions'). */
  containerMetrics: AppMetrics;
  metrics: MetricSink;
  /** The invocation's: an approved deployment is not started with too little of it left. */
  context: Context | undefined;
}

/**
 * The actor of the approval buttons for one invocation. Every Slack message it sends is delivered
 * (or given up) before it resolves.
 *
 * @example
 * const actor = approvalActor({ config, log, containerMetrics, metrics, context });
 * await actor(click, { requestId }); // decided; approved → deployed
 */
export function approvalActor(parts: ApprovalActorParts): ClickActor {
  const { config, log, metrics, context } = parts;
  composed ??= composeApp(config, log, parts.containerMetrics);
  const { app, notifier, journal } = composed;
  if (journal === undefined) throw new Error('APPROVERS without DEPLOYMENTS_TABLE: the configuration should have refused it');
  const decide = createDecisionActor({
    config,
    journal,
    notifier,
    log,
    metrics,
    deploy: (approval) => app.carryOutApproved(approval, context),
    reply: async (click, text) => {
      const url = click.responseUrl;
      if (url !== undefined && isSlackResponseUrl(url, config.slackApiUrl))
        await replyEphemeral(url, text, INTERACTION_LIMITS.replyTimeoutMs);
    },
  });
  return async (click, details) => {
    try {
      await decide(click, details);
    } finally {
      await notifier.flush();
    }
  };
}
