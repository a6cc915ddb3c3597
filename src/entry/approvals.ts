/**
 * The Approve and Reject buttons' actor, composed in the asynchronous invocation a click was handed
 * off to (src/entry/interactions.ts loads this module there only): the decision
 * (src/approvals/decide.ts) on the deployments table, and an approved request carried out by the
 * App (./createApp.ts) as any deployment is.
 */
import type { Context } from 'aws-lambda';
import { createDecisionActor } from '../approvals/decide.js';
import type { Config } from '../config/config.js';
import { FOLLOW_DEFAULTS, INTERACTION_LIMITS } from '../config/constants.js';
import type { DeploymentJournal } from '../following/journal.js';
import { createDynamoDbJournal } from '../following/store.js';
import type { ClickActor } from '../interactions/contract.js';
import type { AppMetrics, Log, MetricSink } from '../shared/observability.js';
import { isSlackResponseUrl, replyEphemeral } from '../slack/interactions.js';
import type { Notifier } from '../slack/notifier.js';
import { createChannelNotifier } from '../channels/setup.js';
import type { App } from './app.js';
import { createApp } from './createApp.js';

/** The container's App and what a decision stands on, composed with the first click. */
let composed: { app: App; notifier: Notifier; journal: DeploymentJournal } | undefined;

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
  const { deploymentsTable } = config;
  if (deploymentsTable === undefined) throw new Error('APPROVERS without DEPLOYMENTS_TABLE: the configuration should have refused it');
  if (composed === undefined) {
    const notifier = createChannelNotifier(config, log, parts.containerMetrics);
    const journal = createDynamoDbJournal({
      tableName: deploymentsTable,
      region: config.region,
      ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds,
    });
    composed = { app: createApp(config, { log, metrics: parts.containerMetrics, notifier, journal }), notifier, journal };
  }
  const { app, notifier, journal } = composed;
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
