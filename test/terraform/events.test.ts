/**
 * The EventBridge rules against real AWS sample events (test/terraform/fixtures/, adapted from
 * /work/shared/aws-events/ to project `myproject`, env `dev`; provenance in fixtures/SOURCES.md).
 *
 * Each rule's event_pattern is the one Terraform planned for terraform/examples/complete (from
 * `terraform show -json`, see terraform.ts: nothing is re-evaluated or substituted by hand), then
 * matched with test/terraform/eventPattern.ts (EventBridge's matching, which nothing offline has).
 * Every fixture must match exactly the rules listed for it: no rule may miss an event the code acts
 * on, and no rule may let through one it ignores — or one that another rule already sends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matches, validatePattern, type EventPattern, type Json } from './eventPattern.js';
import { examplePlan, fixturePlan, lambdaEnvironment, SKIPPED, awaitPlans, terraformMissing, type PlannedModule } from './terraform.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

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

  'ecs-hook-awaiting-action.json': ['ecs-hooks'],
  'ecs-hook-awaiting-action-no-resources.json': ['ecs-hooks'],
  'ecs-hook-other-cluster.json': [],

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
  'ecs-task-stopped-release.json': ['release-tasks'],
  'ecs-task-stopped-service.json': [],
  'ecs-task-stopped-other-cluster.json': [],
  'ecs-deployment-other-cluster.json': [],
  'ecs-deployment-other-env.json': [],
  'ecs-deployment-cluster-lookalike.json': [],
  'ecs-deployment-other-region.json': [],

  'manual-deploy.json': ['manual'],
  'manual-deploy-production.json': ['manual'],
  'manual-deploy-malformed.json': ['manual'],
  'manual-deploy-unscoped.json': ['manual'],
  'manual-deploy-other-env.json': [],
  'manual-deploy-other-project.json': [],
  'custom-other-source.json': [],
  'ec2-state-change-replayed.json': [],
  'lambda-cloudtrail-update-function-code.json': [],
};

let rules: Record<string, EventPattern>;
let manualBus: PlannedModule;

function patternsOf(m: PlannedModule): Record<string, EventPattern> {
  return Object.fromEntries(
    Object.entries(m.instances('aws_cloudwatch_event_rule', 'this')).map(([key, rule]) => [
      key,
      JSON.parse(rule.event_pattern as string) as EventPattern,
    ]),
  );
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
  if (terraformMissing) return;
  await awaitPlans();
  rules = patternsOf((await examplePlan()).module('deploybridge'));
  manualBus = (await fixturePlan()).module('manual_bus');
}, 300_000);

it('the fixture table lists every fixture file', () => {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort();
  expect(files).toEqual(Object.keys(EXPECTED).sort());
  const sources = readFileSync(join(FIXTURES, 'SOURCES.md'), 'utf8');
  for (const file of files) expect(sources, `SOURCES.md names the origin of ${file}`).toContain(`| ${file} |`);
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'event patterns of the example, as Terraform plans them', () => {
  it('one rule per trigger and per watched bucket, each a valid pattern', () => {
    expect(Object.keys(rules).sort()).toEqual([
      'ecr',
      'ecr-scan',
      'ecs',
      'ecs-hooks',
      'manual',
      'release-tasks',
      's3-cloudtrail-myproject-artifacts-dev',
      's3-myproject-config-dev',
      'ssm',
    ]);
    for (const pattern of Object.values(rules)) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it.each(Object.entries(EXPECTED))('%s → %j', (file, expected) => {
    expect(matchingRules(rules, fixture(file))).toEqual([...expected].sort());
  });

  // A request that names no env or project reaches the function, which refuses it where the sender
  // sees it (or, with manual_deploy_require_scope = false, carries it out): in both cases the rule
  // is the same, and never lets through another deployment's request.
  it('manual deploys: this env and project, or none named; never another env or project', async () => {
    expect((rules.manual as { detail: unknown }).detail).toEqual({
      env: ['dev', { exists: false }],
      project: ['myproject', { exists: false }],
    });
    const other = fixture('manual-deploy-other-env.json') as { detail: Record<string, string> };
    expect(matchingRules(rules, { ...other, detail: { ...other.detail, env: 'dev' } })).toEqual(['manual']);
    expect(matchingRules(rules, { ...other, detail: { ...other.detail, env: 'dev-eu' } })).toEqual([]);
    expect(matchingRules(rules, { ...other, detail: { ...other.detail, env: 'dev', project: 'myproject-eu' } })).toEqual([]);
    const relaxed = (await fixturePlan()).module('manual_without_scope');
    expect(lambdaEnvironment(relaxed).MANUAL_DEPLOY_REQUIRE_SCOPE).toBe('false');
    expect(patternsOf(relaxed).manual).toEqual(rules.manual);
  });

  it('every event a rule lets through is one the code routes to that trigger', async () => {
    const { route } = await import('../../src/triggers/router.js');
    const all = { ecr: true, ssm: true, s3: true, manual: true };
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (expected.length === 0) continue;
      const decision = route(fixture(file) as Parameters<typeof route>[0], all);
      const trigger = (expected[0] as string).startsWith('s3-')
        ? 's3'
        : expected[0] === 'ecr-scan'
          ? 'ecr'
          : expected[0] === 'release-tasks' || expected[0] === 'ecs-hooks'
            ? 'ecs'
            : expected[0];
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

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'manual deploys on their own bus (manual_deploy_principals)', () => {
  it("the manual rule is on the module's bus; no rule of the default bus lets a manual deploy through", () => {
    const buses = Object.fromEntries(
      Object.entries(manualBus.instances('aws_cloudwatch_event_rule', 'this')).map(([k, r]) => [k, r.event_bus_name]),
    );
    expect(buses).toEqual({ ecr: 'default', ecs: 'default', manual: 'myproject-deploybridge-dev-manual-deploys', ssm: 'default' });
    const patterns = patternsOf(manualBus);
    const onDefaultBus = Object.fromEntries(Object.entries(patterns).filter(([k]) => buses[k] === 'default'));
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (!expected.includes('manual')) continue;
      expect(matchingRules(onDefaultBus, fixture(file)), file).toEqual([]);
      expect(matchingRules({ manual: patterns.manual as EventPattern }, fixture(file)), file).toEqual(['manual']);
    }
    expect(matchingRules(patterns, fixture('manual-deploy-other-env.json'))).toEqual([]);
  });
});
