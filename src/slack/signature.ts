/**
 * Slack's request signing ("Verifying requests from Slack"): a request carries
 * `X-Slack-Request-Timestamp` and `X-Slack-Signature`, which is `v0=` followed by the hex
 * HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the app's signing secret. Only Slack and
 * whoever holds the secret can sign; the timestamp bounds how long a captured request can be
 * replayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { INTERACTION_LIMITS } from '../config/constants.js';

/** The version prefix of the scheme: the only one Slack uses. */
const VERSION = 'v0';

/**
 * The signature Slack sends with `body` at `timestamp` (seconds since the epoch, as text).
 *
 * @example
 * slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', 'token=xyzz0WbapA4vBCDEFasx0q6G&…');
 * // 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
 */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `${VERSION}=${createHmac('sha256', secret).update(`${VERSION}:${timestamp}:${body}`).digest('hex')}`;
}

/** A request as far as its signature is concerned: the two headers (undefined when absent) and the raw body. */
export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
}

/** Why a request is refused; the words never quote the request. */
export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/**
 * What can be checked without the secret: both headers are there and the timestamp is within the
 * replay window ({@link INTERACTION_LIMITS}) of `nowSeconds`, before or after. A request that fails
 * this is refused without reading the secret.
 *
 * @example
 * checkSignedHeaders({ timestamp: undefined, signature: 'v0=…', body }, now); // { ok: false, reason: 'no X-Slack-Request-Timestamp header' }
 */
export function checkSignedHeaders(request: SignedRequest, nowSeconds: number): SignatureVerdict {
  const { timestamp, signature } = request;
  if (timestamp === undefined) return { ok: false, reason: 'no X-Slack-Request-Timestamp header' };
  if (signature === undefined) return { ok: false, reason: 'no X-Slack-Signature header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Slack-Request-Timestamp is not a time in seconds' };
  const skew = Math.abs(nowSeconds - Number(timestamp));
  if (skew > INTERACTION_LIMITS.replayWindowSeconds) {
    return { ok: false, reason: `X-Slack-Request-Timestamp is ${skew} s from now (more than ${INTERACTION_LIMITS.replayWindowSeconds} s)` };
  }
  return { ok: true };
}

/**
 * Whether `request` was signed by Slack with `secret` within the replay window of `nowSeconds`
 * ({@link checkSignedHeaders}). The signature is compared in constant time, so its bytes cannot be
 * guessed one at a time from how long a refusal takes.
 *
 * @example
 * verifySlackSignature(secret, { timestamp, signature, body }, Math.floor(Date.now() / 1000)); // { ok: true }
 */
export function verifySlackSignature(secret: string, request: SignedRequest, nowSeconds: number): SignatureVerdict {
  const headers = checkSignedHeaders(request, nowSeconds);
  if (!headers.ok) return headers;
  const expected = Buffer.from(slackSignature(secret, request.timestamp as string, request.body), 'utf8');
  const given = Buffer.from(request.signature as string, 'utf8');
  // The length of a valid signature is public; only equal lengths are compared, in constant time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'X-Slack-Signature does not match' };
  }
  return { ok: true };
}
