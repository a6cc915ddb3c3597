/**
 * Google Chat through an incoming webhook: a `cardsV2` message — a header (the severity as an
 * emoji, the title; the project and environment), a section with the facts, a dry run's note and a
 * button to the console. Every message of one deployment goes to one thread: `thread.threadKey` is
 * the deployment's id, and the URL asks Chat to reply in that thread or start it
 * (`messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`). At most
 * {@link CHANNEL_LIMITS.googleChatBytes} and {@link CHANNEL_LIMITS.googleChatWidgets} widgets.
 */
import { CHANNEL_LIMITS } from '../config/constants.js';
import { consoleLabel, displayTitle, DRY_RUN_NOTE } from '../present/notification.js';
import { truncate } from '../shared/text.js';
import { httpChannel, readSecret, type Channel, type SecretSource } from './channel.js';
import { byteSize, chatFacts, fitWithin, SEVERITY_EMOJI, type ChannelMessage } from './message.js';

type Widget =
  | { decoratedText: { topLabel: string; text: string; wrapText: true } }
  | { textParagraph: { text: string } }
  | { buttonList: { buttons: Array<{ text: string; onClick: { openLink: { url: string } } }> } };

export interface GoogleChatPayload {
  cardsV2: Array<{
    cardId: string;
    card: { header: { title: string; subtitle: string }; sections: Array<{ widgets: Widget[] }> };
  }>;
  /** The deployment's thread. */
  thread?: { threadKey: string };
}

/** Card text is a subset of HTML: the three characters it would read as markup are escaped, lines break with <br>. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>');
}

function chatMessage(message: ChannelMessage, chars: number): GoogleChatPayload {
  const { notification, event } = message;
  const room = CHANNEL_LIMITS.googleChatWidgets - 2; // the note and the button
  const widgets: Widget[] = chatFacts(message)
    .slice(0, room)
    .map(([label, value]) => ({ decoratedText: { topLabel: label, text: html(truncate(value, chars)), wrapText: true } }));
  if (notification.dryRun === true) widgets.push({ textParagraph: { text: `<i>${html(DRY_RUN_NOTE)}</i>` } });
  if (notification.consoleUrl)
    widgets.push({
      buttonList: { buttons: [{ text: consoleLabel(notification), onClick: { openLink: { url: notification.consoleUrl } } }] },
    });
  const threadKey = event.deployment?.id;
  return {
    cardsV2: [
      {
        cardId: 'deploybridge-notification',
        card: {
          header: {
            title: truncate(`${SEVERITY_EMOJI[notification.severity]} ${displayTitle(notification)}`, CHANNEL_LIMITS.titleChars),
            subtitle: `deploybridge · ${message.project} · ${message.environment}`,
          },
          sections: [{ widgets }],
        },
      },
    ],
    ...(threadKey == null ? {} : { thread: { threadKey } }),
  };
}

/**
 * The webhook message of a notification, shortened until it fits Google Chat's limit.
 *
 * @example
 * buildGoogleChatPayload(message).thread; // { threadKey: 'ecs-svc/1234567890123456789' }
 */
export function buildGoogleChatPayload(message: ChannelMessage): GoogleChatPayload {
  return fitWithin(
    (chars) => chatMessage(message, chars),
    (payload) => byteSize(payload) <= CHANNEL_LIMITS.googleChatBytes,
  );
}

/**
 * The webhook URL a message is posted to: a message of a deployment replies in its thread (or
 * starts it). The configured URL keeps its own query (`key`, `token`).
 */
export function threadedUrl(url: string, message: ChannelMessage): string {
  if (message.event.deployment?.id == null) return url;
  const target = new URL(url);
  target.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  return target.toString();
}

/**
 * The Google Chat channel (`GOOGLE_CHAT_WEBHOOK_URL` or `GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER`, `GOOGLE_CHAT_EVENTS`).
 *
 * @example
 * const chat = createGoogleChatChannel(secretSource({ value: url }), ['deployment.*']);
 */
export function createGoogleChatChannel(url: SecretSource, events: readonly string[]): Channel {
  return httpChannel({
    name: 'google_chat',
    label: 'Google Chat',
    events,
    render: buildGoogleChatPayload,
    request: async (message, body) => ({
      url: threadedUrl(await readSecret(url, 'Google Chat webhook URL'), message),
      body,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    }),
  });
}
