/**
 * The local run's Slack: nothing is sent; messages are kept as a bot token would leave them (one
 * message per deployment, updated in place, details in its thread) and printed as text.
 */
import type { MessageRef } from '../plan.js';
import type { Notification, Severity } from '../presenter.js';
import { buildSlackPayload, SEVERITY_COLOURS } from '../slack/messages.js';
import type { Notifier } from '../slack/notifier.js';

const MARKS: Record<Severity, string> = { success: 'green', error: 'red', info: 'blue', warning: 'amber' };

interface Posted {
  ts: string;
  message: Notification;
  replies: Notification[];
}

/** One message as text: its colour, title and facts, indented. */
function render(notification: Notification, indent: string): string[] {
  const lines = [`${indent}[${MARKS[notification.severity]} ${SEVERITY_COLOURS[notification.severity]}] ${notification.title}`];
  const facts: Array<[string, string]> = notification.service === undefined ? notification.facts : [['Service', notification.service], ...notification.facts];
  for (const [label, value] of facts) lines.push(`${indent}    ${label}: ${value.split('\n').join(`\n${indent}      `)}`);
  return lines;
}

/**
 * A notifier that prints every Slack call it would make and keeps the channel, so that
 * {@link SlackChannelPrinter.channel} can print it as Slack would show it.
 */
export interface SlackChannelPrinter extends Notifier {
  /** The channel as it reads now: each top-level message in its current state, and its thread. */
  channel(): string[];
}

/**
 * The local run's notifier.
 *
 * @example
 * const slack = printingNotifier({ environment: 'dev' }, console.log);
 * for (const line of slack.channel()) console.log(line); // after the events
 */
export function printingNotifier(context: { environment: string }, print: (line: string) => void): SlackChannelPrinter {
  const posted: Posted[] = [];
  const json = (notification: Notification) => JSON.stringify(buildSlackPayload(notification, context), null, 2);
  const post = (notification: Notification): MessageRef => {
    const ts = `1700000000.${String(posted.length + 1).padStart(6, '0')}`;
    posted.push({ ts, message: notification, replies: [] });
    print(`Slack message (not sent), ts ${ts}:\n${json(notification)}`);
    return { channel: 'LOCAL', ts };
  };
  return {
    notify(notification) {
      post(notification);
    },
    open: async (notification) => post(notification),
    async follow(message, update) {
      const thread = posted.find((p) => p.ts === message?.ts);
      if (thread === undefined) return update.routine ? undefined : post(update.standalone);
      thread.message = update.state;
      print(`Slack update of message ${thread.ts} (not sent):\n${json(update.state)}`);
      if (update.reply !== undefined) {
        thread.replies.push(update.reply);
        print(`Slack reply in the thread of ${thread.ts} (not sent):\n${json(update.reply)}`);
      }
      return message;
    },
    flush: async () => undefined,
    channel() {
      return posted.flatMap((p) => [
        ...render(p.message, ''),
        ...(p.replies.length === 0 ? [] : [`    ${p.replies.length} ${p.replies.length === 1 ? 'reply' : 'replies'}:`]),
        ...p.replies.flatMap((reply) => render(reply, '      ')),
        '',
      ]);
    },
  };
}
