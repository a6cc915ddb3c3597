/**
 * The module's `verify_command` output: the preflight with the function's configuration. Run in a
 * shell, it sets exactly the function's environment (and its region), and the preflight accepts it.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { envReads, lambdaSources } from './source.js';
import { awaitPlans, examplePlan, lambdaEnvironment, REPO_ROOT, TEST_REGION, terraformMissing, type Plan } from './terraform.js';

let example: Plan;
beforeAll(async () => {
  if (terraformMissing) return;
  await awaitPlans();
  example = await examplePlan();
}, 300_000);

const PREFLIGHT = 'npm run verify -- --live';

/** The output of the example's module, run by bash with its last line replaced by `command`. */
function runAs(command: string): { status: number | null; stdout: string; stderr: string } {
  const output = example.outputs.verify_command as string;
  expect(output.endsWith(PREFLIGHT)).toBe(true);
  const script = output.slice(0, -PREFLIGHT.length) + command;
  // Only what a shell needs: the command must bring every variable itself.
  const result = spawnSync('bash', ['-c', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(terraformMissing)('output verify_command', () => {
  it("sets the function's environment, its region and its name (the hooks' target)", () => {
    const module = example.module('deploybridge');
    const variables = lambdaEnvironment(module);
    const functionName = module.one('aws_lambda_function', 'this').function_name as string;
    const { stdout } = runAs(`node -e 'process.stdout.write(JSON.stringify(process.env))'`);
    const env = JSON.parse(stdout) as Record<string, string>;
    // Of what the shell ends up with, the variables the code reads and the function's.
    const relevant = new Set([...envReads(lambdaSources()).keys(), ...Object.keys(variables)]);
    const set = Object.fromEntries(Object.entries(env).filter(([k]) => relevant.has(k)));
    expect(set).toEqual({ ...variables, AWS_REGION: TEST_REGION, AWS_LAMBDA_FUNCTION_NAME: functionName });
    expect(JSON.parse(set.SERVICE_CONFIG ?? '')).toEqual(JSON.parse(variables.SERVICE_CONFIG ?? ''));
  });

  it('is a configuration the preflight accepts (run offline here)', () => {
    const { status, stdout } = runAs('node_modules/.bin/tsx src/verify/cli.ts');
    expect(stdout.split('\n')[0]).toBe(
      'deploybridge preflight for myproject/dev in eu-west-1 (offline: the configuration and the AWS names it maps to; --live checks them in the account)',
    );
    expect(stdout).toContain('ok       the configuration is valid');
    expect(status).toBe(0);
  });
});
