/**
 * The smoke test: invoke a version with `smoke_test.payload` before any traffic reaches it. It
 * passes when the invocation has no `FunctionError` and every key of `smoke_test.expect` equals the
 * same key of the JSON response. What people see of a response is redacted and trimmed.
 */
import { LAMBDA_DEFAULTS } from '../../config/constants.js';
import { SmokeTestFailedError } from '../../shared/errors.js';
import { knownSecretValues } from '../../shared/redact.js';
import type { SmokeTestOutcome } from '../outcomes.js';
import { describeCall, type Session } from './session.js';

/** Keys whose values are masked in a smoke-test response. */
const SECRET_KEY_RE = /pass(word|wd)?|secret|token|credential|api[-_]?key|private[-_]?key|authori[sz]ation|cookie|session/i;

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY_RE.test(key) ? '[redacted]' : redactJson(inner)]));
}

/**
 * A smoke-test response as people may see it: values of secret-looking keys, credentials in URLs
 * and the function's own environment variable values masked, then trimmed to `limit` characters.
 *
 * @example
 * safeSmokeResponse('{"token":"abc","ok":true}'); // '{"token":"[redacted]","ok":true}'
 */
export function safeSmokeResponse(
  text: string,
  knownSecrets: readonly string[] = [],
  limit: number = LAMBDA_DEFAULTS.smokeResponseLimit,
): string {
  let shown = text;
  try {
    shown = JSON.stringify(redactJson(JSON.parse(text)));
  } catch {
    // Not JSON: shown as text, with the masks below.
  }
  shown = shown.replace(/\/\/[^\s/@:"]+:[^\s/@"]+@/g, '//[redacted]@');
  for (const secret of knownSecrets) shown = shown.replaceAll(secret, '[redacted]');
  return shown.length <= limit ? shown : `${shown.slice(0, limit)}… (${shown.length} characters, trimmed)`;
}

/**
 * Why a smoke-test invocation failed, or `undefined` when it passed: it fails on a `FunctionError`,
 * and, when `expected` is given, unless every key of it equals the same key of the JSON response.
 */
export function smokeTestProblem(
  functionError: string | undefined,
  responseText: string,
  expected: Record<string, unknown> | undefined,
): string | undefined {
  if (functionError) return `the function returned an error (${functionError})`;
  if (expected === undefined) return undefined;
  let response: unknown;
  try {
    response = JSON.parse(responseText);
  } catch {
    return 'the response is not JSON, so smoke_test.expect cannot match it';
  }
  if (typeof response !== 'object' || response === null || Array.isArray(response))
    return 'the response is not a JSON object, so smoke_test.expect cannot match it';
  const actual = response as Record<string, unknown>;
  // Taken here, not imported: importing node:util also loads its lazy parts (parseArgs, MIMEType)
  // on every cold start, for a check that runs only after a smoke test.
  const { isDeepStrictEqual } = process.getBuiltinModule('node:util');
  const mismatched = Object.keys(expected).filter((key) => !isDeepStrictEqual(actual[key], expected[key]));
  if (mismatched.length === 0) return undefined;
  return `the response does not match smoke_test.expect at ${mismatched.map((key) => JSON.stringify(key)).join(', ')} (expected ${JSON.stringify(Object.fromEntries(mismatched.map((key) => [key, expected[key]])))})`;
}

function invokeInput(session: Session, qualifier: string, payload: string) {
  return { FunctionName: session.fn, Qualifier: qualifier, InvocationType: 'RequestResponse' as const, Payload: payload };
}

/** The smoke test's call as a dry run describes it (none when no smoke test is configured). */
export function describeSmokeTest(session: Session, qualifier: string): string[] {
  const test = session.request.lambda.smokeTest;
  if (test === undefined) return [];
  return [
    `${describeCall('Invoke', invokeInput(session, qualifier, '(smoke_test.payload)'))}${test.expect ? ` expecting ${JSON.stringify(test.expect)}` : ''}`,
  ];
}

/**
 * Invokes `qualifier` with the smoke-test payload.
 *
 * @throws SmokeTestFailedError with the redacted, trimmed response when it fails.
 */
export async function smokeTest(session: Session, qualifier: string): Promise<SmokeTestOutcome> {
  const test = session.request.lambda.smokeTest;
  if (test === undefined) return 'not_configured';
  const response = await session.client.send(new session.sdk.InvokeCommand(invokeInput(session, qualifier, JSON.stringify(test.payload))), {
    abortSignal: session.context.signal,
  });
  const text = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);
  const problem = smokeTestProblem(response.FunctionError, text, test.expect);
  if (problem === undefined) {
    session.context.log.info('lambda smoke test passed', { qualifier });
    return 'passed';
  }
  throw new SmokeTestFailedError(
    `smoke test failed on ${qualifier === '$LATEST' ? '$LATEST' : `version ${qualifier}`}: ${problem}`,
    safeSmokeResponse(text, knownSecretValues()),
  );
}
