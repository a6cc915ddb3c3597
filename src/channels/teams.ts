/**
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
 * received"; Office 365 connectors are retired): a message carrying one Adaptive Card — the title
 * and the facts in a container whose style is the severity (good, attention, accent, warning), a
 * dry run's note, and a button to the console. At most {@link CHANNEL_LIMITS.teamsBytes}: Teams
 * refuses larger messages.
 */
import { CHANNEL_LIMITS } from '../config/constants.js';
import { consoleLabel, displayTitle, DRY_RUN_NOTE, type Severity } from '../present/notification.js';
import { truncate } from '../shared/text.js';
import { httpChannel, readSecret, type Channel, type SecretSource } from './channel.js';
import { byteSize, chatFacts, fitWithin, type ChannelMessage } from './message.js';

/** The container style of each severity: green, red, blue, amber, as Slack's colour bar. */
export const CONTAINER_STYLES: Record<Severity, 'good' | 'attention' | 'accent' | 'warning'> = {
  success: 'good',
  error: 'attention',
  info: 'accent',
  warning: 'warning',
};

type CardElement =
  | { type: 'TextBlock'; text: string; wrap: true; weight?: 'Bolder'; size?: 'Medium'; isSubtle?: true }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> };

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: string;
  body: Array<{ type: 'Container'; style: (typeof CONTAINER_STYLES)[Severity]; bleed: true; items: CardElement[] }>;
  actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
  /** Teams shows the card at the width of the channel, so facts are not squeezed. */
  msteams: { width: 'Full' };
}

/** What a Workflows webhook receives: the message activity its trigger reads. */
export interface TeamsPayload {
  type: 'message';
  attachments: Array<{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }>;
}

function card(message: ChannelMessage, chars: number): TeamsPayload {
  const { notification } = message;
  const items: CardElement[] = [
    {
      type: 'TextBlock',
      text: truncate(displayTitle(notification), CHANNEL_LIMITS.titleChars),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    },
    { type: 'FactSet', facts: chatFacts(message).map(([title, value]) => ({ title, value: truncate(value, chars) })) },
  ];
  if (notification.dryRun === true) items.push({ type: 'TextBlock', text: DRY_RUN_NOTE, isSubtle: true, wrap: true });
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: CHANNEL_LIMITS.adaptiveCardVersion,
    body: [{ type: 'Container', style: CONTAINER_STYLES[notification.severity], bleed: true, items }],
    ...(notification.consoleUrl
      ? { actions: [{ type: 'Action.OpenUrl', title: consoleLabel(notification), url: notification.consoleUrl }] }
      : {}),
    msteams: { width: 'Full' },
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

/**
 * The Workflows request of a message: one Adaptive Card, shortened until it fits Teams' limit.
 *
 * @example
 * buildTeamsPayload(message).attachments[0].content.body[0].style; // 'attention' for a failure
 */
export function buildTeamsPayload(message: ChannelMessage): TeamsPayload {
  return fitWithin(
    (chars) => card(message, chars),
    (payload) => byteSize(payload) <= CHANNEL_LIMITS.teamsBytes,
  );
}

/**
 * The Teams channel (`TEAMS_WEBHOOK_URL` or `TEAMS_WEBHOOK_SSM_PARAMETER`, `TEAMS_EVENTS`).
 *
 * @example
 * const teams = createTeamsChannel(secretSource({ parameter: '/deploybridge/myproject/dev/teams-webhook-url' }), []);
 */
export function createTeamsChannel(url: SecretSource, events: readonly string[]): Channel {
  return httpChannel({
    name: 'teams',
    label: 'Teams',
    events,
    render: buildTeamsPayload,
    request: async (_message, body) => ({ url: await readSecret(url, 'Teams webhook URL'), body, headers: {} }),
  });
}
