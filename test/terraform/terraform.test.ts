/**
 * The module as Terraform itself sees it: formatted as `terraform fmt` writes it, and planned with
 * the real AWS provider (offline, see terraform.ts) — the example exactly as a user applies it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, examplePlan, MODULE_DIR, providerSelections, REPO_ROOT, runTerraform, SKIPPED, TERRAFORM_VERSION, terraformMissing } from './terraform.js';

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

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'Terraform', () => {
  it('terraform fmt -check -recursive: every .tf and .tftest.hcl file is formatted', async () => {
    const r = await runTerraform(['fmt', '-check', '-recursive', '-list=true', MODULE_DIR], REPO_ROOT, { ...process.env, CHECKPOINT_DISABLE: '1' });
    expect(r.stdout.trim(), 'files terraform fmt would change').toBe('');
    expect(r.code, r.stderr).toBe(0);
  });

  it('plans terraform/examples/complete as it is, with the AWS provider', async () => {
    const plan = await examplePlan();
    const fn = plan.module('deploybridge').one('aws_lambda_function', 'this');
    expect(fn.function_name).toBe('myproject-deploybridge-dev');
  }, 180_000);

  it.each([
    ['the module', MODULE_DIR],
    ['the example', EXAMPLE_DIR],
  ])('%s states the versions it was tested on: the lower bounds are the Terraform and AWS provider these tests ran', async (_what, dir) => {
    const { terraform, aws } = constraints(dir);
    const selected = (await providerSelections())['registry.terraform.io/hashicorp/aws'] as string;
    expect(minor(lowerBound(terraform)), `required_version ${terraform}, tested with ${TERRAFORM_VERSION}`).toBe(minor(TERRAFORM_VERSION as string));
    expect(lowerBound(aws), `aws ${aws}, tested with ${selected}`).toBe(selected);
    // An upper bound: the next major of each is not tested.
    expect(terraform).toMatch(/, < 2\.0\.0$/);
    expect(aws).toMatch(/, < 6\.0\.0$/);
  }, 180_000);
});
