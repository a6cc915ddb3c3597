// Vitest global setup of test/terraform: a work directory for this run's Terraform plans (removed
// at the end), and one loud line when terraform is missing and those tests are skipped.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT, SKIPPED, terraformMissing } from './terraform.js';

declare module 'vitest' {
  interface ProvidedContext {
    terraformRunDir: string;
  }
}

export function setup(project: TestProject): () => void {
  // Once per run, not once per vitest project.
  if (terraformMissing && process.env.DEPLOYBRIDGE_TERRAFORM_SKIP_SHOWN === undefined) {
    process.env.DEPLOYBRIDGE_TERRAFORM_SKIP_SHOWN = '1';
    console.warn(`\n${SKIPPED} (the test/terraform tests that plan the module are skipped)\n`);
  }
  const runDir = join(REPO_ROOT, '.tmp', 'terraform', `run-${process.pid}-${Date.now()}`);
  project.provide('terraformRunDir', runDir);
  return () => rmSync(runDir, { recursive: true, force: true });
}
