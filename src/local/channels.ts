/**
 * The local run's channels besides Slack: for each notification, which configured channels would
 * hear it (their `…_EVENTS`) and, with `--json`, what each would receive — the very payload its
 * renderer builds. Offline nothing is sent; live the function's own notifier sends and this only
 * records. With no channel configured, nothing is recorded and the run prints what it always did.
 */
import type { Channel } from '../channels/channel.js';
import type { ChannelMessage } from '../channels/message.js';
import { displayTitle, type Notification } from '../present/notification.js';
import type { Notifier } from '../slack/notifier.js';

/** One notification, and the channels that hear it and that do not; `message` is undefined for one without a typed event (Slack only). */
export interface HeardNotification {
  notification: Notification;
  message: ChannelMessage | undefined;
  heard: Channel[];
  unheard: Channel[];
}

/** A notifier that passes everything to `inner` and keeps, per notification, which channels hear it. */
export interface ChannelsRecorder extends Notifier {
  /** The notifications since the last take, in order. */
  take(): HeardNotification[];
}

/**
 * Wraps the notifier the run gives the App: each notification (a later step of a deployment: its
 * standalone message, as the channels receive it) is recorded with the channels that hear it.
 *
 * @example
 * const notifier = recordingChannels(slack, channelRoutes(config).map(createChannel), { project: 'myproject', environment: 'dev' });
 */
export function recordingChannels(
  inner: Notifier,
  channels: readonly Channel[],
  context: { project: string; environment: string },
): ChannelsRecorder {
  let recorded: HeardNotification[] = [];
  let count = 0;
  const record = (notification: Notification) => {
    const event = notification.event;
    if (event === undefined) {
      recorded.push({ notification, message: undefined, heard: [], unheard: [...channels] });
      return;
    }
    const message: ChannelMessage = {
      notification,
      event,
      id: `local-notification-${++count}`,
      time: new Date().toISOString(),
      project: context.project,
      environment: context.environment,
    };
    recorded.push({
      notification,
      message,
      heard: channels.filter((c) => c.hears(event.type)),
      unheard: channels.filter((c) => !c.hears(event.type)),
    });
  };
  return {
    notify(notification) {
      record(notification);
      inner.notify(notification);
    },
    open(notification) {
      record(notification);
      return inner.open(notification);
    },
    follow(message, update) {
      record(update.standalone);
      return inner.follow(message, update);
    },
    flush: () => inner.flush(),
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
  };
}

/** "Teams, SNS", or "none". */
const labels = (channels: readonly Channel[]) => channels.map((c) => c.label).join(', ') || 'none';

/**
 * The lines of the channels of one invocation: per notification, its title and type, the channels
 * that hear it and those whose `…_EVENTS` leave it out; with `json`, each heard channel's payload.
 *
 * @example
 * channelLines(recorder.take(), 'Other channels (not sent)', false, true);
 * // ['Other channels (not sent): Deployment started: api (deployment.started) → Teams, SNS; not webhook (WEBHOOK_EVENTS)', '    Teams:', '      {', …]
 */
export function channelLines(heard: readonly HeardNotification[], heading: string, brief: boolean, json: boolean): string[] {
  const lines: string[] = [];
  for (const { notification, message, heard: by, unheard } of heard) {
    const title = `${brief ? '  ' : ''}${heading}: ${displayTitle(notification)}`;
    if (message === undefined) {
      lines.push(`${title} (no typed event) → none: it reaches Slack only`);
      continue;
    }
    const not = unheard.length === 0 ? '' : `; not ${unheard.map((c) => `${c.label} (${c.name.toUpperCase()}_EVENTS)`).join(', ')}`;
    lines.push(`${title} (${message.event.type}) → ${labels(by)}${not}`);
    if (!json) continue;
    for (const channel of by) {
      lines.push(
        `    ${channel.label}:`,
        ...JSON.stringify(channel.render(message), null, 2)
          .split('\n')
          .map((line) => `      ${line}`),
      );
    }
  }
  return lines;
}
