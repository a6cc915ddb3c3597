/**
 * Chooses the notifier for a configuration: with Slack enabled, a bot token (`SLACK_BOT_TOKEN` or
 * its SSM parameter) wins over a webhook (`SLACK_WEBHOOK_URL` or its SSM parameter); without
 * either, debug logs only.
 */
import type { Config } from '../config.js';
import type { Log, MetricSink } from '../observability.js';
import { createSlackBotNotifier, type TokenSource } from './bot.js';
import { createLogOnlyNotifier, createSlackNotifier, type Notifier, type WebhookSource } from './notifier.js';

/** A secret given as a value, or as the name of an SSM SecureString read on first use (cached). */
function secret(value: string | undefined, parameter: string | undefined): (() => Promise<string>) | undefined {
  if (value !== undefined) return async () => value;
  if (parameter !== undefined) {
    return async () => (await import('../aws/ssmParameter.js')).readSecureString(parameter);
  }
  return undefined;
}

export function createNotifier(config: Config, log: Log, metrics: MetricSink): Notifier {
  const context = { environment: config.projectEnv, log, metrics };
  const token: TokenSource | undefined = secret(config.slackBotToken, config.slackBotTokenSsmParameter);
  const webhook: WebhookSource | undefined = secret(config.slackWebhookUrl, config.slackWebhookSsmParameter);
  if (!config.slackNotificationsEnabled) return createLogOnlyNotifier(log);
  if (token !== undefined && config.slackChannel !== undefined) return createSlackBotNotifier({ token, channel: config.slackChannel, apiUrl: config.slackApiUrl }, context);
  if (webhook !== undefined) return createSlackNotifier(webhook, context);
  return createLogOnlyNotifier(log);
}
