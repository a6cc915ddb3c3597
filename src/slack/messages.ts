/**
 * Slack Block Kit rendering of a {@link Notification}. Building is kept apart from sending so
 * messages can be tested (and printed by the local run) without a network.
 */
import { consoleLabel, displayTitle, DRY_RUN_NOTE, type Notification, type Severity } from '../present/notification.js';
import { SLACK_LIMITS } from '../config/constants.js';
import { truncate } from '../shared/text.js';

/** Colour bar per severity: success green, error red, info blue, warning amber. */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  success: '#2EB67D',
  error: '#E01E5A',
  info: '#1D9BD1',
  warning: '#ECB22E',
};

const SEVERITY_ICONS: Record<Severity, string> = {
  success: ':white_check_mark:',
  error: ':x:',
  info: ':rocket:',
  warning: ':warning:',
};

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

/** The Block Kit blocks a message is made of. */
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'actions'; elements: Array<{ type: 'button'; text: PlainText; url: string }> }
  | { type: 'context'; elements: Mrkdwn[] };

export interface SlackPayload {
  text: string;
  attachments: Array<{ color: string; blocks: SlackBlock[] }>;
}

/**
 * Renders a notification as a webhook payload: fallback text plus blocks inside a coloured
 * attachment. A notification about what a dry run would have done is marked as such.
 */
export function buildSlackPayload(notification: Notification, context: { environment: string }): SlackPayload {
  const title = displayTitle(notification);
  const facts: Array<[string, string]> = [['Environment', context.environment]];
  if (notification.service) facts.push(['Service', notification.service]);
  facts.push(...notification.facts);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${SEVERITY_ICONS[notification.severity]} ${title}`, SLACK_LIMITS.header), emoji: true },
    },
  ];
  const perSection = SLACK_LIMITS.fieldsPerSection;
  for (let i = 0; i < facts.length; i += perSection) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(i, i + perSection)
        .map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.field) })),
    });
  }
  if (notification.consoleUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: consoleLabel(notification) },
          url: notification.consoleUrl,
        },
      ],
    });
  }
  if (notification.dryRun === true) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: DRY_RUN_NOTE }] });
  }
  return {
    text: `${title} (${context.environment})`,
    attachments: [{ color: SEVERITY_COLOURS[notification.severity], blocks }],
  };
}
