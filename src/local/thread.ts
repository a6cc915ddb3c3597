/**
 * The local run's Slack: each message is rendered as text a person reads (its colour, header,
 * fields, buttons), from the very Block Kit payload the function would send. Offline nothing is
 * sent, and the channel is kept as a bot token would leave it (one message per deployment, updated
 * in place, details in its thread); live, the messages go to the configured Slack and are recorded.
 */
import type { MessageRef } from '../following/journal.js';
import type { Notification, Severity } from '../present/notification.js';
import { buildSlackPayload, SEVERITY_COLOURS, type SlackButton, type SlackPayload } from '../slack/messages.js';
import type { Notifier } from '../slack/notifier.js';
import { plural } from '../shared/text.js';

const COLOUR_NAMES: Record<Severity, string> = { success: 'green', error: 'red', info: 'blue', warning: 'amber' };

/** One Slack call: a new message, an update of message `message` (numbered from 1), or a reply in its thread. */
export interface SlackCall {
  kind: 'message' | 'update' | 'reply';
  message: number;
  payload: SlackPayload;
}

/** A notifier that keeps the calls it was asked to make, for the local run to print. */
export interface RecordedSlack extends Notifier {
  /** The calls since the last take, in order. */
  take(): SlackCall[];
}

/** The offline notifier: nothing is sent, and the channel can be printed as Slack would show it. */
export interface SlackChannelPrinter extends RecordedSlack {
  /** The channel as it reads now: each top-level message in its current state, and its thread. */
  channel(): string[];
}

function colourName(colour: string): string {
  const severity = (Object.keys(SEVERITY_COLOURS) as Severity[]).find((s) => SEVERITY_COLOURS[s] === colour);
  return severity === undefined ? 'colour' : COLOUR_NAMES[severity];
}

/** Undoes the escaping Slack's mrkdwn needs, for a terminal. */
function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `[Open in ECS console] URL`, or `[Approve] (primary; asks first: "Deploy api?")`. */
function buttonText(button: SlackButton): string {
  if ('url' in button) return `[${button.text.text}] ${button.url}`;
  const how = [button.style, button.confirm === undefined ? undefined : `asks first: "${button.confirm.title.text}"`].filter(
    (part) => part !== undefined,
  );
  return `[${button.text.text}]${how.length === 0 ? '' : ` (${how.join('; ')})`}`;
}

/**
 * A Slack message as text: `[colour #hex] header`, then one `Label: value` line per field (a value
 * of several lines continues indented), each button (`[Open in ECS console] URL`, `[Approve] (primary; …)`), and the context.
 *
 * @example
 * slackText(buildSlackPayload(notification, { environment: 'dev' }), '  ');
 * // ['  [blue #1D9BD1] :rocket: Deployment started: api', '      Environment: dev', …]
 */
export function slackText(payload: SlackPayload, indent = ''): string[] {
  const lines: string[] = [];
  for (const { color, blocks } of payload.attachments) {
    for (const block of blocks) {
      switch (block.type) {
        case 'header':
          lines.push(`${indent}[${colourName(color)} ${color}] ${block.text.text}`);
          break;
        case 'section':
          for (const field of block.fields) {
            const [label = '', ...value] = unescape(field.text).split('\n');
            lines.push(
              `${indent}    ${label.replace(/^\*(.*)\*$/, '$1')}: ${value[0] ?? ''}`,
              ...value.slice(1).map((more) => `${indent}      ${more}`),
            );
          }
          break;
        case 'actions':
          for (const button of block.elements) lines.push(`${indent}    ${buttonText(button)}`);
          break;
        case 'context':
          for (const element of block.elements) lines.push(`${indent}    ${unescape(element.text)}`);
          break;
      }
    }
  }
  return lines;
}

interface Posted {
  payload: SlackPayload;
  replies: SlackPayload[];
}

/**
 * The offline local run's notifier.
 *
 * @example
 * const slack = printingNotifier({ environment: 'dev' });
 * // … handle events with it …
 * for (const call of slack.take()) console.log(slackText(call.payload).join('\n'));
 * for (const line of slack.channel()) console.log(line); // after a sequence
 */
export function printingNotifier(context: { environment: string }): SlackChannelPrinter {
  const posted: Posted[] = [];
  let calls: SlackCall[] = [];
  const payload = (notification: Notification) => buildSlackPayload(notification, context);
  const post = (notification: Notification): MessageRef => {
    const built = payload(notification);
    posted.push({ payload: built, replies: [] });
    calls.push({ kind: 'message', message: posted.length, payload: built });
    return { channel: 'LOCAL', ts: String(posted.length) };
  };
  return {
    notify(notification) {
      post(notification);
    },
    open: async (notification) => post(notification),
    async follow(message, update) {
      const number = Number(message?.ts);
      const thread = posted[number - 1];
      if (message === undefined || thread === undefined) return update.routine ? undefined : post(update.standalone);
      thread.payload = payload(update.state);
      calls.push({ kind: 'update', message: number, payload: thread.payload });
      if (update.reply !== undefined) {
        const reply = payload(update.reply);
        thread.replies.push(reply);
        calls.push({ kind: 'reply', message: number, payload: reply });
      }
      return message;
    },
    flush: async () => undefined,
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    channel() {
      return posted.flatMap((p, i) => [
        ...(i === 0 ? [] : ['']),
        ...slackText(p.payload),
        ...(p.replies.length === 0 ? [] : [`    ${plural(p.replies.length, 'reply', 'replies')} in its thread:`]),
        ...p.replies.flatMap((reply) => slackText(reply, '      ')),
      ]);
    },
  };
}

/**
 * The live local run's notifier: `inner` sends; the calls are recorded as the configured Slack
 * makes them (a bot token updates and replies in the thread, a webhook posts each step as a message).
 *
 * @example
 * const slack = recordingNotifier(createNotifier(config, log, metrics), { environment: 'dev' }, 'webhook');
 */
export function recordingNotifier(inner: Notifier, context: { environment: string }, mode: 'bot' | 'webhook' | 'off'): RecordedSlack {
  let calls: SlackCall[] = [];
  let messages = 0;
  const numbers = new Map<string, number>();
  const record = (kind: SlackCall['kind'], notification: Notification, message = ++messages) => {
    calls.push({ kind, message, payload: buildSlackPayload(notification, context) });
    return message;
  };
  return {
    notify(notification) {
      record('message', notification);
      inner.notify(notification);
    },
    open: async (notification) => {
      const number = record('message', notification);
      const ref = await inner.open(notification);
      if (ref !== undefined) numbers.set(ref.ts, number);
      return ref;
    },
    async follow(message, update) {
      const number = message === undefined ? undefined : numbers.get(message.ts);
      if (mode === 'bot' && number !== undefined) {
        record('update', update.state, number);
        if (update.reply !== undefined) record('reply', update.reply, number);
      } else if (mode !== 'bot' || !update.routine) {
        record('message', update.standalone);
      }
      return inner.follow(message, update);
    },
    flush: () => inner.flush(),
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}
