/**
 * The S3 rules and the function agree on which keys are a configured object: the same events, with
 * the same keys (spaces, "+", "%2F", "%2E", "%20", non-ASCII, …) in every form, go to the rules
 * Terraform planned for the s3_keys scenario (matched with eventPattern.ts) and to the function's S3
 * trigger with the configuration Terraform planned for it. An event one of them takes and the other
 * does not is either a change never deployed or a change the function acts on wrongly.
 *
 * S3's native events carry the key URL-encoded (a space as "+"), CloudTrail's the key as the request
 * sent it: src/triggers/events.ts says where that comes from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { awsSample } from '../helpers/fixtures.js';
import { matches, type EventPattern, type Json } from './eventPattern.js';
import { ODD_KEY_BUCKETS, ODD_KEYS } from './scenarios.js';
import { awaitPlans, fixturePlan, lambdaEnvironment, SKIPPED, terraformMissing } from './terraform.js';

type Family = 'native' | 'cloudtrail';

/** A deletion of the object (no read of its content: what is compared is only whether it is taken). */
function deletion(family: Family, key: string): Json {
  const bucket = ODD_KEY_BUCKETS[family];
  if (family === 'native') {
    const sample = awsSample('s3/eventbridge-object-deleted.json');
    const detail = sample.detail as Record<string, Json>;
    return { ...sample, detail: { ...detail, bucket: { name: bucket }, object: { ...(detail.object as object), key } } } as Json;
  }
  return {
    ...awsSample('s3/cloudtrail-api-call-createbucket-full-envelope.json'),
    detail: {
      ...awsSample('s3/cloudtrail-putobject-detail-only.json'),
      eventName: 'DeleteObject',
      requestParameters: { bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, key },
    },
  } as Json;
}

/** Every form a key could come in: as it is, encoded as forms encode, percent-encoded, and some that decode to it. */
function candidates(key: string): string[] {
  const percent = encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [
    ...new Set([
      key,
      percent,
      percent.replaceAll('%2F', '/'),
      percent.replaceAll('%2F', '/').replaceAll('%20', '+'),
      percent.replaceAll('%2F', '/').replaceAll('%20', '+').replaceAll('%7E', '~'),
      percent.replaceAll('%2F', '/').replaceAll('%20', '+').replaceAll('~', '%7E').replaceAll('%2A', '*'),
      key.replaceAll('.', '%2E'),
      key.replaceAll('/', '%2F'),
      key.replaceAll(' ', '%20'),
      key.replaceAll(' ', '+'),
    ]),
  ];
}

const EVENTS = (['native', 'cloudtrail'] as const).flatMap((family) =>
  [...new Set(ODD_KEYS.flatMap(candidates))].map((key) => ({ family, key })),
);

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'S3 keys: the rules and the function take the same events', () => {
  let rules: Record<string, EventPattern>;
  let environment: Record<string, string>;

  beforeAll(async () => {
    await awaitPlans();
    const module = (await fixturePlan()).module('s3_keys');
    rules = Object.fromEntries(
      Object.entries(module.instances('aws_cloudwatch_event_rule', 'this'))
        .filter(([key]) => key.startsWith('s3-'))
        .map(([key, rule]) => [key, JSON.parse(rule.event_pattern as string) as EventPattern]),
    );
    environment = lambdaEnvironment(module);
  }, 300_000);

  it('one rule per bucket', () => {
    expect(Object.keys(rules).sort()).toEqual(['s3-cloudtrail-myproject-trail-dev', 's3-myproject-config-dev']);
  });

  it.each(EVENTS)('$family event, key $key', async ({ family, key }) => {
    const event = deletion(family, key);
    const ruleTakes = Object.values(rules).some((pattern) => matches(pattern, event));
    const { app } = testApp({ SERVICE_CONFIG: environment.SERVICE_CONFIG as string });
    const result = await app.handle(event);
    expect({ rule: ruleTakes, function: result.status !== 'ignored' }).toEqual({ rule: ruleTakes, function: ruleTakes });
  });

  it.each(ODD_KEYS)('%s: taken in the form each source sends (URL-encoded from S3, as sent from CloudTrail)', (key) => {
    const encoded = encodeURIComponent(key)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replaceAll('%2F', '/')
      .replaceAll('%20', '+');
    expect(Object.values(rules).some((pattern) => matches(pattern, deletion('native', encoded)))).toBe(true);
    expect(Object.values(rules).some((pattern) => matches(pattern, deletion('cloudtrail', key)))).toBe(true);
    if (encoded !== key) {
      expect(Object.values(rules).some((pattern) => matches(pattern, deletion('native', key)))).toBe(false);
      expect(Object.values(rules).some((pattern) => matches(pattern, deletion('cloudtrail', encoded)))).toBe(false);
    }
  });
});
