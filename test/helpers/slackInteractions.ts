/**
 * Slack's requests to the Function URL, built from the published samples: a `block_actions`
 * payload (test/fixtures/partner-payloads/slack/) in a Function URL event (payload format 2.0,
 * test/fixtures/aws-events/lambda/), signed as Slack signs it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { slackSignature } from '../../src/slack/signature.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sample = (path: string) => JSON.parse(readFileSync(`${root}test/fixtures/${path}`, 'utf8')) as Record<string, unknown>;

/** The signing secret the tests configure; the suite-wide secret scan looks for it (see suiteOutput.ts). */
export const TEST_SIGNING_SECRET = 'sgn-SIGNINGSECRET789-test';

/** Slack's own signing example: secret, timestamp, body and the signature Slack computed. */
export const SIGNING_EXAMPLE = sample('partner-payloads/slack/signing-example.json') as {
  signing_secret: string;
  timestamp: string;
  body: string;
  signature: string;
};

export interface ClickOptions {
  actionId?: string;
  value?: string;
  user?: { id: string; name?: string };
  responseUrl?: string;
  channel?: string;
  messageTs?: string;
}

/** Slack's `block_actions` sample, clicking the button `actionId` with `value`, by `user`. */
export function clickPayload(options: ClickOptions = {}): Record<string, unknown> {
  const payload = sample('partner-payloads/slack/block-actions-button-click.json') as Record<string, unknown> & {
    user: Record<string, unknown>;
    actions: Array<Record<string, unknown>>;
    container: Record<string, unknown>;
    channel: Record<string, unknown>;
  };
  const user = options.user ?? { id: 'U0APPROVER', name: 'alice' };
  return {
    ...payload,
    user: { ...payload.user, id: user.id, username: user.name ?? 'someone', name: user.name ?? 'someone' },
    actions: [{ ...payload.actions[0], action_id: options.actionId ?? 'deploybridge.approve', value: options.value ?? 'approval-1' }],
    container: { ...payload.container, channel_id: options.channel ?? 'C0DEPLOYS', message_ts: options.messageTs ?? '1717405200.000001' },
    channel: { ...payload.channel, id: options.channel ?? 'C0DEPLOYS' },
    response_url: options.responseUrl ?? payload.response_url,
  };
}

/** The form body Slack posts: `payload=` and the URL-encoded JSON. */
export function formBody(payload: unknown): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  base64?: boolean;
}

/** The Function URL sample, carrying `body` to `path` (default: the interactions path, POST). */
export function functionUrlEvent(body: string | undefined, options: RequestOptions = {}): Record<string, unknown> {
  const event = sample('aws-events/lambda/function-url-request.json') as Record<string, unknown> & {
    requestContext: Record<string, unknown> & { http: Record<string, unknown> };
  };
  const path = options.path ?? '/slack/interactions';
  return {
    ...event,
    rawPath: path,
    rawQueryString: '',
    queryStringParameters: undefined,
    cookies: undefined,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...options.headers,
    },
    requestContext: {
      ...event.requestContext,
      requestId: 'url-req-1',
      http: { ...event.requestContext.http, method: options.method ?? 'POST', path },
    },
    body: body === undefined ? undefined : options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** The two signing headers of `body` at `timestamp` (seconds) under `secret`. */
export function signingHeaders(body: string, timestamp: number, secret = TEST_SIGNING_SECRET): Record<string, string> {
  const ts = String(timestamp);
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(secret, ts, body) };
}

/** A click as Slack posts it to the Function URL, signed at `timestamp` (default: now). */
export function signedClick(
  options: ClickOptions = {},
  signing: { timestamp?: number; secret?: string; base64?: boolean } = {},
): Record<string, unknown> {
  const body = formBody(clickPayload(options));
  const timestamp = signing.timestamp ?? Math.floor(Date.now() / 1000);
  return functionUrlEvent(body, { headers: signingHeaders(body, timestamp, signing.secret), base64: signing.base64 });
}
