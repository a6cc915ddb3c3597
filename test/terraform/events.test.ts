/**
 * The EventBridge rules against real AWS sample events (test/terraform/fixtures/, adapted from
 * /work/shared/aws-events/ to project `myproject`, env `dev`; provenance in fixtures/SOURCES.md).
 *
 * Each rule's event_pattern is evaluated from the HCL with the inputs of
 * terraform/examples/complete (test/terraform/hcl.ts evaluates the module's locals, variables and
 * for_each: nothing is substituted by hand), then matched with test/terraform/eventPattern.ts.
 * Every fixture must match exactly the rules listed for it: no rule may miss an event the code acts
 * on, and no rule may let through one it ignores — or one that another rule already sends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matches, validatePattern, type EventPattern, type Json } from './eventPattern.js';
import { loadTerraform, type Loaded, type ModuleInstance, type Value } from './hcl.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const REQUIRED_INPUTS = { project_name: 'myproject', project_env: 'dev', service_config: {} };

/** Fixture → the rules (keys of aws_cloudwatch_event_rule.this) it must match; [] = none. */
const EXPECTED: Record<string, string[]> = {
  'ecr-push-backend.json': ['ecr'],
  'ecr-push-service-api.json': ['ecr'],
  'ecr-push-lambda-image.json': ['ecr'],
  'ecr-push-untagged.json': [],
  'ecr-push-failed.json': [],
  'ecr-push-other-project.json': [],
  'ecr-push-backend-lookalike.json': [],
  'ecr-push-unrelated-repository.json': [],
  'ecr-delete-backend.json': [],
  'ecr-scan-backend.json': ['ecr-scan'],
  'ecr-scan-service-api.json': ['ecr-scan'],
  'ecr-scan-other-project.json': [],

  'ssm-create-api.json': ['ssm'],
  'ssm-update-backend.json': ['ssm'],
  'ssm-delete-worker.json': ['ssm'],
  'ssm-update-other-env.json': [],
  'ssm-update-other-project.json': [],
  'ssm-update-project-lookalike.json': [],
  'ssm-label-parameter-version.json': [],
  'ssm-update-slack-webhook.json': [],
  'ssm-create-ec2-image-datatype.json': [],

  's3-env-file-created.json': ['s3-myproject-config-dev'],
  's3-env-file-deleted.json': ['s3-myproject-config-dev'],
  's3-env-file-lifecycle-expired.json': ['s3-myproject-config-dev'],
  's3-env-file-created-real-capture.json': ['s3-myproject-config-dev'],
  's3-other-key-created.json': [],
  's3-other-bucket-created.json': [],
  's3-artifact-created-native.json': [],
  's3-cloudtrail-put-artifact.json': ['s3-cloudtrail-myproject-artifacts-dev'],
  's3-cloudtrail-complete-multipart-artifact.json': ['s3-cloudtrail-myproject-artifacts-dev'],
  's3-cloudtrail-delete-artifact.json': ['s3-cloudtrail-myproject-artifacts-dev'],
  's3-cloudtrail-put-access-denied.json': [],
  's3-cloudtrail-get-artifact.json': [],
  's3-cloudtrail-put-other-key.json': [],
  's3-cloudtrail-put-env-file.json': [],
  's3-cloudtrail-createbucket.json': [],

  'ecs-deployment-in-progress.json': ['ecs'],
  'ecs-deployment-in-progress-rollback.json': ['ecs'],
  'ecs-deployment-completed.json': ['ecs'],
  'ecs-deployment-failed.json': ['ecs'],
  'ecs-task-start-impaired.json': ['ecs'],
  'ecs-steady-state.json': [],
  'ecs-task-placement-failure.json': [],
  'ecs-task-state-change.json': [],
  'ecs-deployment-other-cluster.json': [],
  'ecs-deployment-other-env.json': [],
  'ecs-deployment-cluster-lookalike.json': [],
  'ecs-deployment-other-region.json': [],

  'manual-deploy.json': ['manual'],
  'manual-deploy-production.json': ['manual'],
  'manual-deploy-malformed.json': ['manual'],
  'custom-other-source.json': [],
  'ec2-state-change-replayed.json': [],
  'lambda-cloudtrail-update-function-code.json': [],
};

let tf: Loaded;
let rules: Record<string, EventPattern>;

function patternsOf(m: ModuleInstance): Record<string, EventPattern> {
  const instances = m.instances('resource', 'aws_cloudwatch_event_rule', 'this') as Record<string, { get(k: string): Value }>;
  return Object.fromEntries(Object.entries(instances).map(([key, rule]) => [key, JSON.parse(rule.get('event_pattern') as string) as EventPattern]));
}

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;
}

function matchingRules(patterns: Record<string, EventPattern>, event: Json): string[] {
  return Object.entries(patterns)
    .filter(([, pattern]) => matches(pattern, event))
    .map(([key]) => key)
    .sort();
}

beforeAll(async () => {
  tf = await loadTerraform();
  rules = patternsOf(tf.root.module('deploybridge'));
});

describe('event patterns of the example', () => {
  it('one rule per trigger and per watched bucket, each a valid pattern', () => {
    expect(Object.keys(rules).sort()).toEqual(['ecr', 'ecr-scan', 'ecs', 'manual', 's3-cloudtrail-myproject-artifacts-dev', 's3-myproject-config-dev', 'ssm']);
    for (const pattern of Object.values(rules)) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it('the fixture table lists every fixture file', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    const sources = readFileSync(join(FIXTURES, 'SOURCES.md'), 'utf8');
    for (const file of files) expect(sources, `SOURCES.md names the origin of ${file}`).toContain(`| ${file} |`);
  });

  it.each(Object.entries(EXPECTED))('%s → %j', (file, expected) => {
    expect(matchingRules(rules, fixture(file))).toEqual([...expected].sort());
  });

  it('every event a rule lets through is one the code routes to that trigger', async () => {
    const { route } = await import('../../src/router.js');
    const all = { ecr: true, ssm: true, s3: true, manual: true };
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (expected.length === 0) continue;
      const decision = route(fixture(file) as Parameters<typeof route>[0], all);
      const trigger = (expected[0] as string).startsWith('s3-') ? 's3' : expected[0] === 'ecr-scan' ? 'ecr' : expected[0];
      expect(decision, file).toEqual({ kind: 'route', route: trigger });
    }
  });

  it('S3 rules watch only the configured keys of each bucket', () => {
    const native = rules['s3-myproject-config-dev'] as { detail: { object: { key: string[] } } };
    expect([...native.detail.object.key].sort()).toEqual(['api/.env', 'shared/common.env', 'worker/.env']);
    const cloudtrail = rules['s3-cloudtrail-myproject-artifacts-dev'] as { detail: { requestParameters: { key: string[] } } };
    expect(cloudtrail.detail.requestParameters.key).toEqual(['thumbnailer/lambda.zip']);
  });
});

describe('rules and inputs', () => {
  it.each([
    ['enable_ecr_monitoring', 'ecr'],
    ['enable_ssm_monitoring', 'ssm'],
    ['enable_manual_deploy', 'manual'],
    ['enable_ecs_events', 'ecs'],
  ])('%s = false removes the %s rule', (input, rule) => {
    expect(Object.keys(patternsOf(tf.instantiate(REQUIRED_INPUTS)))).toContain(rule);
    expect(Object.keys(patternsOf(tf.instantiate({ ...REQUIRED_INPUTS, [input]: false })))).not.toContain(rule);
  });

  it('the ECR scan rule exists only with ecr_scan_gate, and goes with enable_ecr_monitoring', () => {
    expect(Object.keys(patternsOf(tf.instantiate(REQUIRED_INPUTS)))).not.toContain('ecr-scan');
    const gated = patternsOf(tf.instantiate({ ...REQUIRED_INPUTS, project_name: 'shop', ecr_scan_gate: 'CRITICAL' }));
    expect(gated['ecr-scan']).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Scan'],
      detail: { 'scan-status': ['COMPLETE', 'FAILED'], 'repository-name': ['shop_backend', { prefix: 'shop_service_' }] },
    });
    expect(Object.keys(patternsOf(tf.instantiate({ ...REQUIRED_INPUTS, ecr_scan_gate: 'HIGH', enable_ecr_monitoring: false })))).not.toContain('ecr-scan');
  });

  it('S3 rules exist only for configured objects, and go with enable_s3_monitoring', () => {
    expect(Object.keys(patternsOf(tf.instantiate(REQUIRED_INPUTS))).filter((k) => k.startsWith('s3'))).toEqual([]);
    const inputs = { ...tf.exampleInputs(), enable_s3_monitoring: false };
    expect(Object.keys(patternsOf(tf.instantiate(inputs))).filter((k) => k.startsWith('s3'))).toEqual([]);
  });

  it('patterns follow the naming inputs', () => {
    const patterns = patternsOf(tf.instantiate({ ...REQUIRED_INPUTS, project_name: 'shop', project_env: 'prod', cluster_name_pattern: '{env}-{project}' }));
    expect(patterns.ecs?.resources).toEqual([{ prefix: 'arn:aws:ecs:eu-west-1:123456789012:service/prod-shop/' }]);
    expect((patterns.ecr?.detail as Record<string, Json>)['repository-name']).toEqual(['shop_backend', { prefix: 'shop_service_' }]);
    expect((patterns.ssm?.detail as Record<string, Json>).name).toEqual([{ prefix: '/prod/shop/' }]);
  });

  it('rule names fit EventBridge (at most 64 characters) and are unique', () => {
    const instances = tf.root.module('deploybridge').instances('resource', 'aws_cloudwatch_event_rule', 'this') as Record<string, { get(k: string): Value }>;
    const names = Object.values(instances).map((r) => r.get('name') as string);
    for (const name of names) expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('delivery to the function', () => {
  it('every rule targets the function with a retry policy and the undelivered-events queue as DLQ', () => {
    const m = tf.root.module('deploybridge');
    const targets = m.instances('resource', 'aws_cloudwatch_event_target', 'this') as Record<string, { get(k: string): Value }>;
    expect(Object.keys(targets).sort()).toEqual(Object.keys(rules).sort());
    for (const target of Object.values(targets)) {
      expect(target.get('arn')).toBe('arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev');
      expect(target.get('retry_policy')).toEqual([{ maximum_retry_attempts: 20, maximum_event_age_in_seconds: 3600 }]);
      expect(target.get('dead_letter_config')).toEqual([{ arn: 'arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-undelivered-events' }]);
    }
  });

  it('each rule may invoke the function, and only that rule (source_arn)', () => {
    const m = tf.root.module('deploybridge');
    const permissions = m.instances('resource', 'aws_lambda_permission', 'eventbridge') as Record<string, { get(k: string): Value }>;
    const ruleInstances = m.instances('resource', 'aws_cloudwatch_event_rule', 'this') as Record<string, { get(k: string): Value }>;
    for (const [key, permission] of Object.entries(permissions)) {
      expect(permission.get('principal')).toBe('events.amazonaws.com');
      expect(permission.get('action')).toBe('lambda:InvokeFunction');
      expect(permission.get('source_arn')).toBe(ruleInstances[key]?.get('arn'));
      expect(permission.get('statement_id')).toMatch(/^[A-Za-z0-9_-]{1,100}$/);
    }
  });

  it('the undelivered-events queue accepts messages from this module\'s rules only (aws:SourceArn)', () => {
    const m = tf.root.module('deploybridge');
    const [statement, ...others] = m.policyDocument('undelivered_events');
    expect(others).toEqual([]);
    expect(statement?.actions).toEqual(['sqs:SendMessage']);
    expect(statement?.principals).toEqual([{ type: 'Service', identifiers: ['events.amazonaws.com'] }]);
    const ruleInstances = m.instances('resource', 'aws_cloudwatch_event_rule', 'this') as Record<string, { get(k: string): Value }>;
    expect(statement?.conditions).toEqual([{ test: 'ArnEquals', variable: 'aws:SourceArn', values: Object.values(ruleInstances).map((r) => r.get('arn')) }]);
  });
});
