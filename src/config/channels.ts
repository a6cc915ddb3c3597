/**
 * The channels besides Slack, as the configuration reads them (docs/notifications.md): each
 * channel's URL or topic, its secret as a value or an SSM parameter (never echoed), and the event
 * types it hears; a filter without its channel, or a webhook without its secret, is a problem.
 */
import { NOTIFICATION_EVENT_TYPES } from './constants.js';
import type { EnvReader } from './envReader.js';
import { closest } from '../shared/text.js';

/**
 * The channels besides Slack (docs/notifications.md), each off until its URL (SNS: its topic) is
 * set, as a value or as an SSM SecureString parameter. `events` is what the channel hears (event
 * types, `family.*` or `*`); empty: everything Slack hears.
 */
export interface ChannelsConfig {
  teams: { webhookUrl: string | undefined; webhookSsmParameter: string | undefined; events: string[] };
  googleChat: { webhookUrl: string | undefined; webhookSsmParameter: string | undefined; events: string[] };
  /** The signed webhook: its URL and the secret its deliveries are signed with. */
  webhook: {
    url: string | undefined;
    ssmParameter: string | undefined;
    secret: string | undefined;
    secretSsmParameter: string | undefined;
    events: string[];
  };
  /** An SNS topic Amazon Q Developer in chat applications (AWS Chatbot) subscribes to. */
  sns: { topicArn: string | undefined; events: string[] };
}

/** An SNS topic ARN: a standard topic (Amazon Q Developer in chat applications reads no FIFO topic). */
const SNS_TOPIC_ARN_RE = /^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** What a `…_EVENTS` item may be: an event type, a family (`deployment.*`), or `*`. */
function knownEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  const types: readonly string[] = NOTIFICATION_EVENT_TYPES;
  if (pattern.endsWith('.*')) return types.some((type) => type.startsWith(pattern.slice(0, -1)));
  return types.includes(pattern);
}

/** Checks a channel's `…_EVENTS` (a comma-separated list of event types, families or `*`): each unknown one is a problem. */
function checkEventFilter(read: EnvReader, name: string, patterns: string[]): string[] {
  for (const pattern of patterns.filter((p) => !knownEventPattern(p))) {
    const meant = closest(pattern, NOTIFICATION_EVENT_TYPES);
    read.problems.push(
      `${name}: unknown event type "${pattern.slice(0, 80)}"${meant === undefined ? '' : ` (did you mean ${meant}?)`}; use event types (${NOTIFICATION_EVENT_TYPES.join(', ')}), a family such as deployment.* or warning.*, or *`,
    );
  }
  return patterns;
}

/** A channel's secret as configured: a value, or the name of an SSM parameter holding it. */
interface SecretVariables {
  value: string | undefined;
  parameter: string | undefined;
}

/**
 * Checks a channel's secret, given as a value (`names[0]`) or as an SSM parameter name
 * (`names[1]`): a value is checked without ever being echoed; both at once is a problem.
 */
function checkSecret(
  read: EnvReader,
  names: [string, string],
  secret: SecretVariables,
  check: { re: RegExp; what: string },
): SecretVariables {
  const [variable, parameterVariable] = names;
  // The value is a secret: never echo it.
  if (secret.value !== undefined && !check.re.test(secret.value)) read.problems.push(`${variable} must be ${check.what}`);
  if (secret.value !== undefined && secret.parameter !== undefined)
    read.problems.push(`set either ${variable} or ${parameterVariable}, not both`);
  return secret;
}

const HTTP_URL = { re: /^https?:\/\/[^\s]+$/i, what: 'an http(s) URL' };

/** Reads the channels besides Slack; a filter without its channel, or a webhook without its secret, is a problem. */
export function readChannels(read: EnvReader): ChannelsConfig {
  const teams = checkSecret(
    read,
    ['TEAMS_WEBHOOK_URL', 'TEAMS_WEBHOOK_SSM_PARAMETER'],
    { value: read.optional('TEAMS_WEBHOOK_URL'), parameter: read.optional('TEAMS_WEBHOOK_SSM_PARAMETER') },
    HTTP_URL,
  );
  const googleChat = checkSecret(
    read,
    ['GOOGLE_CHAT_WEBHOOK_URL', 'GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER'],
    { value: read.optional('GOOGLE_CHAT_WEBHOOK_URL'), parameter: read.optional('GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER') },
    HTTP_URL,
  );
  const webhook = checkSecret(
    read,
    ['WEBHOOK_URL', 'WEBHOOK_SSM_PARAMETER'],
    { value: read.optional('WEBHOOK_URL'), parameter: read.optional('WEBHOOK_SSM_PARAMETER') },
    HTTP_URL,
  );
  const secret = checkSecret(
    read,
    ['WEBHOOK_SECRET', 'WEBHOOK_SECRET_SSM_PARAMETER'],
    { value: read.optional('WEBHOOK_SECRET'), parameter: read.optional('WEBHOOK_SECRET_SSM_PARAMETER') },
    { re: /^[\x20-\x7e]{16,}$/, what: 'at least 16 printable ASCII characters' },
  );
  const configured = (s: SecretVariables) => s.value !== undefined || s.parameter !== undefined;
  if (configured(webhook) && !configured(secret))
    read.problems.push('WEBHOOK_SECRET (or WEBHOOK_SECRET_SSM_PARAMETER) is required with WEBHOOK_URL: every delivery is signed with it');
  if (configured(secret) && !configured(webhook))
    read.problems.push('WEBHOOK_SECRET is set but WEBHOOK_URL (or WEBHOOK_SSM_PARAMETER) is not');
  const topicArn = read.optional('SNS_TOPIC_ARN');
  if (topicArn !== undefined && !SNS_TOPIC_ARN_RE.test(topicArn))
    read.problems.push(
      `SNS_TOPIC_ARN must be the ARN of a standard SNS topic (arn:aws:sns:REGION:ACCOUNT:NAME; Amazon Q Developer in chat applications reads no FIFO topic), got ${JSON.stringify(topicArn.slice(0, 300))}`,
    );
  const filters: Array<[string, string[], boolean]> = [
    ['TEAMS_EVENTS', read.list('TEAMS_EVENTS'), configured(teams)],
    ['GOOGLE_CHAT_EVENTS', read.list('GOOGLE_CHAT_EVENTS'), configured(googleChat)],
    ['WEBHOOK_EVENTS', read.list('WEBHOOK_EVENTS'), configured(webhook)],
    ['SNS_EVENTS', read.list('SNS_EVENTS'), topicArn !== undefined],
  ];
  const [teamsEvents, googleChatEvents, webhookEvents, snsEvents] = filters.map(([name, patterns, on]) => {
    if (!on && patterns.length > 0) read.problems.push(`${name} is set, but its channel is not configured`);
    return checkEventFilter(read, name, patterns);
  }) as [string[], string[], string[], string[]];
  return {
    teams: { webhookUrl: teams.value, webhookSsmParameter: teams.parameter, events: teamsEvents },
    googleChat: { webhookUrl: googleChat.value, webhookSsmParameter: googleChat.parameter, events: googleChatEvents },
    webhook: {
      url: webhook.value,
      ssmParameter: webhook.parameter,
      secret: secret.value,
      secretSsmParameter: secret.parameter,
      events: webhookEvents,
    },
    sns: { topicArn, events: snsEvents },
  };
}
