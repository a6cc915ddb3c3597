/**
 * Slack Block Kit rendering of a {@link Notification}. Building is kept apart from sending so
 * messages can be tested (and printed by the local run) without a network.
 */
import type { Notification, Severity } from '../plan.js';
import { truncate } from '../text.js';

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

/** Slack rejects a section field over 2000 characters and a header over 150. */
const MAX_FIELD = 1900;
const MAX_HEADER = 150;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface SlackPayload {
  text: string;
  attachments: Array<{ color: string; blocks: unknown[] }>;
}

/** Renders a notification as a webhook payload: fallback text plus blocks inside a coloured attachment. */
export function buildSlackPayload(notification: Notification, context: { environment: string; dryRun: boolean }): SlackPayload {
  const prefix = context.dryRun ? '[DRY RUN] ' : '';
  const title = `${prefix}${notification.title}`;
  const facts: Array<[string, string]> = [['Environment', context.environment]];
  if (notification.service) facts.push(['Service', notification.service]);
  facts.push(...notification.facts);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${SEVERITY_ICONS[notification.severity]} ${title}`, MAX_HEADER), emoji: true } },
  ];
  // A section holds at most 10 fields.
  for (let i = 0; i < facts.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: facts.slice(i, i + 10).map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, MAX_FIELD) })),
    });
  }
  if (notification.consoleUrl) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: `Open in ${notification.consoleName ?? 'ECS'} console` }, url: notification.consoleUrl }],
    });
  }
  if (context.dryRun) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Dry run: nothing was changed in AWS.' }] });
  }
  return {
    text: `${title} (${context.environment})`,
    attachments: [{ color: SEVERITY_COLOURS[notification.severity], blocks }],
  };
}

/** Link to a service's deployments in the ECS console. */
export function ecsConsoleUrl(region: string, cluster: string, service: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${r}`;
}

/** Link to a function's versions in the Lambda console (a function ARN is reduced to its name). */
export function lambdaConsoleUrl(region: string, functionName: string): string {
  const r = encodeURIComponent(region);
  const name = functionName.slice(functionName.lastIndexOf(':') + 1);
  return `https://${r}.console.aws.amazon.com/lambda/home?region=${r}#/functions/${encodeURIComponent(name)}?tab=versions`;
}
