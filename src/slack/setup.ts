/**
 * Slack (src/slack/): messages rendered as Block Kit (./messages.ts) and delivered within the
 * invocation's budget (src/shared/delivery.ts), by webhook (./notifier.ts) or bot token (./bot.ts:
 * one message per deployment, updated, with its thread). A slow or failing Slack never fails a
 * deployment.
 *
 * Chooses the notifier for a configuration: with Slack enabled, a bot token (`SLACK_BOT_TOKEN` or
 * its SSM parameter) wins over a webhook (`SLACK_WEBHOOK_URL` or its SSM parameter); without
 * either, debug logs only.
 */
import type { Config } from '../config/config.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { secretOf, secretSource, type Secret } from '../shared/secrets.js';
import { createSlackBotNotifier, type TokenSource } from './bot.js';
import { createLogOnlyNotifier, createSlackNotifier, type Notifier, type WebhookSource } from './notifier.js';

/**
 * How a configuration reaches Slack: with a bot token (it wins over a webhook, and needs a
 * channel), with a webhook, or not at all (notifications off, or neither configured).
 *
 * @example
 * slackRoute(config); // { via: 'bot token', channel: 'C0123456789', secret: { parameter: '/deploybridge/myproject/dev/slack-bot-token' } }
 */
export type SlackRoute = { via: 'bot token'; channel: string; secret: Secret } | { via: 'webhook'; secret: Secret } | { via: 'off' };

/** The route {@link createNotifier} takes for a configuration; callers that describe it use this too. */
export function slackRoute(config: Config): SlackRoute {
  if (!config.slackNotificationsEnabled) return { via: 'off' };
  const token = secretOf(config.slackBotToken, config.slackBotTokenSsmParameter);
  if (token !== undefined && config.slackChannel !== undefined) return { via: 'bot token', channel: config.slackChannel, secret: token };
  const webhook = secretOf(config.slackWebhookUrl, config.slackWebhookSsmParameter);
  if (webhook !== undefined) return { via: 'webhook', secret: webhook };
  return { via: 'off' };
}

export function createNotifier(config: Config, log: Log, metrics: MetricSink): Notifier {
  const context = { environment: config.projectEnv, log, metrics };
  const route = slackRoute(config);
  if (route.via === 'bot token') {
    const token: TokenSource = secretSource(route.secret);
    return createSlackBotNotifier({ token, channel: route.channel, apiUrl: config.slackApiUrl }, context);
  }
  if (route.via === 'webhook') {
    const webhook: WebhookSource = secretSource(route.secret);
    return createSlackNotifier(webhook, context);
  }
  return createLogOnlyNotifier(log);
}
