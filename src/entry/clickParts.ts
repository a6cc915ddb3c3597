/**
 * What every button's actor stands on in the asynchronous invocation a click was handed off to:
 * the deployments table, the channels, and the reply only the person who clicked sees. Composed
 * once per container, whichever button is clicked first, and shared by the approval buttons
 * (./approvals.ts) and the rollout buttons (./rollouts.ts).
 */
import { createChannelNotifier } from '../channels/setup.js';
import type { Config } from '../config/config.js';
import { FOLLOW_DEFAULTS, INTERACTION_LIMITS } from '../config/constants.js';
import type { DeploymentJournal } from '../following/journal.js';
import { createDynamoDbJournal } from '../following/store.js';
import type { ClickActor } from '../interactions/contract.js';
import type { AppMetrics, Log } from '../shared/observability.js';
import { isSlackResponseUrl, replyEphemeral, type ButtonClick } from '../slack/interactions.js';
import type { Notifier } from '../slack/notifier.js';

export interface ClickParts {
  journal: DeploymentJournal;
  notifier: Notifier;
  /** Tells only the person who clicked, through the click's `response_url` when it is Slack's. */
  reply: (click: ButtonClick, text: string) => Promise<void>;
}

let composed: ClickParts | undefined;

/**
 * The container's click parts, composed with the first click.
 *
 * @example
 * const { journal, notifier, reply } = clickParts(config, log, containerMetrics);
 */
export function clickParts(config: Config, log: Log, containerMetrics: AppMetrics): ClickParts {
  const { deploymentsTable } = config;
  if (deploymentsTable === undefined) throw new Error('APPROVERS without DEPLOYMENTS_TABLE: the configuration should have refused it');
  composed ??= {
    notifier: createChannelNotifier(config, log, containerMetrics),
    journal: createDynamoDbJournal({ tableName: deploymentsTable, region: config.region, ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds }),
    reply: async (click, text) => {
      const url = click.responseUrl;
      if (url !== undefined && isSlackResponseUrl(url, config.slackApiUrl))
        await replyEphemeral(url, text, INTERACTION_LIMITS.replyTimeoutMs);
    },
  };
  return composed;
}

/**
 * `actor`, resolving only once every message it sent is delivered (or given up): the invocation
 * ends with it.
 *
 * @example
 * return flushedAfter(decide, notifier);
 */
export function flushedAfter(actor: ClickActor, notifier: Notifier): ClickActor {
  return async (click, details) => {
    try {
      await actor(click, details);
    } finally {
      await notifier.flush();
    }
  };
}
