/**
 * The module against the code's configuration contract: every variable the code reads is a module
 * input that reaches the Lambda environment with the same default; nothing else is set; every
 * input is used, typed, described and validated where a value can be wrong; the example is valid;
 * the files are laid out as `terraform fmt` would.
 *
 * How values are computed: test/terraform/hcl.ts evaluates the module's HCL (parsed with
 * @cdktf/hcl2json) with concrete inputs — those of terraform/examples/complete, or only the
 * required ones — so the checks read what Terraform would send to AWS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, FEATURES, RUNTIME_ENVIRONMENT } from './contract.js';
import { fmtProblems } from './fmt.js';
import { evaluateRaw, isObject, loadTerraform, MODULE_DIR, REPO_ROOT, type Loaded, type ModuleInstance, type Raw, type Value } from './hcl.js';
import { envReads, lambdaSources, type EnvRead } from './source.js';

let tf: Loaded;
// The scan of src/ is synchronous: done at collection, so test titles can say what it found.
const reads: Map<string, EnvRead> = envReads(lambdaSources());
const REQUIRED_INPUTS = { project_name: 'myproject', project_env: 'dev' };

beforeAll(async () => {
  tf = await loadTerraform();
});

function lambdaEnvironment(m: ModuleInstance): Record<string, string> {
  const fn = m.instances('resource', 'aws_lambda_function', 'this') as { get(k: string): Value };
  const environment = fn.get('environment') as Value[];
  const variables = (environment[0] as Record<string, Value>).variables as Record<string, string>;
  return variables;
}

function featureInCode(envVars: string[]): boolean {
  return envVars.some((v) => reads.has(v));
}

function snake(name: string): string {
  return name.toLowerCase();
}

describe('configuration contract (issues 2, 3, 5) against src/', () => {
  it('finds the variables src/config.ts reads (sanity check of the scan)', () => {
    expect([...reads.keys()]).toEqual(expect.arrayContaining(['PROJECT_NAME', 'PROJECT_ENV', 'LOG_LEVEL', 'SERVICE_CONFIG', 'DRY_RUN', 'SLACK_WEBHOOK_SSM_PARAMETER']));
  });

  it('every variable the code reads is in the contract', () => {
    const unknown = [...reads.keys()].filter((name) => !(name in CONTRACT));
    expect(unknown, `read by src/ but not in test/terraform/contract.ts (nor the module): ${unknown.map((n) => `${n} (${reads.get(n)?.where.join('; ')})`).join(', ')}`).toEqual([]);
  });

  it('the code has the contract defaults where it states them as literals', () => {
    const mismatches = [...reads.values()]
      .filter((r) => r.literalDefault !== undefined && CONTRACT[r.name]?.default !== r.literalDefault)
      .map((r) => `${r.name}: code ${JSON.stringify(r.literalDefault)}, contract ${JSON.stringify(CONTRACT[r.name]?.default)}`);
    expect(mismatches).toEqual([]);
    const required = [...reads.values()].filter((r) => r.required).map((r) => r.name);
    expect(required.sort()).toEqual(Object.keys(CONTRACT).filter((n) => CONTRACT[n]?.required).sort());
  });

  it.each(FEATURES.map((f) => [f.name, featureInCode(f.envVars) ? 'in src/: its variables are checked like the others' : 'not in src/ yet: the module sets its variables ahead of the code', f] as const))('%s: %s', (_name, _state, feature) => {
    const read = feature.envVars.filter((v) => reads.has(v));
    // Either the feature is in the code with all of its variables, or none of them is read yet.
    expect(read.length === 0 || read.length === feature.envVars.length, `${feature.name}: src/ reads only ${read.join(', ')}`).toBe(true);
  });
});

describe('Lambda environment', () => {
  it('with only the required inputs: every contract variable has the contract default', () => {
    const env = lambdaEnvironment(tf.instantiate(REQUIRED_INPUTS));
    for (const [name, v] of Object.entries(CONTRACT)) {
      if (v.module === 'reserved' || v.module === 'secret') expect(env, `${name} must not be set`).not.toHaveProperty(name);
      else if (v.required) expect(env[name], name).toBe(REQUIRED_INPUTS[snake(name) as keyof typeof REQUIRED_INPUTS]);
      else if (name === 'SLACK_WEBHOOK_SSM_PARAMETER') expect(env[name], name).toBe('/deploybridge/myproject/dev/slack-webhook-url');
      // The module follows deployments by default, in a table it creates.
      else if (name === 'DEPLOYMENTS_TABLE') expect(env[name], name).toBe('myproject-deploybridge-dev-deployments');
      else if (v.default === undefined) expect(env, `${name} is unset by default`).not.toHaveProperty(name);
      else expect(env[name], name).toBe(v.default);
    }
  });

  it('every variable the code reads (but AWS_REGION and SLACK_WEBHOOK_URL) reaches the environment of the example', () => {
    const env = lambdaEnvironment(tf.root.module('deploybridge'));
    const missing = [...reads.keys()].filter((name) => !['reserved', 'secret'].includes(CONTRACT[name]?.module ?? '') && !(name in env));
    expect(missing).toEqual([]);
  });

  it('holds nothing but contract variables and NODE_OPTIONS; never the webhook URL or AWS_REGION', () => {
    const env = lambdaEnvironment(tf.root.module('deploybridge'));
    const extra = Object.keys(env).filter((k) => !(k in CONTRACT) && !(k in RUNTIME_ENVIRONMENT));
    expect(extra).toEqual([]);
    expect(env).not.toHaveProperty('SLACK_WEBHOOK_URL');
    expect(env).not.toHaveProperty('AWS_REGION');
    expect(Object.values(env).some((v) => v.includes('hooks.slack.com'))).toBe(false);
    for (const [k, v] of Object.entries(RUNTIME_ENVIRONMENT)) expect(env[k]).toBe(v);
  });

  it('sets only variables the code reads, except those of features not in src/ yet', () => {
    const env = lambdaEnvironment(tf.root.module('deploybridge'));
    const pending = FEATURES.filter((f) => !featureInCode(f.envVars)).flatMap((f) => f.envVars);
    const unread = Object.keys(env).filter((k) => k in CONTRACT && !reads.has(k) && !pending.includes(k));
    expect(unread, 'the module sets variables the code ignores').toEqual([]);
  });

  it.each(Object.entries(CONTRACT).filter(([, v]) => v.drivenBy !== undefined))('%s follows its input', (name, v) => {
    const driven = v.drivenBy as NonNullable<typeof v.drivenBy>;
    if (v.module === 'input') expect(driven.input).toBe(snake(name));
    expect(tf.module.variable).toHaveProperty(driven.input);
    const m = tf.instantiate({ ...REQUIRED_INPUTS, [driven.input]: driven.value });
    expect(m.validationErrors()).toEqual([]);
    const env = lambdaEnvironment(m);
    expect(driven.expect(env[name]), `${name} = ${JSON.stringify(env[name])}`).toBe(true);
  });

  it('booleans are passed as "true"/"false" and numbers as digits', () => {
    const env = lambdaEnvironment(tf.root.module('deploybridge'));
    for (const [k, v] of Object.entries(tf.module.variable)) {
      const type = (v[0] as Record<string, Raw>).type;
      if (type === '${bool}' && k.toUpperCase() in env) expect(['true', 'false']).toContain(env[k.toUpperCase()]);
      if (type === '${number}' && k.toUpperCase() in env) expect(env[k.toUpperCase()]).toMatch(/^\d+$/);
    }
  });

  it('the example passes SERVICE_CONFIG and LAMBDA_CONFIG as JSON the code accepts', async () => {
    const env = lambdaEnvironment(tf.root.module('deploybridge'));
    const { loadConfig } = await import('../../src/config.js');
    const config = loadConfig({ ...env, AWS_REGION: tf.aws.region });
    expect(Object.keys(config.serviceConfig).sort()).toEqual(['api', 'worker']);
    expect(config.dryRun).toBe(false);
    if ('lambdaConfig' in config) expect(Object.keys(config.lambdaConfig as object)).toEqual(['thumbnailer']);
  });
});

describe('function', () => {
  it('runs index.handler on nodejs22.x, arm64 by default, from dist/deploybridge.zip', () => {
    const fn = tf.instantiate(REQUIRED_INPUTS).instances('resource', 'aws_lambda_function', 'this') as { get(k: string): Value };
    expect(fn.get('handler')).toBe('index.handler');
    expect(fn.get('runtime')).toBe('nodejs22.x');
    expect(fn.get('architectures')).toEqual(['arm64']);
    expect(relative(REPO_ROOT, fn.get('filename') as string)).toBe(join('dist', 'deploybridge.zip'));
    expect(fn.get('logging_config')).toEqual([{ log_format: 'JSON', log_group: '/aws/lambda/myproject-deploybridge-dev', application_log_level: 'INFO' }]);
  });

  it('timeout: deployment_timeout_seconds plus a margin, capped at 900, or as given', () => {
    const timeout = (inputs: Record<string, Value>) => (tf.instantiate({ ...REQUIRED_INPUTS, ...inputs }).instances('resource', 'aws_lambda_function', 'this') as { get(k: string): Value }).get('timeout');
    expect(timeout({})).toBe(660);
    expect(timeout({ deployment_timeout_seconds: 120 })).toBe(180);
    expect(timeout({ deployment_timeout_seconds: 3600 })).toBe(900);
    expect(timeout({ timeout: 30 })).toBe(30);
  });

  it('logs to a log group with 30 days of retention by default', () => {
    const group = tf.instantiate(REQUIRED_INPUTS).instances('resource', 'aws_cloudwatch_log_group', 'this') as { get(k: string): Value };
    expect(group.get('retention_in_days')).toBe(30);
  });

  it('async invocations: retries, a maximum event age and the failed-events queue as on-failure destination', () => {
    const m = tf.root.module('deploybridge');
    const config = m.instances('resource', 'aws_lambda_function_event_invoke_config', 'this') as { get(k: string): Value };
    expect(config.get('maximum_retry_attempts')).toBe(2);
    expect(config.get('maximum_event_age_in_seconds')).toBe(3600);
    expect(config.get('destination_config')).toEqual([{ on_failure: [{ destination: `arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-failed-events` }] }]);
    for (const queue of ['failed_events', 'undelivered_events']) {
      const q = m.instances('resource', 'aws_sqs_queue', queue) as { get(k: string): Value };
      expect(q.get('sqs_managed_sse_enabled'), `${queue} is encrypted`).toBe(true);
      expect(q.get('message_retention_seconds')).toBe(1209600);
    }
  });

  it('the Slack webhook is a SecureString with a placeholder that Terraform then leaves alone', () => {
    const block = tf.module.resource.aws_ssm_parameter?.slack_webhook?.[0] as Record<string, Raw>;
    expect(block.type).toBe('SecureString');
    expect((block.lifecycle as Array<Record<string, Raw>>)[0]?.ignore_changes).toEqual(['${value}']);
    const param = tf.instantiate(REQUIRED_INPUTS).instances('resource', 'aws_ssm_parameter', 'slack_webhook') as Array<{ get(k: string): Value }>;
    expect(param).toHaveLength(1);
    expect(param[0]?.get('value')).toMatch(/^REPLACE_ME/);
    // Given by name, or Slack off: nothing is created.
    expect(tf.instantiate({ ...REQUIRED_INPUTS, slack_webhook_ssm_parameter_name: '/shared/slack' }).instances('resource', 'aws_ssm_parameter', 'slack_webhook')).toEqual([]);
    expect(tf.instantiate({ ...REQUIRED_INPUTS, enable_slack_notifications: false }).instances('resource', 'aws_ssm_parameter', 'slack_webhook')).toEqual([]);
  });

  it('the idempotency table: only when enabled, partition key id, TTL attribute expiration', () => {
    expect(tf.instantiate(REQUIRED_INPUTS).instances('resource', 'aws_dynamodb_table', 'idempotency')).toEqual([]);
    const [table] = tf.instantiate({ ...REQUIRED_INPUTS, enable_idempotency: true }).instances('resource', 'aws_dynamodb_table', 'idempotency') as Array<{ get(k: string): Value }>;
    expect(table?.get('hash_key')).toBe('id');
    expect(table?.get('attribute')).toEqual([{ name: 'id', type: 'S' }]);
    expect(table?.get('ttl')).toEqual([{ attribute_name: 'expiration', enabled: true }]);
  });

  it('alarms on errors, throttles and both queues, notifying the SNS topic when given', () => {
    const alarms = tf.root.module('deploybridge').instances('resource', 'aws_cloudwatch_metric_alarm', 'this') as Record<string, { get(k: string): Value }>;
    expect(Object.keys(alarms).sort()).toEqual(['errors', 'failed-events', 'throttles', 'undelivered-events']);
    for (const alarm of Object.values(alarms)) expect(alarm.get('alarm_actions')).toEqual(['arn:aws:sns:eu-west-1:123456789012:myproject-deploybridge-alarms-dev']);
    expect(alarms['failed-events']?.get('dimensions')).toEqual({ QueueName: 'myproject-deploybridge-dev-failed-events' });
    const none = tf.instantiate(REQUIRED_INPUTS).instances('resource', 'aws_cloudwatch_metric_alarm', 'this') as Record<string, { get(k: string): Value }>;
    expect(none.errors?.get('alarm_actions')).toEqual([]);
    expect(tf.instantiate({ ...REQUIRED_INPUTS, enable_alarms: false }).instances('resource', 'aws_cloudwatch_metric_alarm', 'this')).toEqual({});
  });
});

describe('inputs and outputs', () => {
  it('every variable has a type and a description; every output a description', () => {
    for (const [name, blocks] of Object.entries(tf.module.variable)) {
      const v = blocks[0] as Record<string, Raw>;
      expect(v.type, `variable ${name} has a type`).toBeDefined();
      expect(String(v.description ?? '').length, `variable ${name} has a description`).toBeGreaterThan(10);
    }
    for (const src of [tf.module, tf.example]) {
      for (const [name, blocks] of Object.entries(src.output)) expect(String((blocks[0] as Record<string, Raw>).description ?? '').length, `output ${name}`).toBeGreaterThan(10);
    }
  });

  it('no input is unused (and no local)', () => {
    const text = JSON.stringify({ ...tf.module, variable: undefined, files: undefined });
    const unusedVars = Object.keys(tf.module.variable).filter((v) => !new RegExp(`\\bvar\\.${v}\\b`).test(text));
    expect(unusedVars).toEqual([]);
    const localNames = tf.module.locals.flatMap((l) => Object.keys(l));
    const unusedLocals = localNames.filter((l) => !new RegExp(`\\blocal\\.${l}\\b`).test(text));
    expect(unusedLocals).toEqual([]);
  });

  it('the module outputs the function ARN and name, the rule ARNs, the failed-events queue URL and the log group', () => {
    const m = tf.root.module('deploybridge');
    expect(m.output('function_arn')).toBe('arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev');
    expect(m.output('function_name')).toBe('myproject-deploybridge-dev');
    expect(Object.keys(m.output('rule_arns') as object).sort()).toEqual(['ecr', 'ecr-scan', 'ecs', 'manual', 's3-cloudtrail-myproject-artifacts-dev', 's3-myproject-config-dev', 'ssm']);
    expect(m.output('failed_events_queue_url')).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/myproject-deploybridge-dev-failed-events');
    expect(m.output('log_group_name')).toBe('/aws/lambda/myproject-deploybridge-dev');
    for (const name of Object.keys(tf.example.output)) expect(() => tf.root.output(name)).not.toThrow();
  });

  it('the main README (Install) documents every input and output (with the default of each input)', () => {
    const readme = readFileSync(join(MODULE_DIR, '..', 'README.md'), 'utf8');
    for (const [name, blocks] of Object.entries(tf.module.variable)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row, `README inputs table has ${name}`).toBeDefined();
      const v = blocks[0] as Record<string, Raw>;
      if (!('default' in v)) expect(row).toContain('required');
      else if (v.default === null) expect(row).toContain('`null`');
      else if (typeof v.default !== 'object') expect(row).toContain(`\`${typeof v.default === 'string' ? JSON.stringify(v.default) : String(v.default)}\``);
    }
    for (const name of Object.keys(tf.module.output)) expect(readme, `README outputs table has ${name}`).toContain(`| \`${name}\` |`);
  });
});

describe('validation', () => {
  it('the example is valid and meets the preconditions', () => {
    const m = tf.root.module('deploybridge');
    expect(m.validationErrors()).toEqual([]);
    expect(preconditionFailures(m)).toEqual([]);
  });

  it.each<[string, Record<string, Value>, RegExp]>([
    ['an unknown log level', { log_level: 'verbose' }, /log_level/],
    ['an env name that could escape the patterns', { project_env: 'dev/eu' }, /project_env/],
    ['a project name with a space', { project_name: 'my project' }, /project_name/],
    ['an unknown placeholder', { service_name_pattern: '{project}_{service}' }, /service_name_pattern/],
    ['a bad service name in SERVICE_CONFIG', { service_config: { 'api/v2': [{ bucket: 'b', key: 'k' }] } }, /service_config/],
    ['an empty env file key', { service_config: { api: [{ bucket: 'b', key: '' }] } }, /service_config/],
    ['a negative retry count', { max_deployment_retries: -1 }, /max_deployment_retries/],
    ['a fractional timeout', { deployment_timeout_seconds: 1.5 }, /deployment_timeout_seconds/],
    ['a smoke-test payload that is not JSON', { lambda_config: { t: { smoke_test: { payload: '{ping}' } } } }, /lambda_config/],
    ['a smoke-test expectation that is not an object', { lambda_config: { t: { smoke_test: { expect: '[200]' } } } }, /lambda_config/],
    ['a malformed account id', { manual_deploy_accounts: ['12345'] }, /manual_deploy_accounts/],
    ['a protected env name that could escape the patterns', { protected_envs: ['prod/eu'] }, /protected_envs/],
    ['an unknown architecture', { architecture: 'arm' }, /architecture/],
    ['a retention CloudWatch does not offer', { log_retention_days: 31 }, /log_retention_days/],
  ])('rejects %s', (_what, inputs, variable) => {
    const errors = tf.instantiate({ ...REQUIRED_INPUTS, service_config: {}, ...inputs }).validationErrors();
    expect(errors.some((e) => variable.test(e)), errors.join('\n')).toBe(true);
  });

  it('accepts an empty protected_envs (passed as "", which the code reads as no protected env)', () => {
    expect(tf.instantiate({ ...REQUIRED_INPUTS, service_config: {}, protected_envs: [] }).validationErrors()).toEqual([]);
  });

  it('requires service_config while S3 monitoring is on, as the code does', () => {
    expect(preconditionFailures(tf.instantiate(REQUIRED_INPUTS))).toEqual([expect.stringMatching(/service_config is required/)]);
    expect(preconditionFailures(tf.instantiate({ ...REQUIRED_INPUTS, enable_s3_monitoring: false }))).toEqual([]);
    expect(preconditionFailures(tf.instantiate({ ...REQUIRED_INPUTS, service_config: {} }))).toEqual([]);
  });

  it('refuses CloudTrail buckets that no configured object lives in', () => {
    expect(preconditionFailures(tf.instantiate({ ...REQUIRED_INPUTS, service_config: {}, s3_cloudtrail_buckets: ['elsewhere'] }))).toEqual([expect.stringMatching(/s3_cloudtrail_buckets/)]);
  });
});

function preconditionFailures(m: ModuleInstance): string[] {
  const block = m.block('resource', 'aws_lambda_function', 'this');
  const lifecycle = (block.lifecycle as Array<Record<string, Raw>> | undefined)?.[0];
  const preconditions = (lifecycle?.precondition as Array<Record<string, Raw>> | undefined) ?? [];
  return preconditions.filter((p) => evaluateRaw(p.condition as Raw, m.scope) !== true).map((p) => String(p.error_message));
}

describe('layout', () => {
  it('every .tf file is formatted as terraform fmt would', () => {
    const dirs = [MODULE_DIR, join(MODULE_DIR, 'examples', 'complete')];
    const problems = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.tf')).flatMap((f) => fmtProblems(relative(REPO_ROOT, join(dir, f)), readFileSync(join(dir, f), 'utf8'))));
    expect(problems).toEqual([]);
  });

  it('requires terraform >= 1.5 and the AWS provider >= 5', () => {
    for (const src of [tf.module, tf.example]) {
      const terraform = src.terraform[0] as Record<string, Raw>;
      expect(terraform.required_version).toMatch(/^>= 1\.5/);
      const providers = (terraform.required_providers as Array<Record<string, Raw>>)[0] as Record<string, Raw>;
      const aws = providers.aws as Record<string, Raw>;
      expect(aws.source).toBe('hashicorp/aws');
      expect(aws.version).toMatch(/^>= 5\./);
    }
  });

  it('the example uses the module with realistic values', () => {
    const inputs = tf.exampleInputs();
    expect(inputs).toMatchObject({ project_name: 'myproject', project_env: 'dev', dry_run: false });
    expect(Object.keys(inputs.service_config as object)).toHaveLength(2);
    expect(Object.keys(inputs.lambda_config as object)).toHaveLength(1);
    expect(isObject(inputs.lambda_config as Value)).toBe(true);
    expect(inputs.alarm_sns_topic_arn).toMatch(/^arn:aws:sns:/);
  });
});
