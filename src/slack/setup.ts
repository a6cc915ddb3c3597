/**
 * Chooses the notifier for a configuration: Slack when enabled and a webhook is configured (as a
 * plain URL or an SSM SecureString name), otherwise debug logs only.
 */
import type { Config } from '../config.js';
import type { Log, MetricSink } from '../observability.js';
import { createLogOnlyNotifier, createSlackNotifier, type Notifier, type WebhookSource } from './notifier.js';

function webhookSource(config: Pick<Config, 'slackWebhookUrl' | 'slackWebhookSsmParameter'>): WebhookSource | undefined {
  const { slackWebhookUrl: url, slackWebhookSsmParameter: parameter } = config;
  if (url !== undefined) return async () => url;
  if (parameter !== undefined) {
    return async () => (await import('../aws/ssmParameter.js')).readSecureString(parameter);
  }
  return undefined;
}

export function createNotifier(config: Config, log: Log, metrics: MetricSink): Notifier {
  const webhook = webhookSource(config);
  if (!config.slackNotificationsEnabled || webhook === undefined) return createLogOnlyNotifier(log);
  return createSlackNotifier(webhook, { environment: config.projectEnv, log, metrics });
}
