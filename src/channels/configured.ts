/**
 * The channels of a configuration: Slack as src/slack/setup.ts chooses it, and each channel besides
 * it that is configured (Teams, Google Chat, the signed webhook, SNS), with what it hears. A
 * channel's code (its renderer, ./create.ts) loads with its first delivery: a configuration without
 * it never loads it.
 */
import type { Config } from '../config/config.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { secretOf } from '../shared/secrets.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
import { delivering, type Channel, type ChannelRoute } from './channel.js';
import { hears } from './filters.js';
import { createFanOutNotifier, slackMetrics, type FanOutChannel } from './notifier.js';

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

/** A route's channel as the notifier delivers to it: what it hears is known now, its code loads with its first delivery. */
function deferredChannel(route: ChannelRoute): FanOutChannel {
  let loaded: Promise<Channel> | undefined;
  const channel = () => (loaded ??= import('./create.js').then(({ createChannel }) => createChannel(route)));
  return {
    name: route.name,
    hears: (type) => hears(route.events, type),
    deliver: (message, options, deadline) => delivering(async () => (await channel()).deliver(message, options, deadline)),
  };
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
  const channels = channelRoutes(config).map(deferredChannel);
  if (channels.length === 0) return slack;
  return createFanOutNotifier(slack, channels, { project: config.projectName, environment: config.projectEnv, log, metrics });
}
