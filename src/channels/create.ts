/**
 * The channels besides Slack (Teams, Google Chat, the signed webhook, SNS), each made from its
 * route in the configuration (./configured.ts), with its renderer. The notifier of a configuration
 * (./configured.ts) loads this module with the first delivery to such a channel.
 */
import { secretSource } from '../shared/secrets.js';
import type { Channel, ChannelRoute } from './channel.js';
import { createGoogleChatChannel } from './googleChat.js';
import { createSnsChannel } from './sns.js';
import { createTeamsChannel } from './teams.js';
import { createWebhookChannel } from './webhook.js';

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
