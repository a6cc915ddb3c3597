/**
 * The IAM docs/preflight.md lists for the preflight is exactly what its code calls, derived from src/verify/
 * the way the function's role is derived from src/index.ts (test/terraform/iam.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCalls, lambdaSources, SRC_DIR } from '../terraform/source.js';

/** Permissions the page lists that no call needs by itself: ListBucket turns a 403 into a 404; Decrypt serves a customer managed key. */
const ADVISORY = ['s3:ListBucket', 'kms:Decrypt'];
/**
 * Calls of modules the preflight shares with the function that the preflight never makes: it reads
 * the current version of an env file with src/triggers/reads/s3.ts, never a given version nor the history.
 */
const SHARED_NOT_CALLED = ['s3:GetObjectVersion', 's3:ListBucketVersions'];

function documentedActions(): string[] {
  const page = readFileSync('docs/preflight.md', 'utf8');
  const start = page.indexOf('## IAM for the preflight');
  expect(start).toBeGreaterThan(-1);
  const tableStart = page.indexOf('| Actions |', start);
  const tableEnd = page.indexOf('\n\n', tableStart);
  const table = page.slice(tableStart, tableEnd < 0 ? undefined : tableEnd);
  return [...new Set([...table.matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1] as string))].sort();
}

describe('IAM of the preflight', () => {
  it('docs/preflight.md lists exactly the actions src/verify/ calls (plus the advisory ones)', () => {
    const calls = awsCalls(lambdaSources(join(SRC_DIR, 'verify', 'cli.ts')));
    expect(calls.problems).toEqual([]);
    const called = [...calls.actions.keys()].filter((action) => !SHARED_NOT_CALLED.includes(action));
    expect(documentedActions()).toEqual([...called, ...ADVISORY].sort());
  });
});
