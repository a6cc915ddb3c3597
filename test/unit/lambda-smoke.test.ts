import { describe, expect, it } from 'vitest';
import { LAMBDA_DEFAULTS } from '../../src/config/constants.js';
import { describeChange } from '../../src/present/identity.js';
import { previousVersionOf } from '../../src/targets/lambda/alias.js';
import { safeSmokeResponse, smokeTestProblem } from '../../src/targets/lambda/smoke.js';

const SMOKE_RESPONSE_LIMIT = LAMBDA_DEFAULTS.smokeResponseLimit;

describe('smokeTestProblem', () => {
  it('passes without FunctionError when nothing is expected, whatever the response', () => {
    expect(smokeTestProblem(undefined, 'not json', undefined)).toBeUndefined();
  });

  it('fails on a FunctionError even when the response would match', () => {
    expect(smokeTestProblem('Unhandled', '{"statusCode":200}', { statusCode: 200 })).toBe('the function returned an error (Unhandled)');
  });

  it('compares every key of expect with the same key of the JSON response, deeply; other keys do not matter', () => {
    expect(
      smokeTestProblem(undefined, '{"statusCode":200,"body":{"ok":true,"n":[1,2]},"extra":1}', {
        statusCode: 200,
        body: { ok: true, n: [1, 2] },
      }),
    ).toBeUndefined();
    expect(smokeTestProblem(undefined, '{"statusCode":"200"}', { statusCode: 200 })).toBe(
      'the response does not match smoke_test.expect at "statusCode" (expected {"statusCode":200})',
    );
    expect(smokeTestProblem(undefined, '{}', { statusCode: 200, ok: true })).toContain('at "statusCode", "ok"');
  });

  it('fails when expect is given and the response is not a JSON object', () => {
    expect(smokeTestProblem(undefined, 'pong', { ok: true })).toBe('the response is not JSON, so smoke_test.expect cannot match it');
    expect(smokeTestProblem(undefined, '[1]', { ok: true })).toBe(
      'the response is not a JSON object, so smoke_test.expect cannot match it',
    );
    expect(smokeTestProblem(undefined, 'null', { ok: true })).toBe(
      'the response is not a JSON object, so smoke_test.expect cannot match it',
    );
    for (const scalar of ['42', '"ok"', 'true']) {
      expect(smokeTestProblem(undefined, scalar, { ok: true }), scalar).toBe(
        'the response is not a JSON object, so smoke_test.expect cannot match it',
      );
    }
  });
});

describe('safeSmokeResponse', () => {
  it('masks secret-looking keys at any depth, credentials in URLs, and known secret values', () => {
    const shown = safeSmokeResponse(
      JSON.stringify({
        statusCode: 500,
        headers: { Authorization: 'Bearer abc', 'x-api-key': 'k' },
        body: 'dial postgres://u:p4ss@db:5432 with tok-123456',
        nested: [{ client_secret: 's' }],
      }),
      ['tok-123456'],
    );
    expect(JSON.parse(shown)).toEqual({
      statusCode: 500,
      headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]' },
      body: 'dial postgres://[redacted]@db:5432 with [redacted]',
      nested: [{ client_secret: '[redacted]' }],
    });
  });

  it('masks secret-looking keys beside null values', () => {
    expect(safeSmokeResponse('{"token":"t0k3n","next":null,"items":[null]}')).toBe('{"token":"[redacted]","next":null,"items":[null]}');
  });

  it('trims to the limit and says how long the whole was; a response of exactly the limit is whole', () => {
    const shown = safeSmokeResponse('x'.repeat(5000));
    expect(shown).toBe(`${'x'.repeat(SMOKE_RESPONSE_LIMIT)}… (5000 characters, trimmed)`);
    expect(safeSmokeResponse('x'.repeat(SMOKE_RESPONSE_LIMIT))).toBe('x'.repeat(SMOKE_RESPONSE_LIMIT));
  });

  it.each([
    'pass',
    'passwd',
    'DB_PASSWORD',
    'apikey',
    'api_key',
    'privatekey',
    'private-key',
    'authorisation',
    'cookie',
    'session_id',
    'credentials',
    'token',
  ])('masks the value of a key named %s', (key) => {
    expect(JSON.parse(safeSmokeResponse(JSON.stringify({ [key]: 'v4lue', ok: 1 })))).toEqual({ [key]: '[redacted]', ok: 1 });
  });

  it('shows text that is not JSON as text, masked', () => {
    expect(safeSmokeResponse('Task timed out for https://admin:hunter2@example.com')).toBe(
      'Task timed out for https://[redacted]@example.com',
    );
  });
});

describe('previousVersionOf (the rollback record in the alias description)', () => {
  it.each([
    ['deploybridge previous_version=12; ECR push x:v1', '12'],
    ['deploybridge previous_version=$LATEST; manual deploy', '$LATEST'],
    ['previous_version=7', '7'],
  ])('reads %j', (description, version) => {
    expect(previousVersionOf(description)).toBe(version);
  });

  it.each([undefined, '', 'managed by terraform', 'previous_version=abc', 'xprevious_version=3'])('finds nothing in %j', (description) => {
    expect(previousVersionOf(description)).toBeUndefined();
  });
});

describe('describeChange', () => {
  it('says what each change does', () => {
    expect(describeChange({ kind: 'zip', bucket: 'b', key: 'k.zip', versionId: undefined })).toBe('update code from s3://b/k.zip');
    expect(describeChange({ kind: 'image', imageUri: 'r/x:v1', pushedDigest: undefined })).toBe('update code to image r/x:v1');
    expect(describeChange({ kind: 'rollback' })).toBe('move the alias back to the version before the last deploy');
  });
});
