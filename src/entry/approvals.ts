/**
 * The Approve and Reject buttons' actor, composed in the asynchronous invocation a click was handed
 * off to (./clicks.ts): the decision
 * (src/approvals/decide.ts) on the deployments table, and an approved request carried out by the
 * App (./createApp.ts) as any deployment is.
 */
import type { Context } from 'aws-lambda';
import { createDecisionActor } from '../approvals/decide.js';
import type { Config } from '../config/config.js';
import type { ClickActor } from '../interactions/contract.js';
import type { AppMetrics, Log, MetricSink } from '../shared/observability.js';
import type { App } from './app.js';
import { clickParts, flushedAfter } from './clickParts.js';
import { createApp } from './createApp.js';

/** The container's App, composed with the first click on an approval button. */
let app: App | undefined;

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
  const { journal, notifier, reply } = clickParts(config, log, parts.containerMetrics);
  app ??= createApp(config, { log, metrics: parts.containerMetrics, notifier, journal });
  const carryOut = app;
  const decide = createDecisionActor({
    config,
    journal,
    notifier,
    log,
    metrics,
    deploy: (approval) => carryOut.carryOutApproved(approval, context),
    reply,
  });
  return flushedAfter(decide, notifier);
}
