/**
 * The signed webhook, for any system that listens (an incident tool, a change log, a data
 * warehouse): POST `application/json` of a versioned document ({@link WebhookDocument}, version
 * "1", its JSON Schema in docs/webhook-v1.schema.json), with `X-Deploybridge-Timestamp` (Unix
 * seconds) and `X-Deploybridge-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" under
 * WEBHOOK_SECRET>`. A receiver recomputes the signature over the raw body and refuses an old
 * timestamp (docs/notifications.md has a receiver that does both).
 */
import { createHmac } from 'node:crypto';
import type { NotificationEventType } from '../config/constants.js';
import type { DeploymentSummary, Severity } from '../present/notification.js';
import { displayTitle } from '../present/notification.js';
import { httpChannel, readSecret, type Channel, type SecretSource } from './channel.js';
import type { ChannelMessage } from './message.js';

/** The headers of a delivery, as HTTP sends them (their names are case-insensitive). */
export const TIMESTAMP_HEADER = 'X-Deploybridge-Timestamp';
export const SIGNATURE_HEADER = 'X-Deploybridge-Signature';

/** Version "1" of the document: fields are only ever added within a version. */
export interface WebhookDocument {
  version: '1';
  type: NotificationEventType;
  /** Unique per notification; a retried delivery carries the same id (receivers deduplicate on it). */
  id: string;
  /** ISO 8601: when deploybridge sent it. */
  time: string;
  project: string;
  env: string;
  severity: Severity;
  /** The title people read (a dry run's starts with "[DRY RUN]"). */
  title: string;
  /** About what a dry run would have done, not about something that happened. */
  dry_run: boolean;
  /** The AWS resource the message is about (ECS service or function), when it is about one. */
  resource: string | null;
  /** The deployment it is about; null for a warning or a refused request about no deployment. */
  deployment: DeploymentSummary | null;
  /** The labelled facts people read, in order (what Slack shows). */
  facts: Array<{ label: string; value: string }>;
  console_url: string | null;
}

/**
 * The document of a message.
 *
 * @example
 * buildWebhookDocument(message); // { version: '1', type: 'deployment.failed', id: '…', time: '…', project: 'myproject', env: 'dev', … }
 */
export function buildWebhookDocument(message: ChannelMessage): WebhookDocument {
  const { notification, event } = message;
  return {
    version: '1',
    type: event.type,
    id: message.id,
    time: message.time,
    project: message.project,
    env: message.environment,
    severity: notification.severity,
    title: displayTitle(notification),
    dry_run: notification.dryRun === true,
    resource: notification.service ?? null,
    deployment: event.deployment ?? null,
    facts: notification.facts.map(([label, value]) => ({ label, value })),
    console_url: notification.consoleUrl ?? null,
  };
}

/**
 * The signature header's value: `sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}` under the secret.
 *
 * @example
 * signWebhook('whsec-0123456789abcdef', '1765101600', '{"version":"1"}'); // 'sha256=…'
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The signed webhook channel (`WEBHOOK_URL` and `WEBHOOK_SECRET`, or their SSM parameters; `WEBHOOK_EVENTS`).
 *
 * @example
 * const webhook = createWebhookChannel(secretSource({ value: url }), secretSource({ value: signingSecret }), ['deployment.failed']);
 */
export function createWebhookChannel(url: SecretSource, secret: SecretSource, events: readonly string[]): Channel {
  return httpChannel({
    name: 'webhook',
    label: 'webhook',
    events,
    render: buildWebhookDocument,
    request: async (_message, body, clock) => {
      const [target, key] = await Promise.all([readSecret(url, 'webhook URL'), readSecret(secret, 'webhook secret')]);
      const timestamp = String(Math.floor(clock.now() / 1000));
      return {
        url: target,
        body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(key, timestamp, body),
          'user-agent': 'deploybridge-webhook/1',
        },
      };
    },
  });
}
