/**
 * One notifier over every channel: Slack (as src/slack/ sends it: a bot token's one message per
 * deployment, or a webhook's message per step) and each channel besides it that hears the event.
 * Channels are independent: each delivers on its own, side by side, with its own attempts inside
 * the invocation's budget, so one that is down or slow never delays or drops another; each failure
 * is a warn line and `NotificationsFailed` with its `channel`.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DELIVERY_OPTIONS, InvocationBudget, type DeliveryOptions } from '../shared/delivery.js';
import { MetricName, type Log, type MetricSink } from '../shared/observability.js';
import type { Notification } from '../present/notification.js';
import type { Notifier } from '../slack/notifier.js';
import type { Channel } from './channel.js';
import type { ChannelMessage } from './message.js';

export interface FanOutContext {
  project: string;
  environment: string;
  log: Log;
  metrics: MetricSink;
  /** Attempts, budget and clock of the channels besides Slack (Slack's are its notifier's). */
  options?: Partial<DeliveryOptions>;
  /** A new notification id (a random UUID; tests pass their own). */
  newId?: () => string;
}

/**
 * Slack's notifiers count a failed message with `count(NotificationsFailed)`: here it is counted
 * as Slack's, with the `channel` dimension every channel's failures have.
 *
 * @example
 * createNotifier(config, log, slackMetrics(metrics)); // NotificationsFailed{channel=slack}
 */
export function slackMetrics(metrics: MetricSink): MetricSink {
  return {
    count: (name, value) =>
      name === MetricName.NotificationsFailed ? metrics.ofChannel(name, 'slack', value) : metrics.count(name, value),
    ofDeployment: (name, trigger, value, unit) => metrics.ofDeployment(name, trigger, value, unit),
    ofChannel: (name, channel, value) => metrics.ofChannel(name, channel, value),
    ofHookCheck: (name, check, value) => metrics.ofHookCheck(name, check, value),
  };
}

/**
 * Sends each notification to Slack and to every channel that hears its event; a later step of a
 * deployment goes to the other channels as its standalone message (they thread by the
 * deployment's id where they can). A notification without a typed event reaches Slack only.
 *
 * @example
 * const notifier = createFanOutNotifier(slack, [createTeamsChannel(url, [])], { project: 'myproject', environment: 'dev', log, metrics });
 */
export function createFanOutNotifier(slack: Notifier, channels: readonly Channel[], context: FanOutContext): Notifier {
  const options: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...context.options };
  const budget = new InvocationBudget(options.budgetMs, options.clock);
  const newId = context.newId ?? randomUUID;
  const pending: Array<Promise<void>> = [];
  const { log, metrics } = context;

  const deliver = (channel: Channel, message: ChannelMessage, deadline: number) =>
    channel.deliver(message, options, deadline).then((outcome) => {
      const fields = {
        channel: channel.name,
        title: message.notification.title,
        service: message.notification.service,
        event_type: message.event.type,
      };
      if (outcome.ok) {
        log.debug(`${channel.name} notification sent`, fields);
        return;
      }
      metrics.ofChannel(MetricName.NotificationsFailed, channel.name);
      log.warn(`${channel.name} notification failed`, { ...fields, error: outcome.reason });
    });

  const send = (notification: Notification) => {
    // The budget starts with the invocation's first notification, whichever channel hears it.
    const deadline = budget.deadline();
    const event = notification.event;
    if (event === undefined) return;
    const listeners = channels.filter((channel) => channel.hears(event.type));
    if (listeners.length === 0) return;
    const message: ChannelMessage = {
      notification,
      event,
      id: newId(),
      time: new Date(options.clock.now()).toISOString(),
      project: context.project,
      environment: context.environment,
    };
    for (const channel of listeners) pending.push(deliver(channel, message, deadline));
  };

  return {
    notify(notification) {
      send(notification);
      slack.notify(notification);
    },
    open(notification) {
      send(notification);
      return slack.open(notification);
    },
    follow(message, update) {
      send(update.standalone);
      return slack.follow(message, update);
    },
    async flush() {
      const channelsDone = (async () => {
        while (pending.length > 0) await Promise.all(pending.splice(0));
      })();
      await Promise.all([slack.flush(), channelsDone]);
      budget.end();
    },
  };
}
