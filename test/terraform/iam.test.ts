/**
 * Least privilege, checked against the code:
 *
 * - the actions of the function's "deployer" policy equal the AWS calls src/ makes (derived by
 *   test/terraform/source.ts: every `new …Command` of an @aws-sdk/client-* package, SDK waiters,
 *   and the calls made inside the Powertools libraries the code imports) — a missing or an extra
 *   permission fails;
 * - the "runtime" policy holds only what the Lambda platform does with the role (logs, the
 *   on-failure destination);
 * - no "*" in any action; every resource is this project's, following the naming patterns —
 *   checked by asking src/config/naming.ts which names the code would deploy to; "*" as a resource only
 *   for ecs:DescribeTaskDefinition and ssm:DescribeParameters, which have no resource-level
 *   permissions.
 *
 * The policies are those Terraform planned (the JSON sent to AWS, from `terraform show -json`):
 * of terraform/examples/complete and of the fixture root (scenarios.ts). The statements themselves
 * are also pinned by `terraform test` (terraform/tests/).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from './contract.js';
import { LAMBDA_TARGETS, SCENARIOS } from './scenarios.js';
import { awsCalls, envReads, lambdaSources, type AwsCalls, type SourceFile } from './source.js';
import {
  examplePlan,
  fixturePlan,
  lambdaEnvironment,
  policyStatements,
  SKIPPED,
  awaitPlans,
  TEST_ACCOUNT_ID,
  TEST_REGION,
  terraformMissing,
  type Plan,
  type PlannedModule,
  type Statement,
} from './terraform.js';

// The scan of src/ is synchronous: done at collection, so test titles can say what it found.
const files: SourceFile[] = lambdaSources();
const calls: AwsCalls = awsCalls(files);
const reads = envReads(files);
/** Features whose code is not in src/: the module would be ahead of the code for them. */
const pendingFeatures = FEATURES.filter((f) => !f.envVars.some((v) => reads.has(v)));
const state = (f: (typeof FEATURES)[number]) =>
  pendingFeatures.includes(f) ? 'not in src/ yet: module ready, kept out of the exact comparison' : 'in src/: granted exactly as called';
const ACCOUNT = TEST_ACCOUNT_ID;
const REGION = TEST_REGION;

let example: Plan;
let fixture: Plan;

beforeAll(async () => {
  if (terraformMissing) return;
  await awaitPlans();
  [example, fixture] = await Promise.all([examplePlan(), fixturePlan()]);
}, 300_000);

const allowed = (statements: Statement[]) => statements.filter((s) => s.effect === 'Allow');
const actionsOf = (statements: Statement[]) => [...new Set(allowed(statements).flatMap((s) => s.actions))].sort();

/** IAM's wildcard match of an ARN against a resource pattern. */
function iamMatch(pattern: string, arn: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(arn);
}

/** Is `action` on `arn` allowed by the statements? */
function allows(statements: Statement[], action: string, arn: string): boolean {
  return allowed(statements).some((s) => s.actions.includes(action) && s.resources.some((r) => iamMatch(r, arn)));
}

const deployer = (m: PlannedModule) => policyStatements(m.one('aws_iam_role_policy', 'deployer').policy);
const runtime = (m: PlannedModule) => policyStatements(m.one('aws_iam_role_policy', 'runtime').policy);

/** Every module instance planned: the example's and each scenario of the fixture root. */
function allModules(): Array<[string, PlannedModule]> {
  return [
    ['example', example.module('deploybridge')],
    ...Object.keys(SCENARIOS).map((name) => [name, fixture.module(name)] as [string, PlannedModule]),
  ];
}

async function namingFor(env: Record<string, string>) {
  const { loadConfig } = await import('../../src/config/config.js');
  const { Naming } = await import('../../src/config/naming.js');
  const config = loadConfig({ ...env, AWS_REGION: REGION });
  return { config, naming: new Naming(config) };
}

describe('IAM actions against the calls in src/', () => {
  it('derives the calls from src/ without problems', () => {
    expect(calls.problems).toEqual([]);
    expect([...calls.actions.keys()]).toEqual(expect.arrayContaining(['ecs:DescribeTaskDefinition', 'ecs:UpdateService']));
  });

  it('the code never registers task definitions nor creates services; the only task it starts is a release task (RunTask)', () => {
    expect(
      [...calls.actions.keys()].filter(
        (a) => a === 'iam:PassRole' || /^ecs:(RegisterTaskDefinition|RunTask|StartTask|CreateService)$/.test(a),
      ),
    ).toEqual(['ecs:RunTask']);
    expect(calls.actions.get('ecs:RunTask')?.every((where) => where.includes('RunTaskCommand'))).toBe(true);
  });

  describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'the planned policies', () => {
    it('the deployer policy grants exactly the actions the code calls (example inputs)', () => {
      const expected = [...calls.actions.keys()].sort();
      const granted = actionsOf(deployer(example.module('deploybridge')));
      const aheadOfCode = (action: string) => pendingFeatures.some((f) => f.actions.test(action));
      const missing = expected.filter((a) => !granted.includes(a));
      // RunTask passes the task's roles: iam:PassRole goes with it, never called on its own.
      const implied = (action: string) => action === 'iam:PassRole' && expected.includes('ecs:RunTask');
      const extra = granted.filter((a) => !expected.includes(a) && !aheadOfCode(a) && !implied(a));
      expect(
        missing,
        `called by src/ but not granted: ${missing.map((a) => `${a} (${calls.actions.get(a)?.join('; ')})`).join(', ')}`,
      ).toEqual([]);
      expect(extra, 'granted but never called by src/').toEqual([]);
    });

    it.each(FEATURES.map((f) => [f.name, state(f), f] as const))('%s: %s; nothing granted unless configured', (_name, _state, feature) => {
      const granted = actionsOf(deployer(example.module('deploybridge'))).filter((a) => feature.actions.test(a));
      if (pendingFeatures.includes(feature)) {
        // Not in src/ yet: the module is ready for it; the exact comparison applies when it lands.
        expect(granted.every((a) => feature.actions.test(a))).toBe(true);
      } else {
        expect(granted).toEqual([...calls.actions.keys()].filter((a) => feature.actions.test(a)).sort());
      }
      // Without Lambda targets, nor idempotency and the deployments table (both on by default), none of these is granted.
      expect(actionsOf(deployer(fixture.module('minimal'))).filter((a) => feature.actions.test(a))).toEqual([]);
    });

    it('grants only the ECS calls, the image description, who changed a parameter, the two tables and the webhook read when nothing optional is configured', () => {
      const base = [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'ecr:DescribeImages',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:DescribeTasks',
        'ecs:ListTasks',
        'ecs:UpdateService',
        'ssm:DescribeParameters',
      ];
      expect(actionsOf(deployer(fixture.module('bare')))).toEqual([...base, 'ssm:GetParameter']);
      expect(actionsOf(deployer(fixture.module('driven_enable_slack_notifications')))).toEqual(base);
      // Without the tables and the ECS events rule, nothing follows deployments, and a duplicate delivery deploys again.
      expect(actionsOf(deployer(fixture.module('minimal')))).toEqual([
        'ecr:DescribeImages',
        'ecs:DescribeTaskDefinition',
        'ecs:UpdateService',
        'ssm:DescribeParameters',
      ]);
    });

    it('kms:Decrypt only for a customer managed key (the code reads the webhook decrypted)', () => {
      expect(
        files.some((f) => /getParameter\([^)]*decrypt:\s*true/.test(f.text)),
        'the code reads the webhook decrypted',
      ).toBe(true);
      expect(actionsOf(deployer(example.module('deploybridge')))).not.toContain('kms:Decrypt');
    });

    it("why tasks failed: service events of this project's services, tasks of its cluster; ListTasks held to the cluster by ecs:cluster", async () => {
      const m = fixture.module('bare');
      const statements = deployer(m);
      const { naming } = await namingFor(lambdaEnvironment(m));
      const ecsArn = (kind: string, rest: string, region = REGION) => `arn:aws:ecs:${region}:${ACCOUNT}:${kind}/${rest}`;
      expect(allows(statements, 'ecs:DescribeServices', ecsArn('service', `${naming.cluster}/${naming.ecsNames('api').service}`))).toBe(
        true,
      );
      expect(allows(statements, 'ecs:DescribeServices', ecsArn('service', `${naming.cluster}/someone_else`))).toBe(false);
      expect(allows(statements, 'ecs:DescribeTasks', ecsArn('task', `${naming.cluster}/0123456789abcdef`))).toBe(true);
      expect(allows(statements, 'ecs:DescribeTasks', ecsArn('task', 'other_cluster/0123456789abcdef'))).toBe(false);
      const list = statements.filter((st) => st.actions.includes('ecs:ListTasks'));
      expect(list.map((st) => [st.actions, st.resources, st.conditions])).toEqual([
        [['ecs:ListTasks'], ['*'], { ArnEquals: { 'ecs:cluster': [ecsArn('cluster', naming.cluster)] } }],
      ]);
      expect(actionsOf(deployer(fixture.module('minimal')))).not.toContain('ecs:ListTasks');
    });

    it('the deployments table: the one created, or the one given (e.g. the idempotency table); the bot token parameter when given', () => {
      const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      const created = deployer(fixture.module('bare'));
      expect(allows(created, 'dynamodb:PutItem', table('myproject-deploybridge-dev-deployments'))).toBe(true);
      expect(allows(created, 'dynamodb:DeleteItem', table('myproject-deploybridge-dev-deployments'))).toBe(false);
      // Idempotency is on by default: its table only may have its records deleted.
      expect(allows(created, 'dynamodb:DeleteItem', table('myproject-deploybridge-dev-idempotency'))).toBe(true);
      expect(allows(deployer(fixture.module('minimal')), 'dynamodb:GetItem', table('myproject-deploybridge-dev-idempotency'))).toBe(false);
      const shared = fixture.module('shared_table');
      expect(allows(deployer(shared), 'dynamodb:PutItem', table('myproject-deploybridge-dev-idempotency'))).toBe(true);
      expect(allows(deployer(shared), 'dynamodb:PutItem', table('myproject-deploybridge-dev-deployments'))).toBe(false);
      expect(shared.instances('aws_dynamodb_table', 'deployments')).toEqual({});
      expect(lambdaEnvironment(fixture.module('driven')).SLACK_BOT_TOKEN_SSM_PARAMETER).toBe('/shared/slack/bot-token');
      expect(
        allows(deployer(fixture.module('driven')), 'ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shared/slack/bot-token`),
      ).toBe(true);
    });

    it('the runtime policy: log streams of its own log group, the failed-events queue, and polling the coalescing queue when there is one, nothing else', () => {
      const own = [
        [
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/myproject-deploybridge-dev:*`],
        ],
        [['sqs:SendMessage'], [`arn:aws:sqs:${REGION}:${ACCOUNT}:myproject-deploybridge-dev-failed-events`]],
      ];
      const poll = [
        ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        [`arn:aws:sqs:${REGION}:${ACCOUNT}:myproject-deploybridge-dev-coalesce`],
      ];
      const statements = (m: PlannedModule) => runtime(m).map((s) => [[...s.actions].sort(), s.resources]);
      expect(statements(example.module('deploybridge'))).toEqual([...own, poll]);
      expect(statements(fixture.module('direct'))).toEqual(own);
    });
  });
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'IAM statements of every planned module', () => {
  it('no "*" in any action, only Allow, no NotAction/NotResource, iam:PassRole only to one service', () => {
    for (const [name, m] of allModules()) {
      for (const s of [...deployer(m), ...runtime(m)]) {
        const where = `${name}/${s.sid}`;
        expect(s.effect, where).toBe('Allow');
        expect(s.notActions, where).toEqual([]);
        expect(s.notResources, where).toEqual([]);
        expect(s.actions.length, `${where} has actions`).toBeGreaterThan(0);
        for (const action of s.actions) expect(action, where).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
        if (s.actions.includes('iam:PassRole'))
          expect(s.conditions.StringEquals?.['iam:PassedToService'], `${where}: iam:PassRole needs iam:PassedToService`).toBeDefined();
      }
    }
  });

  it('every resource is scoped to this account and region; "*" only for ecs:DescribeTaskDefinition, ssm:DescribeParameters and ecs:ListTasks held to the cluster', () => {
    for (const [name, m] of allModules()) {
      for (const s of [...deployer(m), ...runtime(m)]) {
        for (const r of s.resources) {
          if (r === '*') {
            expect(
              [['ecs:DescribeTaskDefinition'], ['ssm:DescribeParameters'], ['ecs:ListTasks']],
              `${name}: the only "*" resources`,
            ).toContainEqual(s.actions);
            if (s.actions.includes('ecs:ListTasks'))
              expect(
                Object.values(s.conditions).flatMap((vars) => Object.keys(vars)),
                'ListTasks held to the cluster',
              ).toEqual(['ecs:cluster']);
            continue;
          }
          expect(r).toMatch(/^arn:aws:/);
          const [, , service, region, account] = r.split(':');
          if (service === 's3' && s.actions.includes('s3:ListBucketVersions')) {
            // A bucket-level action: the bucket, with the listing kept to the env files' keys.
            expect(r, 'S3 bucket ARN (no wildcard)').toMatch(/^arn:aws:s3:::[^*?/]+$/);
            expect(Object.entries(s.conditions).map(([test, vars]) => [test, Object.keys(vars)])).toEqual([
              ['StringEquals', ['s3:prefix']],
            ]);
          } else if (service === 's3') expect(r, 'S3 object ARN (no wildcard)').toMatch(/^arn:aws:s3:::[^*?]+\/[^*?]+$/);
          else if (service === 'iam') {
            // IAM is global: a role has no region, and only PassRole (of a release task's roles) names one.
            expect(s.actions, r).toEqual(['iam:PassRole']);
            expect(region, r).toBe('');
            expect(account, r).toBe(ACCOUNT);
          } else {
            expect(region, r).toBe(REGION);
            expect(account, r).toBe(ACCOUNT);
          }
        }
      }
    }
  });
});

describe.skipIf(terraformMissing)(
  terraformMissing ? SKIPPED : 'IAM resources follow the naming patterns (asked of src/config/naming.ts)',
  () => {
    const variants = ['naming_default', 'naming_custom', 'naming_name_first'];

    it.each(variants)('UpdateService: every service of this project and env, nothing else (%s)', async (scenario) => {
      const m = fixture.module(scenario);
      const env = lambdaEnvironment(m);
      const { naming } = await namingFor(env);
      const statements = deployer(m);
      const arn = (cluster: string, service: string, account = ACCOUNT, region = REGION) =>
        `arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`;
      for (const service of ['api', 'worker', 'backend', 'core', 'billing-v2']) {
        const names = naming.ecsNames(service);
        expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service)), `${service} → ${names.service}`).toBe(true);
        expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service, '999999999999')), 'another account').toBe(false);
        expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service, ACCOUNT, 'us-east-1')), 'another region').toBe(
          false,
        );
        expect(allows(statements, 'ecs:UpdateService', arn(`${names.cluster}-other`, names.service)), 'another cluster').toBe(false);
      }
      // What the code would name for another project or env (same patterns): never allowed.
      const { naming: other } = await namingFor({ ...env, PROJECT_NAME: 'otherproject' });
      const { naming: prod } = await namingFor({ ...env, PROJECT_ENV: 'prod' });
      for (const foreign of [other, prod]) {
        const names = foreign.ecsNames('api');
        expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service)), `${names.cluster}/${names.service}`).toBe(false);
        expect(allows(statements, 'ecs:UpdateService', arn(naming.cluster, names.service)), `${names.service} in our cluster`).toBe(false);
      }
    });

    it.each(variants)('Lambda targets: the configured functions, their versions and aliases only (%s)', async (scenario) => {
      const m = fixture.module(scenario);
      const { naming, config } = await namingFor(lambdaEnvironment(m));
      const statements = deployer(m);
      const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      const functions = Object.keys(LAMBDA_TARGETS).map((service) => {
        const configured = (config as { lambdaConfig?: Record<string, { functionName?: string }> }).lambdaConfig?.[service]?.functionName;
        return configured ?? naming.lambdaFunctionName(service);
      });
      expect(functions).toContain('legacy-thumbs');
      for (const fn of functions) {
        for (const action of ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunctionConfiguration'])
          expect(allows(statements, action, fnArn(fn)), `${action} ${fn}`).toBe(true);
        expect(allows(statements, 'lambda:InvokeFunction', `${fnArn(fn)}:7`), `invoke version 7 of ${fn}`).toBe(true);
        expect(allows(statements, 'lambda:UpdateAlias', `${fnArn(fn)}:live`), `alias of ${fn}`).toBe(true);
      }
      expect(allows(statements, 'lambda:UpdateFunctionCode', fnArn('myproject-deploybridge-dev')), 'deploybridge itself').toBe(false);
      expect(allows(statements, 'lambda:UpdateFunctionCode', fnArn(naming.lambdaFunctionName('other'))), 'an unconfigured service').toBe(
        false,
      );
    });

    it('S3: the artifacts of Lambda targets and the env files (read and compared), no other object', () => {
      const statements = deployer(example.module('deploybridge'));
      expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-artifacts-dev/thumbnailer/lambda.zip')).toBe(true);
      expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-artifacts-dev/other.zip')).toBe(false);
      for (const key of ['api/.env', 'worker/.env', 'shared/common.env']) {
        for (const action of ['s3:GetObject', 's3:GetObjectVersion'])
          expect(allows(statements, action, `arn:aws:s3:::myproject-config-dev/${key}`), `${action} ${key}`).toBe(true);
      }
      expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-config-dev/other/.env')).toBe(false);
      // Versions are listed on the config bucket only, with the prefix (the code's Prefix = the key) kept to the env files.
      const listing = statements.filter((s) => s.actions.includes('s3:ListBucketVersions'));
      expect(listing.map((s) => [s.resources, s.conditions])).toEqual([
        [['arn:aws:s3:::myproject-config-dev'], { StringEquals: { 's3:prefix': ['api/.env', 'shared/common.env', 'worker/.env'] } }],
      ]);
    });

    it("ECR: the project's repositories only ({project}_backend, {project}_service_*)", () => {
      const statements = deployer(example.module('deploybridge'));
      const repo = (name: string, account = ACCOUNT) => `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
      for (const action of ['ecr:DescribeImages', 'ecr:DescribeImageScanFindings']) {
        expect(allows(statements, action, repo('myproject_backend')), action).toBe(true);
        expect(allows(statements, action, repo('myproject_service_api')), action).toBe(true);
        expect(allows(statements, action, repo('otherproject_service_api')), action).toBe(false);
        expect(allows(statements, action, repo('myproject_backend_lookalike')), action).toBe(false);
        expect(allows(statements, action, repo('myproject_service_api', '999999999999')), action).toBe(false);
      }
    });

    it("SSM: the webhook parameter only, not the services' parameters; DynamoDB: the idempotency table only", () => {
      const statements = deployer(example.module('deploybridge'));
      const param = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
      expect(allows(statements, 'ssm:GetParameter', param('/deploybridge/myproject/dev/slack-webhook-url'))).toBe(true);
      expect(allows(statements, 'ssm:GetParameter', param('/dev/myproject/api/DATABASE_URL'))).toBe(false);
      const given = deployer(fixture.module('driven'));
      expect(lambdaEnvironment(fixture.module('driven')).SLACK_WEBHOOK_SSM_PARAMETER).toBe('/shared/slack/deploys');
      expect(allows(given, 'ssm:GetParameter', param('/shared/slack/deploys'))).toBe(true);
      expect(
        allows(statements, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/myproject-deploybridge-dev-idempotency`),
      ).toBe(true);
      expect(allows(statements, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`)).toBe(false);
    });
  },
);
