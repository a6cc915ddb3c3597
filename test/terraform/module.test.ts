/**
 * The module against the code's configuration contract: every variable the code reads is a module
 * input that reaches the Lambda environment with the same default; nothing else is set; every
 * input is used and described; terraform/README.md lists them as Terraform reads them.
 *
 * The values are Terraform's own: a `terraform plan` of terraform/examples/complete and of the
 * fixture root (scenarios.ts), read from `terraform show -json` (see terraform.ts). What the
 * module does on its own (defaults, validations, rules, IAM statements) is also checked by
 * `terraform test` (terraform/tests/); here it is compared with what src/ reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleInterface } from '../../scripts/terraform-docs.mjs';
import { recordFigure } from '../reliability/figures.js';
import { CONTRACT, FEATURES } from './contract.js';
import { drivenScenario, REQUIRED_INPUTS } from './scenarios.js';
import { envReads, lambdaSources, type EnvRead } from './source.js';
import {
  examplePlan,
  fixturePlan,
  lambdaEnvironment,
  MODULE_DIR,
  REPO_ROOT,
  SKIPPED,
  awaitPlans,
  TEST_REGION,
  terraformMissing,
  type Plan,
} from './terraform.js';

// The scan of src/ is synchronous: done at collection, so test titles can say what it found.
const reads: Map<string, EnvRead> = envReads(lambdaSources());

let example: Plan;
let fixture: Plan;

beforeAll(async () => {
  if (terraformMissing) return;
  await awaitPlans();
  [example, fixture] = await Promise.all([examplePlan(), fixturePlan()]);
}, 300_000);

function featureInCode(envVars: string[]): boolean {
  return envVars.some((v) => reads.has(v));
}

function snake(name: string): string {
  return name.toLowerCase();
}

/** The `variable "…" { … }` blocks of a file, by name (text: each block runs to the next one). */
function variableBlocks(text: string): Map<string, string> {
  return new Map(
    text.split(/^(?=variable ")/m).flatMap((block) => {
      const name = /^variable "([^"]+)"/.exec(block)?.[1];
      return name === undefined ? [] : [[name, block] as const];
    }),
  );
}

/** Every .tf file of the module but the variable declarations. */
const moduleText = () =>
  readdirSync(MODULE_DIR)
    .filter((f) => f.endsWith('.tf') && f !== 'variables.tf')
    .map((f) => readFileSync(join(MODULE_DIR, f), 'utf8'))
    .join('\n');

describe('configuration contract against src/', () => {
  it('finds the variables src/config/config.ts reads (sanity check of the scan)', () => {
    expect([...reads.keys()]).toEqual(
      expect.arrayContaining(['PROJECT_NAME', 'PROJECT_ENV', 'LOG_LEVEL', 'SERVICE_CONFIG', 'DRY_RUN', 'SLACK_WEBHOOK_SSM_PARAMETER']),
    );
  });

  it('every variable the code reads is in the contract', () => {
    const unknown = [...reads.keys()].filter((name) => !(name in CONTRACT));
    expect(
      unknown,
      `read by src/ but not in test/terraform/contract.ts (nor the module): ${unknown.map((n) => `${n} (${reads.get(n)?.where.join('; ')})`).join(', ')}`,
    ).toEqual([]);
  });

  it('the code has the contract defaults where it states them as literals', () => {
    const mismatches = [...reads.values()]
      .filter((r) => r.literalDefault !== undefined && CONTRACT[r.name]?.default !== r.literalDefault)
      .map((r) => `${r.name}: code ${JSON.stringify(r.literalDefault)}, contract ${JSON.stringify(CONTRACT[r.name]?.default)}`);
    expect(mismatches).toEqual([]);
    const required = [...reads.values()].filter((r) => r.required).map((r) => r.name);
    expect(required.sort()).toEqual(
      Object.keys(CONTRACT)
        .filter((n) => CONTRACT[n]?.required)
        .sort(),
    );
  });

  it.each(
    FEATURES.map(
      (f) =>
        [
          f.name,
          featureInCode(f.envVars)
            ? 'in src/: its variables are checked like the others'
            : 'not in src/ yet: the module sets its variables ahead of the code',
          f,
        ] as const,
    ),
  )('%s: %s', (_name, _state, feature) => {
    const read = feature.envVars.filter((v) => reads.has(v));
    // Either the feature is in the code with all of its variables, or none of them is read yet.
    expect(read.length === 0 || read.length === feature.envVars.length, `${feature.name}: src/ reads only ${read.join(', ')}`).toBe(true);
  });
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'Lambda environment, as Terraform plans it', () => {
  it('with only the required inputs: every contract variable has the contract default', () => {
    const env = lambdaEnvironment(fixture.module('bare'));
    for (const [name, v] of Object.entries(CONTRACT)) {
      if (v.module === 'reserved' || v.module === 'secret') expect(env, `${name} must not be set`).not.toHaveProperty(name);
      else if (v.required) expect(env[name], name).toBe(REQUIRED_INPUTS[snake(name) as keyof typeof REQUIRED_INPUTS]);
      else if (name === 'SLACK_WEBHOOK_SSM_PARAMETER') expect(env[name], name).toBe('/deploybridge/myproject/dev/slack-webhook-url');
      else if (name === 'SERVICE_CONFIG') expect(env[name], 'service_config = {} (required while S3 monitoring is on)').toBe('{}');
      // The module follows deployments by default, in a table it creates.
      else if (name === 'DEPLOYMENTS_TABLE') expect(env[name], name).toBe('myproject-deploybridge-dev-deployments');
      // So is idempotency: a duplicate delivery deploys nothing twice.
      else if (name === 'IDEMPOTENCY_TABLE') expect(env[name], name).toBe('myproject-deploybridge-dev-idempotency');
      else if (v.default === undefined) expect(env, `${name} is unset by default`).not.toHaveProperty(name);
      else expect(env[name], name).toBe(v.default);
    }
  });

  it('every variable the code reads (but AWS_REGION and SLACK_WEBHOOK_URL) reaches the environment of the example', () => {
    const env = lambdaEnvironment(example.module('deploybridge'));
    const missing = [...reads.keys()].filter((name) => !['reserved', 'secret'].includes(CONTRACT[name]?.module ?? '') && !(name in env));
    expect(missing).toEqual([]);
  });

  it('holds nothing but contract variables; never the webhook URL, AWS_REGION or NODE_OPTIONS', () => {
    const env = lambdaEnvironment(example.module('deploybridge'));
    const extra = Object.keys(env).filter((k) => !(k in CONTRACT));
    expect(extra).toEqual([]);
    // Stacks are mapped when deploybridge writes them (src/shared/stackTrace.ts): --enable-source-maps
    // would cost every cold start the reading of every module's map.
    expect(env).not.toHaveProperty('NODE_OPTIONS');
    expect(env).not.toHaveProperty('SLACK_WEBHOOK_URL');
    expect(env).not.toHaveProperty('AWS_REGION');
    expect(Object.values(env).some((v) => v.includes('hooks.slack.com'))).toBe(false);
  });

  it('sets only variables the code reads, except those of features not in src/ yet', () => {
    const env = lambdaEnvironment(example.module('deploybridge'));
    const pending = FEATURES.filter((f) => !featureInCode(f.envVars)).flatMap((f) => f.envVars);
    const unread = Object.keys(env).filter((k) => k in CONTRACT && !reads.has(k) && !pending.includes(k));
    expect(unread, 'the module sets variables the code ignores').toEqual([]);
  });

  it.each(Object.entries(CONTRACT).filter(([, v]) => v.drivenBy !== undefined))('%s follows its input', (name, v) => {
    const driven = v.drivenBy as NonNullable<typeof v.drivenBy>;
    if (v.module === 'input') expect(driven.input).toBe(snake(name));
    expect(fixture.moduleConfiguration('bare').variables).toHaveProperty(driven.input);
    const env = lambdaEnvironment(fixture.module(drivenScenario(driven.input)));
    expect(driven.expect(env[name]), `${name} = ${JSON.stringify(env[name])}`).toBe(true);
  });

  it('booleans are passed as "true"/"false" and numbers as digits', () => {
    for (const env of [lambdaEnvironment(example.module('deploybridge')), lambdaEnvironment(fixture.module('driven'))]) {
      for (const [name, v] of Object.entries(CONTRACT)) {
        if (v.module !== 'input' || !(name in env)) continue;
        const value = v.drivenBy?.value;
        if (typeof value === 'boolean') expect(['true', 'false'], name).toContain(env[name]);
        if (typeof value === 'number') expect(env[name], name).toMatch(/^\d+$/);
      }
    }
  });

  it('the example passes SERVICE_CONFIG and LAMBDA_CONFIG as JSON the code accepts', async () => {
    const env = lambdaEnvironment(example.module('deploybridge'));
    const { loadConfig } = await import('../../src/config/config.js');
    const config = loadConfig({ ...env, AWS_REGION: TEST_REGION });
    expect(Object.keys(config.serviceConfig).sort()).toEqual(['api', 'worker']);
    expect(config.dryRun).toBe(false);
    if ('lambdaConfig' in config) expect(Object.keys(config.lambdaConfig as object)).toEqual(['thumbnailer']);
  });

  it('every scenario of the fixture gives an environment the code starts with', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    for (const name of Object.keys(fixture.json.configuration.root_module.module_calls ?? {})) {
      expect(() => loadConfig({ ...lambdaEnvironment(fixture.module(name)), AWS_REGION: TEST_REGION }), name).not.toThrow();
    }
  });
});

describe('inputs and outputs', () => {
  it('every variable has a type and a description (variables.tf)', () => {
    const blocks = variableBlocks(readFileSync(join(MODULE_DIR, 'variables.tf'), 'utf8'));
    expect(blocks.size).toBeGreaterThan(30);
    for (const [name, block] of blocks) {
      expect(block, `variable ${name} has a type`).toMatch(/^\s+type\s+=/m);
      expect(/^\s+description\s+=\s+"(.{10,})"$/m.test(block), `variable ${name} has a description`).toBe(true);
    }
  });

  it('no input is unused (and no local)', () => {
    const text = moduleText();
    const variables = [...variableBlocks(readFileSync(join(MODULE_DIR, 'variables.tf'), 'utf8')).keys()];
    expect(variables.filter((v) => !new RegExp(`\\bvar\\.${v}\\b`).test(text))).toEqual([]);
    // Locals may serve the inputs' validations only (rules.tf).
    const withValidations = `${text}\n${readFileSync(join(MODULE_DIR, 'variables.tf'), 'utf8')}`;
    const locals = [...localsText(text).matchAll(/^ {2}([a-z_0-9]+)\s+=/gm)].map((m) => m[1] as string);
    expect(locals.length).toBeGreaterThan(20);
    expect(locals.filter((l) => !new RegExp(`\\blocal\\.${l}\\b`).test(withValidations))).toEqual([]);
  });

  describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'as Terraform reads them', () => {
    it('every output has a description, in the module and in the example', () => {
      for (const [name, o] of Object.entries(example.moduleConfiguration('deploybridge').outputs))
        expect(String(o.description ?? '').length, `output ${name}`).toBeGreaterThan(10);
      const rootOutputs =
        (
          example.json.configuration.root_module as {
            outputs?: Record<string, { description?: string; expression: { references?: string[] } }>;
          }
        ).outputs ?? {};
      expect(Object.keys(rootOutputs).length).toBeGreaterThan(3);
      const moduleOutputs = Object.keys(example.moduleConfiguration('deploybridge').outputs);
      for (const [name, o] of Object.entries(rootOutputs)) {
        expect(String(o.description ?? '').length, `example output ${name}`).toBeGreaterThan(10);
        const refs = (o.expression.references ?? []).filter((r) => r.startsWith('module.deploybridge.'));
        for (const r of refs) expect(moduleOutputs, `example output ${name} reads ${r}`).toContain(r.split('.')[2]);
      }
    });

    it("the example's known outputs: the function name, the log group, the webhook parameter", () => {
      expect(example.outputs).toMatchObject({
        function_name: 'myproject-deploybridge-dev',
        log_group_name: '/aws/lambda/myproject-deploybridge-dev',
        slack_webhook_ssm_parameter_name: '/deploybridge/myproject/dev/slack-webhook-url',
      });
    });

    it('terraform/README.md shows every input as Terraform reads it: default and description (npm run docs:terraform)', () => {
      const { inputs, outputs } = moduleInterface(
        readFileSync(join(MODULE_DIR, 'variables.tf'), 'utf8'),
        readFileSync(join(MODULE_DIR, 'outputs.tf'), 'utf8'),
      );
      const { variables, outputs: planned } = example.moduleConfiguration('deploybridge');
      // The generator's own reading of the .tf files agrees with Terraform's.
      expect(inputs.map((v) => v.name).sort()).toEqual(Object.keys(variables).sort());
      expect(outputs.map((o) => o.name).sort()).toEqual(Object.keys(planned).sort());
      for (const input of inputs) {
        const v = variables[input.name] as { default?: unknown; description?: string };
        expect(input.description, input.name).toBe(v.description);
        expect(input.default === undefined, `${input.name} is required`).toBe(!('default' in v));
        if ('default' in v) expect(hclValue(input.default ?? ''), input.name).toEqual(v.default);
      }
      for (const output of outputs) expect(output.description, output.name).toBe(planned[output.name]?.description);
    });

    it("the README's install steps are the root module whose resources terraform/README.md counts", () => {
      const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
      for (const line of [
        'project_name = "myproject"',
        'project_env  = "dev"',
        'dry_run      = true',
        'api = [{ bucket = "myproject-config-dev", key = "api/.env" }]',
      ])
        expect(readme).toContain(line);
      const managed = (resources: { mode: string; type?: string }[] | undefined) => (resources ?? []).filter((r) => r.mode === 'managed');
      const exampleResources = [
        ...managed(example.json.planned_values.root_module.resources),
        ...managed(example.module('deploybridge').resources),
      ];
      recordFigure('terraform_install_resources', managed(fixture.module('readme_install').resources).length);
      recordFigure('terraform_example_resources', exampleResources.length);
      recordFigure('terraform_example_alarms', exampleResources.filter((r) => r.type === 'aws_cloudwatch_metric_alarm').length);
    });

    it('the example uses the module with realistic values', () => {
      const call = (example.json.configuration.root_module.module_calls?.deploybridge ?? {}) as {
        expressions?: Record<string, { constant_value?: unknown; references?: string[] }>;
      };
      const inputs = Object.fromEntries(Object.entries(call.expressions ?? {}).map(([k, e]) => [k, e.constant_value ?? e.references]));
      expect(inputs).toMatchObject({ project_name: 'myproject', project_env: 'dev', dry_run: false });
      expect(Object.keys(inputs.service_config as object)).toHaveLength(2);
      // lambda_config calls jsonencode(): not a constant; the planned LAMBDA_CONFIG shows it.
      expect(Object.keys(JSON.parse(lambdaEnvironment(example.module('deploybridge')).LAMBDA_CONFIG as string) as object)).toEqual([
        'thumbnailer',
      ]);
      expect(inputs.alarm_sns_topic_arn).toEqual(['aws_sns_topic.alarms.arn', 'aws_sns_topic.alarms']);
    });
  });
});

/** The bodies of the module's `locals { … }` blocks. */
function localsText(text: string): string {
  return [...text.matchAll(/^locals \{\n([\s\S]*?)^\}/gm)].map((m) => m[1]).join('\n');
}

/** A default as the generator shows it (HCL: a literal, a list or a map), as Terraform's JSON has it. */
function hclValue(text: string): unknown {
  return JSON.parse(text.replace(/([{,]\s*)"?([A-Za-z_][\w-]*)"?\s*=/g, '$1"$2":'));
}
