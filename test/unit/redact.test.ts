/**
 * What error texts may show: every shape of credential an AWS error can echo is masked, and so is
 * every value of a target function's environment deploybridge has read.
 */
import { describe, expect, it } from 'vitest';
import { describeError, errorFields } from '../../src/shared/errors.js';
import { knownSecretValues, maskText, maskValue, redact, rememberSecretValues } from '../../src/shared/redact.js';

describe('redact', () => {
  it.each([
    ['an access key id', 'denied for AKIAIOSFODNN7EXAMPLE on x', 'denied for [redacted] on x'],
    ['a temporary access key id', 'key ASIAIOSFODNN7EXAMPLE expired', 'key [redacted] expired'],
    [
      'a secret access key by its name',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY next',
      'aws_secret_access_key=[redacted] next',
    ],
    ['a JSON password', '{"DB_PASSWORD":"hunter22","LOG":"info"}', '{"DB_PASSWORD":"[redacted]","LOG":"info"}'],
    ['a token: value pair', 'token: abc.def.ghi, then', 'token: [redacted], then'],
    ['an api key', 'x-api-key=k-123456789', 'x-api-key=[redacted]'],
    ['an apikey', 'apikey=k-123456789', 'apikey=[redacted]'],
    ['a passwd', 'passwd=hunter22', 'passwd=[redacted]'],
    ['a private key by its name', 'privatekey: MIIEvQ', 'privatekey: [redacted]'],
    ['an authorisation header', 'authorisation=Zm9vOmJhcg', 'authorisation=[redacted]'],
    ['a session key', 'session-key=abcdef', 'session-key=[redacted]'],
    ['a Slack webhook over http', 'http://hooks.slack.com/services/T000/B000/XXXX', '[redacted]'],
    ['a bearer token after two spaces', 'Bearer  eyJhbGciOiJIUzI1NiJ9', 'Bearer [redacted]'],
    [
      'credentials in a URL',
      'pull https://deploy:s3cret@registry.example.com/app failed',
      'pull https://[redacted]@registry.example.com/app failed',
    ],
    ['a bearer token', 'header Bearer eyJhbGciOiJIUzI1NiJ9.e30.x sent', 'header Bearer [redacted] sent'],
    ['basic credentials', 'Basic dXNlcjpwYXNzd29yZA== sent', 'Basic [redacted] sent'],
    ['a Slack webhook', 'post to https://hooks.slack.com/services/T000/B000/XXXX failed', 'post to [redacted] failed'],
    ['a Slack token', 'auth xoxb-1234-5678-abcdef rejected', 'auth [redacted] rejected'],
    [
      'a Google Chat webhook',
      'post to https://chat.googleapis.com/v1/spaces/AAAA/messages?key=AIzaSy-k&token=t0k3n failed',
      'post to [redacted] failed',
    ],
    [
      'a Teams Workflows webhook',
      'post to https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=Zx9 failed',
      'post to [redacted] failed',
    ],
    [
      'an Office 365 connector',
      'post to https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def failed',
      'post to [redacted] failed',
    ],
    ['a private key', 'key -----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY----- used', 'key [redacted] used'],
    ['a private key cut short', 'key -----BEGIN PRIVATE KEY-----\nMIIE', 'key [redacted]'],
    // Each shape once more with nothing else in the text that could make it look like a credential.
    ['a role id', 'assumed AROAIOSFODNN7EXAMPLE then', 'assumed [redacted] then'],
    ['a user id', 'owner AIDAIOSFODNN7EXAMPLE then', 'owner [redacted] then'],
    ['basic credentials without padding', 'Basic dXNlcjpwYXNzd29yZA sent', 'Basic [redacted] sent'],
    ['credentials in a share path', 'mount //svc:pw-9x@fileserver/share', 'mount //[redacted]@fileserver/share'],
    ['a pwd', 'PWD=hunter22', 'PWD=[redacted]'],
    ['a credential', 'db_credential: s3cr3tvalue', 'db_credential: [redacted]'],
    ['an api_key', 'stripe_api_key=sk_live_123', 'stripe_api_key=[redacted]'],
    ['a private_key', 'private_key=MIIEvQ', 'private_key=[redacted]'],
    ['an authorization', 'Authorization=Zm9vOmJhcg', 'Authorization=[redacted]'],
    ['a sessionkey', 'sessionkey=abcdef', 'sessionkey=[redacted]'],
    ['a Slack webhook in capitals', 'HTTPS://HOOKS.SLACK.COM/services/T000/B000/XXXX', '[redacted]'],
    ['a Google Chat webhook over http', 'http://chat.googleapis.com/v1/spaces/AAAA/messages', '[redacted]'],
    ['an Office 365 connector over http', 'http://contoso.webhook.office.com/webhookb2/abc', '[redacted]'],
    ['a signed URL over http', 'http://example.com/invoke?sig=Zx9', '[redacted]'],
    ['a Google Chat space URL', 'post to https://chat.googleapis.com/v1/spaces/AAAA/messages failed', 'post to [redacted] failed'],
  ])('masks %s', (_what, text, masked) => {
    expect(redact(text)).toBe(masked);
  });

  it.each([
    'ServiceNotFoundException: Service not found.',
    'The security token included in the request is invalid.',
    'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42',
    'https://registry.example.com/app:v1.4.2',
    'Bearer short',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it("masks the values of a function's environment wherever they appear, longest first; short values are not secrets", () => {
    rememberSecretValues(['db-7f3k', 'db-7f3k.internal.example', '12345', '123456']);
    expect(knownSecretValues()).toEqual(['db-7f3k', 'db-7f3k.internal.example', '123456']);
    expect(redact('connect db-7f3k.internal.example:5432 (db-7f3k) after 12345 ms, id 123456')).toBe(
      'connect [redacted]:5432 ([redacted]) after 12345 ms, id [redacted]',
    );
  });

  it('error descriptions and every log field of an error are masked, the stack included', () => {
    const error = Object.assign(new Error('String measured: {"DATABASE_URL":"postgres://app:pw-9x@db/app"}'), {
      name: 'InvalidParameterValueException',
    });
    const wrapped = new Error('update failed', { cause: error });
    expect(describeError(error)).toBe('InvalidParameterValueException: String measured: {"DATABASE_URL":"postgres://[redacted]@db/app"}');
    const fields = errorFields(wrapped);
    expect(fields.error_cause).toBe(describeError(error));
    expect(JSON.stringify(errorFields(error))).not.toContain('pw-9x');
    expect(String(errorFields(error).error_stack)).toMatch(
      /^InvalidParameterValueException: String measured: \{"DATABASE_URL":"postgres:\/\/\[redacted\]@db\/app"\}\n/,
    );
  });
});

describe('maskText: the one step text from outside goes through', () => {
  it.each([
    ['a NUL and an escape sequence', 'by alice\u0000\u001b[2J', 'by alice[2J'],
    ['a right-to-left override', 'file gnp\u202Eexe.png', 'file gnpexe.png'],
    ['isolates and marks', 'a\u2066b\u2069c\u200ed\u200f', 'abcd'],
    ['a carriage return and a line separator', 'ok\rforged\u2028line', 'okforgedline'],
    ['a carriage return alone', 'ok\rforged', 'okforged'],
    ['a unit separator', 'a\u001fb', 'ab'],
    ['a delete', 'a\u007fb', 'ab'],
    ['a C1 control', 'a\u0085b', 'ab'],
    ['text made only of such characters', '\u202e\u0000\u200b', ''],
    ['a soft hyphen and a byte order mark', 'pass\u00adwo\ufeffrd', 'password'],
    ['a secret split by a zero-width space, then masked', 'auth xox\u200bb-1234-abcdef', 'auth [redacted]'],
  ])('drops %s', (_what, text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('keeps tabs, line feeds and emoji made with a zero-width joiner', () => {
    expect(maskText('a\tb\nc 👩\u200d💻')).toBe('a\tb\nc 👩\u200d💻');
  });

  it('masks every string of a value, keys included, and keeps what is not text', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(
      maskValue({
        reason: 'pull https://u:pw-1@registry/x',
        facts: [['Who', 'alice\u202E']],
        'key\u0000': 2,
        at,
        nested: { token: 'xoxb-1-abc', ok: true, none: undefined },
      }),
    ).toEqual({
      reason: 'pull https://[redacted]@registry/x',
      facts: [['Who', 'alice']],
      key: 2,
      at,
      nested: { token: '[redacted]', ok: true, none: undefined },
    });
    expect(maskValue(cyclic)).toEqual({ name: 'x', self: cyclic });
    const withoutPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { token: 'xoxb-1-abc', none: null });
    expect(maskValue(withoutPrototype)).toEqual({ token: '[redacted]', none: null });
  });
});
