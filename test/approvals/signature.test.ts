/**
 * Slack's request signing, checked against Slack's own worked example: the signature, the replay
 * window on both sides of now, and refusals that never quote the request.
 */
import { describe, expect, it } from 'vitest';
import { checkSignedHeaders, slackSignature, verifySlackSignature } from '../../src/slack/signature.js';
import { SIGNING_EXAMPLE } from '../helpers/slackInteractions.js';

const { signing_secret: secret, timestamp, body, signature } = SIGNING_EXAMPLE;
const at = Number(timestamp);

describe('Slack request signing', () => {
  it("computes Slack's signature of its worked example", () => {
    expect(slackSignature(secret, timestamp, body)).toBe(signature);
  });

  it('accepts the example at its own time and up to 300 s either side of it', () => {
    for (const now of [at, at - 300, at + 300])
      expect(verifySlackSignature(secret, { timestamp, signature, body }, now)).toEqual({ ok: true });
  });

  it('refuses a stale or future timestamp, whatever the signature', () => {
    expect(verifySlackSignature(secret, { timestamp, signature, body }, at + 301)).toEqual({
      ok: false,
      reason: 'X-Slack-Request-Timestamp is 301 s from now (more than 300 s)',
    });
    expect(verifySlackSignature(secret, { timestamp, signature, body }, at - 301).ok).toBe(false);
  });

  it('refuses another secret, a changed body, a changed timestamp, a truncated or differently cased signature', () => {
    const refused = { ok: false, reason: 'X-Slack-Signature does not match' };
    expect(verifySlackSignature('another-secret', { timestamp, signature, body }, at)).toEqual(refused);
    expect(verifySlackSignature(secret, { timestamp, signature, body: `${body}&x=1` }, at)).toEqual(refused);
    expect(verifySlackSignature(secret, { timestamp: String(at + 1), signature, body }, at)).toEqual(refused);
    expect(verifySlackSignature(secret, { timestamp, signature: signature.slice(0, -1), body }, at)).toEqual(refused);
    expect(verifySlackSignature(secret, { timestamp, signature: signature.toUpperCase(), body }, at)).toEqual(refused);
    expect(verifySlackSignature(secret, { timestamp, signature: signature.replace('v0=', 'v1='), body }, at)).toEqual(refused);
  });

  it('refuses missing headers and a timestamp that is not seconds before reading any secret', () => {
    expect(checkSignedHeaders({ timestamp: undefined, signature, body }, at)).toEqual({
      ok: false,
      reason: 'no X-Slack-Request-Timestamp header',
    });
    expect(checkSignedHeaders({ timestamp, signature: undefined, body }, at)).toEqual({ ok: false, reason: 'no X-Slack-Signature header' });
    expect(checkSignedHeaders({ timestamp: '1531420618.5', signature, body }, at)).toEqual({
      ok: false,
      reason: 'X-Slack-Request-Timestamp is not a time in seconds',
    });
  });
});
