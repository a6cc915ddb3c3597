/**
 * Slack Block Kit rendering of a {@link Notification}. Building is kept apart from sending so
 * messages can be tested (and printed by the local run) without a network.
 */
import {
  consoleLabel,
  displayTitle,
  DRY_RUN_NOTE,
  type ActionButton,
  type Mention,
  type Notification,
  type Severity,
} from '../present/notification.js';
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

/** A button: a link (`url`), or one that acts (`action_id`, `value`; its click reaches the Function URL). */
export type SlackButton =
  | { type: 'button'; text: PlainText; url: string }
  | {
      type: 'button';
      text: PlainText;
      action_id: string;
      value: string;
      style?: 'primary' | 'danger';
      confirm?: { title: PlainText; text: PlainText; confirm: PlainText; deny: PlainText };
    };

/** The Block Kit blocks a message is made of. */
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'context'; elements: Mrkdwn[] };

/** A Slack user id: only such an id becomes a mention, anything else is shown as text. */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** `*Approvers*\n<@U0123ABCDE>, <@U0456FGHIJ>`: people as Slack mentions (a name Slack shows, and a notification). */
function mentionField(mention: Mention): Mrkdwn {
  const people = mention.people.map((p) => (USER_ID.test(p.id) ? `<@${p.id}>` : escapeMrkdwn(p.name ?? p.id))).join(', ');
  const note = mention.note === undefined ? '' : ` ${escapeMrkdwn(mention.note)}`;
  return { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(mention.label)}*\n${people}${note}`, SLACK_LIMITS.field) };
}

/** Slack's limits on a button: its text 75 characters, a confirm dialog's title 100, text 300, buttons 30. */
function actionButton(button: ActionButton): SlackButton {
  const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: truncate(text, max) });
  return {
    type: 'button',
    text: plain(button.text, 75),
    action_id: button.actionId,
    value: button.value,
    ...(button.style === undefined ? {} : { style: button.style }),
    ...(button.confirm === undefined
      ? {}
      : {
          confirm: {
            title: plain(button.confirm.title, 100),
            text: plain(button.confirm.text, 300),
            confirm: plain(button.confirm.confirm, 30),
            deny: plain(button.confirm.deny, 30),
          },
        }),
  };
}

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
      text: {
        type: 'plain_text',
        text: truncate(`${notification.icon ?? SEVERITY_ICONS[notification.severity]} ${title}`, SLACK_LIMITS.header),
        emoji: true,
      },
    },
  ];
  const fields: Mrkdwn[] = [
    ...facts.map(
      ([label, value]): Mrkdwn => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.field) }),
    ),
    ...(notification.mentions ?? []).map(mentionField),
  ];
  const perSection = SLACK_LIMITS.fieldsPerSection;
  for (let i = 0; i < fields.length; i += perSection) blocks.push({ type: 'section', fields: fields.slice(i, i + perSection) });
  const buttons: SlackButton[] = (notification.buttons ?? []).map(actionButton);
  if (notification.consoleUrl) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: consoleLabel(notification) },
      url: notification.consoleUrl,
    });
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  if (notification.dryRun === true) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: DRY_RUN_NOTE }] });
  }
  return {
    text: `${title} (${context.environment})`,
    attachments: [{ color: SEVERITY_COLOURS[notification.severity], blocks }],
  };
}
