/**
 * The module as Terraform itself sees it: formatted as `terraform fmt` writes it, and planned with
 * the real AWS provider (offline, see terraform.ts) — the example exactly as a user applies it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZIP_NAME } from '../../build.mjs';
import {
  EXAMPLE_DIR,
  examplePlan,
  FAKE_PACKAGE,
  MODULE_DIR,
  PACKAGE_FILE,
  planWithoutPackage,
  providerSelections,
  REPO_ROOT,
  runTerraform,
  SKIPPED,
  awaitPlans,
  TERRAFORM_VERSION,
  terraformMissing,
} from './terraform.js';

/** The version constraints of a versions.tf (read as text: two string attributes). */
function constraints(dir: string): { terraform: string; aws: string } {
  const text = readFileSync(join(dir, 'versions.tf'), 'utf8');
  const terraform = /required_version\s*=\s*"([^"]+)"/.exec(text)?.[1];
  const aws = /aws\s*=\s*\{[^}]*version\s*=\s*"([^"]+)"/.exec(text)?.[1];
  if (terraform === undefined || aws === undefined) throw new Error(`${dir}/versions.tf: no required_version or aws version`);
  return { terraform, aws };
}

const minor = (version: string) => version.split('.').slice(0, 2).join('.');
const lowerBound = (constraint: string) => /^>=\s*([0-9.]+)/.exec(constraint)?.[1] ?? '';

beforeAll(awaitPlans, 300_000);

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'Terraform', () => {
  it('terraform fmt -check -recursive: every .tf and .tftest.hcl file is formatted', async () => {
    const r = await runTerraform(['fmt', '-check', '-recursive', '-list=true', MODULE_DIR], REPO_ROOT, {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
    });
    expect(r.stdout.trim(), 'files terraform fmt would change').toBe('');
    expect(r.code, r.stderr).toBe(0);
  });

  it('plans terraform/examples/complete as it is, with the AWS provider', async () => {
    const plan = await examplePlan();
    const fn = plan.module('deploybridge').one('aws_lambda_function', 'this');
    expect(fn.function_name).toBe('myproject-deploybridge-dev');
  }, 180_000);

  describe('installable from zero', () => {
    it('the build names the package after the version in package.json', () => {
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(ZIP_NAME).toBe(`deploybridge-${version}.zip`);
    });

    it('by default the example deploys the package the build writes (dist/deploybridge-<version>.zip), with its hash', async () => {
      const fn = (await examplePlan()).module('deploybridge').one('aws_lambda_function', 'this');
      // The example's module is ../.. of the example, so the package is ../../../dist/… from it.
      expect(fn.filename).toBe(`../../../${PACKAGE_FILE}`);
      expect(fn.source_code_hash).toBe(createHash('sha256').update(FAKE_PACKAGE).digest('base64'));
      expect(fn.s3_bucket).toBeNull();
    }, 180_000);

    it('in a checkout that was never built, the plan fails with one message that says to build first', async () => {
      const failed = await planWithoutPackage();
      expect(failed.code).not.toBe(0);
      const message = failed.stderr.replace(/\s+/g, ' ');
      expect(message).toContain(
        `No deployment package at ../../../${PACKAGE_FILE}: run \`npm ci && npm run build\` first (it writes ${PACKAGE_FILE})`,
      );
      expect(message).toContain('or s3_bucket and s3_key of a published package');
      // Not a raw function error about a file Terraform could not hash.
      expect(message).not.toMatch(/filebase64sha256|no such file|Error in function call/);
      expect(failed.stderr.match(/^Error: /gm), 'one error').toHaveLength(1);
    }, 180_000);
  });

  it.each([
    ['the module', MODULE_DIR],
    ['the example', EXAMPLE_DIR],
  ])(
    '%s states the versions it was tested on: the lower bounds are the Terraform and AWS provider these tests ran',
    async (_what, dir) => {
      const { terraform, aws } = constraints(dir);
      const selected = (await providerSelections())['registry.terraform.io/hashicorp/aws'] as string;
      expect(minor(lowerBound(terraform)), `required_version ${terraform}, tested with ${TERRAFORM_VERSION}`).toBe(
        minor(TERRAFORM_VERSION as string),
      );
      expect(lowerBound(aws), `aws ${aws}, tested with ${selected}`).toBe(selected);
      // An upper bound: the next major of each is not tested.
      expect(terraform).toMatch(/, < 2\.0\.0$/);
      expect(aws).toMatch(/, < 6\.0\.0$/);
    },
    180_000,
  );
});
