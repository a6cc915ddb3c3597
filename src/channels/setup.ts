/**
 * The channels of a configuration, for the local run, the preflight and tests: how it reaches each
 * channel besides Slack, each channel with its renderer (./create.ts), and the notifier over all of
 * them (./configured.ts, which the Lambda's composition root takes directly, so that a channel's
 * code loads only when it is configured).
 */
export type { ChannelRoute } from './channel.js';
export { channelRoutes, createChannelNotifier } from './configured.js';
export { createChannel } from './create.js';
