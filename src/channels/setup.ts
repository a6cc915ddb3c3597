/**
 * The channels of a configuration: Slack as src/slack/setup.ts chooses it, and each channel besides
 * it that is configured (Teams, Google Chat, the signed webhook, SNS), with what it hears.
 */
import type { Config } from '../config/config.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { secretOf, secretSource, type Secret } from '../shared/secrets.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
import type { Channel } from './channel.js';
import { createGoogleChatChannel } from './googleChat.js';
import { createFanOutNotifier, slackMetrics } from './notifier.js';
import { createSnsChannel } from './sns.js';
import { createTeamsChannel } from './teams.js';
import { createWebhookChannel } from './webhook.js';

/**
 * How a configuration reaches one channel besides Slack: its secrets (values or SSM parameters)
 * or topic, and its `…_EVENTS` (empty: everything).
 *
 * @example
 * channelRoutes(config); // [{ name: 'teams', url: { parameter: '/deploybridge/myproject/dev/teams-webhook-url' }, events: [] }]
 */
export type ChannelRoute =
  | { name: 'teams'; url: Secret; events: string[] }
  | { name: 'google_chat'; url: Secret; events: string[] }
  | { name: 'webhook'; url: Secret; secret: Secret; events: string[] }
  | { name: 'sns'; topicArn: string; events: string[] };

/** The channels besides Slack a configuration sets, in the order of CHANNEL_NAMES. */
export function channelRoutes(config: Config): ChannelRoute[] {
  const { teams, googleChat, webhook, sns } = config.channels;
  const routes: ChannelRoute[] = [];
  const teamsUrl = secretOf(teams.webhookUrl, teams.webhookSsmParameter);
  if (teamsUrl !== undefined) routes.push({ name: 'teams', url: teamsUrl, events: teams.events });
  const chatUrl = secretOf(googleChat.webhookUrl, googleChat.webhookSsmParameter);
  if (chatUrl !== undefined) routes.push({ name: 'google_chat', url: chatUrl, events: googleChat.events });
  const webhookUrl = secretOf(webhook.url, webhook.ssmParameter);
  const signingSecret = secretOf(webhook.secret, webhook.secretSsmParameter);
  if (webhookUrl !== undefined && signingSecret !== undefined)
    routes.push({ name: 'webhook', url: webhookUrl, secret: signingSecret, events: webhook.events });
  if (sns.topicArn !== undefined) routes.push({ name: 'sns', topicArn: sns.topicArn, events: sns.events });
  return routes;
}

/** The channel of a route; its secrets are read on first use. */
export function createChannel(route: ChannelRoute): Channel {
  switch (route.name) {
    case 'teams':
      return createTeamsChannel(secretSource(route.url), route.events);
    case 'google_chat':
      return createGoogleChatChannel(secretSource(route.url), route.events);
    case 'webhook':
      return createWebhookChannel(secretSource(route.url), secretSource(route.secret), route.events);
    case 'sns':
      return createSnsChannel(route.topicArn, route.events);
  }
}

/**
 * The notifier of every configured channel: Slack's (or, with Slack off, debug logs), and each
 * channel besides it. With no other channel, it is Slack's notifier itself.
 *
 * @example
 * const notifier = createChannelNotifier(config, logger, metrics);
 */
export function createChannelNotifier(config: Config, log: Log, metrics: MetricSink): Notifier {
  const slack = createNotifier(config, log, slackMetrics(metrics));
  const channels = channelRoutes(config).map(createChannel);
  if (channels.length === 0) return slack;
  return createFanOutNotifier(slack, channels, { project: config.projectName, environment: config.projectEnv, log, metrics });
}
