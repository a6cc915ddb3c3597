/**
 * src/interactions/functionUrlEvent.ts: how the entry point tells a Slack request to the Function
 * URL from every other event, before it loads anything else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isFunctionUrlEvent } from '../../src/interactions/functionUrlEvent.js';

const functionUrl = { version: '2.0', requestContext: { http: { method: 'POST', path: '/slack/interactions' } } };

describe('isFunctionUrlEvent', () => {
  it('is true for a Function URL request (payload format 2.0 with an HTTP method)', () => {
    expect(isFunctionUrlEvent(functionUrl)).toBe(true);
  });

  it.each(['events/manual-deploy.json', 'events/ecr-push-api.json', 'events/sqs-burst.json'])('is false for the event of %s', (file) => {
    expect(isFunctionUrlEvent(JSON.parse(readFileSync(file, 'utf8')))).toBe(false);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', '2.0'],
    ['a number', 2],
    ['another version', { ...functionUrl, version: '1.0' }],
    ['no request context', { version: '2.0' }],
    ['a null request context', { version: '2.0', requestContext: null }],
    ['a request context that is a string', { version: '2.0', requestContext: 'http' }],
    ['no http', { version: '2.0', requestContext: {} }],
    ['a null http', { version: '2.0', requestContext: { http: null } }],
    ['a method that is no string', { version: '2.0', requestContext: { http: { method: 1 } } }],
  ])('is false for %s', (_name, event) => {
    expect(isFunctionUrlEvent(event)).toBe(false);
  });
});
