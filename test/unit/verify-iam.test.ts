/**
 * The IAM the README lists for the preflight is exactly what its code calls, derived from src/verify/
 * the way the function's role is derived from src/index.ts (test/terraform/iam.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCalls, lambdaSources, SRC_DIR } from '../terraform/source.js';

/** Permissions the README lists that no call needs by itself: ListBucket turns a 403 into a 404; Decrypt serves a customer managed key. */
const ADVISORY = ['s3:ListBucket', 'kms:Decrypt'];
/**
 * Calls of modules the preflight shares with the function that the preflight never makes: it reads
 * the current version of an env file with src/triggers/reads/s3.ts, never a given version nor the history.
 */
const SHARED_NOT_CALLED = ['s3:GetObjectVersion', 's3:ListBucketVersions'];

function readmeActions(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('**IAM for the preflight.**');
  const table = readme.slice(start, readme.indexOf('\n\n', readme.indexOf('| Actions |', start)));
  return [...new Set([...table.matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1] as string))].sort();
}

describe('IAM of the preflight', () => {
  it('the README lists exactly the actions src/verify/ calls (plus the advisory ones)', () => {
    const calls = awsCalls(lambdaSources(join(SRC_DIR, 'verify', 'cli.ts')));
    expect(calls.problems).toEqual([]);
    const called = [...calls.actions.keys()].filter((action) => !SHARED_NOT_CALLED.includes(action));
    expect(readmeActions()).toEqual([...called, ...ADVISORY].sort());
  });
});
