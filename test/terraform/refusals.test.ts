/**
 * The module refuses what the function refuses, in the same words: every configuration of
 * refusals.ts is given to the function's config loader (as the environment the module would pass)
 * and to `terraform plan` (its own module block); both must refuse it and say the same things, the
 * function naming the environment variables (SERVICE_CONFIG) where the module names its inputs
 * (service_config). A module that accepted one of them would install a function that fails every
 * invocation until the ConfigInvalid alarm fires.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configProblems } from '../helpers/app.js';
import { CONTRACT } from './contract.js';
import { environmentOf, REFUSALS, REFUSED_SCENARIOS } from './refusals.js';
import { REQUIRED_INPUTS, SCENARIOS } from './scenarios.js';
import {
  awaitPlans,
  fixturePlan,
  lambdaEnvironment,
  refusalErrors,
  SKIPPED,
  terraformMissing,
  TEST_REGION,
  type Plan,
} from './terraform.js';

/** The function's problems for a configuration, with each variable named as the module's input. */
function functionProblems(scenario: Record<string, unknown>): string[] {
  const inputs = Object.entries(CONTRACT).flatMap(([name, v]) => (v.module === 'input' ? [name] : []));
  const asInput = new RegExp(`\\b(${inputs.join('|')})\\b`, 'g');
  let problems: string[];
  try {
    problems = configProblems({ ...environmentOf(scenario as Parameters<typeof environmentOf>[0]), AWS_REGION: TEST_REGION });
  } catch {
    problems = []; // accepted
  }
  return problems.map((problem) => problem.replace(asInput, (name) => name.toLowerCase()));
}

it('the required inputs alone are a configuration the function accepts (each case breaks one rule over them)', () => {
  expect(functionProblems(REQUIRED_INPUTS)).toEqual([]);
});

it.each(Object.keys(REFUSALS))('the function refuses %s', (name) => {
  expect(functionProblems(REFUSED_SCENARIOS[name] as Record<string, unknown>)).not.toEqual([]);
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'the module refuses the same configurations, in the same words', () => {
  let errors: Record<string, string[]>;
  let fixture: Plan;

  beforeAll(async () => {
    await awaitPlans();
    [errors, fixture] = await Promise.all([refusalErrors(), fixturePlan()]);
  }, 300_000);

  it('every error of the plan is about one of the cases', () => {
    expect(Object.keys(errors).filter((module) => !(module in REFUSALS))).toEqual([]);
  });

  it.each(Object.keys(REFUSALS))('%s', (name) => {
    const expected = functionProblems(REFUSED_SCENARIOS[name] as Record<string, unknown>);
    expect(expected).not.toEqual([]);
    expect([...(errors[name] ?? [])].sort()).toEqual([...expected].sort());
  });

  it.each(Object.keys(SCENARIOS))(
    'the environment the cases are given to the function in is the one Terraform plans (scenario %s)',
    (scenario) => {
      const planned = lambdaEnvironment(fixture.module(scenario));
      const built = environmentOf(SCENARIOS[scenario] ?? {});
      const parsed = (name: string, value: string | undefined): unknown =>
        name.endsWith('_CONFIG') && value !== undefined ? (JSON.parse(value) as unknown) : value;
      for (const [name, value] of Object.entries(built)) expect(parsed(name, value), name).toEqual(parsed(name, planned[name]));
    },
  );
});
