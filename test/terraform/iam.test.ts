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
 *   checked by asking src/naming.ts which names the code would deploy to; "*" as a resource only
 *   for ecs:DescribeTaskDefinition and ssm:DescribeParameters, which have no resource-level
 *   permissions.
 *
 * Policies are evaluated with the inputs of terraform/examples/complete (see hcl.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from './contract.js';
import { loadTerraform, type Loaded, type ModuleInstance, type PolicyStatement, type Value } from './hcl.js';
import { awsCalls, envReads, lambdaSources, type AwsCalls, type SourceFile } from './source.js';

let tf: Loaded;
// The scan of src/ is synchronous: done at collection, so test titles can say what it found.
const files: SourceFile[] = lambdaSources();
const calls: AwsCalls = awsCalls(files);
const reads = envReads(files);
/** Features of other issues whose code is not in src/ yet: the module is ahead of the code for them. */
const pendingFeatures = FEATURES.filter((f) => !f.envVars.some((v) => reads.has(v)));
const state = (f: (typeof FEATURES)[number]) => (pendingFeatures.includes(f) ? 'not in src/ yet: module ready, kept out of the exact comparison' : 'in src/: granted exactly as called');
const REQUIRED_INPUTS = { project_name: 'myproject', project_env: 'dev', service_config: {} };
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

beforeAll(async () => {
  tf = await loadTerraform();
});

const allowed = (statements: PolicyStatement[]) => statements.filter((s) => s.effect === 'Allow');
const actionsOf = (statements: PolicyStatement[]) => [...new Set(allowed(statements).flatMap((s) => s.actions))].sort();

/** IAM's wildcard match of an ARN against a resource pattern. */
function iamMatch(pattern: string, arn: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`);
  return re.test(arn);
}

/** Is `action` on `arn` allowed by the statements? */
function allows(statements: PolicyStatement[], action: string, arn: string): boolean {
  return allowed(statements).some((s) => s.actions.includes(action) && s.resources.some((r) => iamMatch(r, arn)));
}

function deployer(m: ModuleInstance): PolicyStatement[] {
  return m.policyDocument('deployer');
}

async function namingFor(m: ModuleInstance) {
  const fn = m.instances('resource', 'aws_lambda_function', 'this') as { get(k: string): Value };
  const env = ((fn.get('environment') as Value[])[0] as Record<string, Value>).variables as Record<string, string>;
  const { loadConfig } = await import('../../src/config.js');
  const { Naming } = await import('../../src/naming.js');
  const config = loadConfig({ ...env, AWS_REGION: REGION });
  return { config, naming: new Naming(config) };
}

describe('IAM actions against the calls in src/', () => {
  it('derives the calls from src/ without problems', () => {
    expect(calls.problems).toEqual([]);
    expect([...calls.actions.keys()]).toEqual(expect.arrayContaining(['ecs:DescribeTaskDefinition', 'ecs:UpdateService']));
  });

  it('the deployer policy grants exactly the actions the code calls (example inputs)', () => {
    const expected = [...calls.actions.keys()].sort();
    const granted = actionsOf(deployer(tf.root.module('deploybridge')));
    const aheadOfCode = (action: string) => pendingFeatures.some((f) => f.actions.test(action));
    const missing = expected.filter((a) => !granted.includes(a));
    const extra = granted.filter((a) => !expected.includes(a) && !aheadOfCode(a));
    expect(missing, `called by src/ but not granted: ${missing.map((a) => `${a} (${calls.actions.get(a)?.join('; ')})`).join(', ')}`).toEqual([]);
    expect(extra, 'granted but never called by src/').toEqual([]);
  });

  it.each(FEATURES.map((f) => [f.name, state(f), f] as const))('%s: %s; nothing granted unless configured', (_name, _state, feature) => {
    const granted = actionsOf(deployer(tf.root.module('deploybridge'))).filter((a) => feature.actions.test(a));
    if (pendingFeatures.includes(feature)) {
      // Not in src/ yet: the module is ready for it; the exact comparison applies when it lands.
      expect(granted.every((a) => feature.actions.test(a))).toBe(true);
    } else {
      expect(granted).toEqual([...calls.actions.keys()].filter((a) => feature.actions.test(a)).sort());
    }
    // Without Lambda targets or idempotency configured (nor the deployments table, on by default), none of these is granted.
    const bare = actionsOf(deployer(tf.instantiate({ ...REQUIRED_INPUTS, enable_deployments_table: false }))).filter((a) => feature.actions.test(a));
    expect(bare).toEqual([]);
  });

  it('grants only the ECS calls, the image description, who changed a parameter, the deployments table and the webhook read when nothing optional is configured', () => {
    const base = ['dynamodb:GetItem', 'dynamodb:PutItem', 'ecr:DescribeImages', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:UpdateService', 'ssm:DescribeParameters'];
    expect(actionsOf(deployer(tf.instantiate(REQUIRED_INPUTS)))).toEqual([...base, 'ssm:GetParameter']);
    expect(actionsOf(deployer(tf.instantiate({ ...REQUIRED_INPUTS, enable_slack_notifications: false })))).toEqual(base);
    // Without the table and the ECS events rule, nothing follows deployments.
    expect(actionsOf(deployer(tf.instantiate({ ...REQUIRED_INPUTS, enable_deployments_table: false, enable_ecs_events: false, enable_slack_notifications: false })))).toEqual(['ecr:DescribeImages', 'ecs:DescribeTaskDefinition', 'ecs:UpdateService', 'ssm:DescribeParameters']);
  });

  it('each planning read goes with the trigger that makes it', () => {
    const actions = (inputs: Record<string, Value>) => actionsOf(deployer(tf.instantiate({ ...REQUIRED_INPUTS, ...inputs })));
    const envFiles = { service_config: { api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }] } };
    expect(actions(envFiles)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucketVersions']));
    expect(actions({ ...envFiles, enable_s3_monitoring: false }).filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(actions({ enable_ssm_monitoring: false })).not.toContain('ssm:DescribeParameters');
    // Findings are read only when the scan gate refuses an image.
    expect(actions({})).not.toContain('ecr:DescribeImageScanFindings');
    expect(actions({ ecr_scan_gate: 'HIGH' }).filter((a) => a.startsWith('ecr:'))).toEqual(['ecr:DescribeImageScanFindings', 'ecr:DescribeImages']);
    expect(actions({ enable_ecr_monitoring: false }).filter((a) => a.startsWith('ecr:'))).toEqual([]);
    // With the gate, a manual deploy shows its images' scans (DescribeImages), even without ECR pushes.
    expect(actions({ enable_ecr_monitoring: false, ecr_scan_gate: 'HIGH' }).filter((a) => a.startsWith('ecr:'))).toEqual(['ecr:DescribeImages']);
  });

  it('why tasks failed: service events of this project\'s services, tasks of its cluster; ListTasks held to the cluster by ecs:cluster', async () => {
    const m = tf.instantiate(REQUIRED_INPUTS);
    const statements = deployer(m);
    const { naming } = await namingFor(m);
    const ecsArn = (kind: string, rest: string, region = REGION) => `arn:aws:ecs:${region}:${ACCOUNT}:${kind}/${rest}`;
    expect(allows(statements, 'ecs:DescribeServices', ecsArn('service', `${naming.cluster}/${naming.ecsNames('api').service}`))).toBe(true);
    expect(allows(statements, 'ecs:DescribeServices', ecsArn('service', `${naming.cluster}/someone_else`))).toBe(false);
    expect(allows(statements, 'ecs:DescribeTasks', ecsArn('task', `${naming.cluster}/0123456789abcdef`))).toBe(true);
    expect(allows(statements, 'ecs:DescribeTasks', ecsArn('task', 'other_cluster/0123456789abcdef'))).toBe(false);
    const list = statements.filter((st) => st.actions.includes('ecs:ListTasks'));
    expect(list.map((st) => [st.actions, st.resources, st.conditions])).toEqual([[['ecs:ListTasks'], ['*'], [{ test: 'ArnEquals', variable: 'ecs:cluster', values: [ecsArn('cluster', naming.cluster)] }]]]);
    expect(actionsOf(deployer(tf.instantiate({ ...REQUIRED_INPUTS, enable_ecs_events: false })))).not.toEqual(expect.arrayContaining(['ecs:ListTasks']));
  });

  it('the deployments table: the one created, or the one given (e.g. the idempotency table); the bot token parameter when given', () => {
    const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    const created = deployer(tf.instantiate(REQUIRED_INPUTS));
    expect(allows(created, 'dynamodb:PutItem', table('myproject-deploybridge-dev-deployments'))).toBe(true);
    expect(allows(created, 'dynamodb:GetItem', table('myproject-deploybridge-dev-idempotency'))).toBe(false);
    const shared = tf.instantiate({ ...REQUIRED_INPUTS, enable_idempotency: true, deployments_table_name: 'myproject-deploybridge-dev-idempotency' });
    expect(allows(deployer(shared), 'dynamodb:PutItem', table('myproject-deploybridge-dev-idempotency'))).toBe(true);
    expect(allows(deployer(shared), 'dynamodb:PutItem', table('myproject-deploybridge-dev-deployments'))).toBe(false);
    expect(shared.instances('resource', 'aws_dynamodb_table', 'deployments')).toEqual([]);
    const bot = deployer(tf.instantiate({ ...REQUIRED_INPUTS, slack_bot_token_ssm_parameter_name: '/shared/slack/bot-token', slack_channel: 'C0DEPLOYS' }));
    expect(allows(bot, 'ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shared/slack/bot-token`)).toBe(true);
  });

  it('kms:Decrypt only for a customer managed key, on that key, for that parameter only', () => {
    expect(files.some((f) => /getParameter\([^)]*decrypt:\s*true/.test(f.text)), 'the code reads the webhook decrypted').toBe(true);
    expect(actionsOf(deployer(tf.root.module('deploybridge')))).not.toContain('kms:Decrypt');
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0c9e1f4e-8d2b-4d55-a0f4-5a1b2c3d4e5f`;
    const statements = deployer(tf.instantiate({ ...REQUIRED_INPUTS, slack_webhook_kms_key_arn: key }));
    const kms = statements.filter((s) => s.actions.includes('kms:Decrypt'));
    expect(kms).toHaveLength(1);
    expect(kms[0]?.actions).toEqual(['kms:Decrypt']);
    expect(kms[0]?.resources).toEqual([key]);
    expect(kms[0]?.conditions).toEqual([{ test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/deploybridge/myproject/dev/slack-webhook-url`] }]);
  });

  it('no iam:PassRole: the code never registers task definitions nor changes roles', () => {
    expect(actionsOf(deployer(tf.root.module('deploybridge')))).not.toContain('iam:PassRole');
    expect([...calls.actions.keys()].filter((a) => /^ecs:(RegisterTaskDefinition|RunTask|StartTask|CreateService)$/.test(a))).toEqual([]);
  });

  it('the runtime policy: log streams of its own log group and the failed-events queue, nothing else', () => {
    const runtime = tf.root.module('deploybridge').policyDocument('runtime');
    expect(runtime.map((s) => [s.actions, s.resources])).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/myproject-deploybridge-dev:*`]],
      [['sqs:SendMessage'], [`arn:aws:sqs:${REGION}:${ACCOUNT}:myproject-deploybridge-dev-failed-events`]],
    ]);
  });
});

describe('IAM statements', () => {
  const variants: Array<[string, () => ModuleInstance]> = [
    ['example', () => tf.root.module('deploybridge')],
    ['required inputs only', () => tf.instantiate(REQUIRED_INPUTS)],
    ['customer managed key', () => tf.instantiate({ ...REQUIRED_INPUTS, slack_webhook_kms_key_arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k` })],
  ];

  it.each(variants)('no "*" in any action, only Allow, no NotAction/NotResource (%s)', (_name, make) => {
    const m = make();
    for (const doc of Object.keys(tf.module.data.aws_iam_policy_document ?? {})) {
      for (const s of m.policyDocument(doc)) {
        expect(s.effect, `${doc}/${s.sid}`).toBe('Allow');
        expect(s.notActions, `${doc}/${s.sid}`).toEqual([]);
        expect(s.notResources, `${doc}/${s.sid}`).toEqual([]);
        expect(s.actions.length, `${doc}/${s.sid} has actions`).toBeGreaterThan(0);
        for (const action of s.actions) expect(action, `${doc}/${s.sid}`).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      }
    }
  });

  it.each(variants)('every resource is scoped to this account and region; "*" only for ecs:DescribeTaskDefinition, ssm:DescribeParameters and ecs:ListTasks held to the cluster (%s)', (_name, make) => {
    const m = make();
    for (const s of [...deployer(m), ...m.policyDocument('runtime')]) {
      for (const r of s.resources) {
        if (r === '*') {
          expect([['ecs:DescribeTaskDefinition'], ['ssm:DescribeParameters'], ['ecs:ListTasks']], 'the only "*" resources').toContainEqual(s.actions);
          if (s.actions.includes('ecs:ListTasks')) expect(s.conditions.map((c) => c.variable)).toEqual(['ecs:cluster']);
          continue;
        }
        expect(r).toMatch(/^arn:aws:/);
        const [, , service, region, account] = r.split(':');
        if (service === 's3' && s.actions.includes('s3:ListBucketVersions')) {
          // A bucket-level action: the bucket, with the listing kept to the env files' keys.
          expect(r, 'S3 bucket ARN (no wildcard)').toMatch(/^arn:aws:s3:::[^*?/]+$/);
          expect(s.conditions.map((c) => [c.test, c.variable])).toEqual([['StringEquals', 's3:prefix']]);
        } else if (service === 's3') expect(r, 'S3 object ARN (no wildcard)').toMatch(/^arn:aws:s3:::[^*?]+\/[^*?]+$/);
        else {
          expect(region, r).toBe(REGION);
          expect(account, r).toBe(ACCOUNT);
        }
      }
    }
  });
});

describe('IAM resources follow the naming patterns (asked of src/naming.ts)', () => {
  const patternVariants: Array<[string, Record<string, Value>]> = [
    ['default patterns', {}],
    ['custom patterns and backend name', { cluster_name_pattern: '{env}-{project}', service_name_pattern: '{project}-{name}-{env}', backend_service_name: 'core', lambda_function_pattern: '{project}-fn-{name}' }],
    ['patterns with {name} first', { service_name_pattern: '{name}-{project}-{env}', lambda_function_pattern: '{name}_{project}' }],
  ];

  it.each(patternVariants)('UpdateService: every service of this project and env, nothing else (%s)', async (_name, inputs) => {
    const m = tf.instantiate({ ...REQUIRED_INPUTS, ...inputs });
    const { naming } = await namingFor(m);
    const statements = deployer(m);
    const arn = (cluster: string, service: string, account = ACCOUNT, region = REGION) => `arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`;
    for (const service of ['api', 'worker', 'backend', 'core', 'billing-v2']) {
      const names = naming.ecsNames(service);
      expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service)), `${service} → ${names.service}`).toBe(true);
      expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service, '999999999999')), 'another account').toBe(false);
      expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service, ACCOUNT, 'us-east-1')), 'another region').toBe(false);
      expect(allows(statements, 'ecs:UpdateService', arn(`${names.cluster}-other`, names.service)), 'another cluster').toBe(false);
    }
    const { naming: other } = await namingFor(tf.instantiate({ ...REQUIRED_INPUTS, ...inputs, project_name: 'otherproject' }));
    const { naming: prod } = await namingFor(tf.instantiate({ ...REQUIRED_INPUTS, ...inputs, project_env: 'prod' }));
    for (const foreign of [other, prod]) {
      const names = foreign.ecsNames('api');
      expect(allows(statements, 'ecs:UpdateService', arn(names.cluster, names.service)), `${names.cluster}/${names.service}`).toBe(false);
      expect(allows(statements, 'ecs:UpdateService', arn(naming.cluster, names.service)), `${names.service} in our cluster`).toBe(false);
    }
  });

  it.each(patternVariants)('Lambda targets: the configured functions, their versions and aliases only (%s)', async (_name, inputs) => {
    const lambda_config = { thumbnailer: { alias: 'live' }, backend: {}, legacy: { function_name: 'legacy-thumbs' } };
    const m = tf.instantiate({ ...REQUIRED_INPUTS, ...inputs, lambda_config });
    const { naming, config } = await namingFor(m);
    const statements = deployer(m);
    const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    const functions = Object.keys(lambda_config).map((service) => {
      const configured = (config as { lambdaConfig?: Record<string, { functionName?: string }> }).lambdaConfig?.[service]?.functionName;
      return configured ?? naming.lambdaFunctionName(service);
    });
    expect(functions).toContain('legacy-thumbs');
    for (const fn of functions) {
      for (const action of ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunctionConfiguration']) expect(allows(statements, action, fnArn(fn)), `${action} ${fn}`).toBe(true);
      expect(allows(statements, 'lambda:InvokeFunction', `${fnArn(fn)}:7`), `invoke version 7 of ${fn}`).toBe(true);
      expect(allows(statements, 'lambda:UpdateAlias', `${fnArn(fn)}:live`), `alias of ${fn}`).toBe(true);
    }
    expect(allows(statements, 'lambda:UpdateFunctionCode', fnArn('myproject-deploybridge-dev')), 'deploybridge itself').toBe(false);
    expect(allows(statements, 'lambda:UpdateFunctionCode', fnArn(naming.lambdaFunctionName('other'))), 'an unconfigured service').toBe(false);
  });

  it('S3: the artifacts of Lambda targets and the env files (read and compared), no other object', () => {
    const statements = deployer(tf.root.module('deploybridge'));
    expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-artifacts-dev/thumbnailer/lambda.zip')).toBe(true);
    expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-artifacts-dev/other.zip')).toBe(false);
    for (const key of ['api/.env', 'worker/.env', 'shared/common.env']) {
      for (const action of ['s3:GetObject', 's3:GetObjectVersion']) expect(allows(statements, action, `arn:aws:s3:::myproject-config-dev/${key}`), `${action} ${key}`).toBe(true);
    }
    expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::myproject-config-dev/other/.env')).toBe(false);
    // Versions are listed on the config bucket only, with the prefix (the code's Prefix = the key) kept to the env files.
    const listing = statements.filter((s) => s.actions.includes('s3:ListBucketVersions'));
    expect(listing.map((s) => [s.resources, s.conditions])).toEqual([
      [['arn:aws:s3:::myproject-config-dev'], [{ test: 'StringEquals', variable: 's3:prefix', values: ['api/.env', 'shared/common.env', 'worker/.env'] }]],
    ]);
  });

  it('ECR: the project\'s repositories only ({project}_backend, {project}_service_*)', () => {
    const statements = deployer(tf.root.module('deploybridge'));
    const repo = (name: string, account = ACCOUNT) => `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
    for (const action of ['ecr:DescribeImages', 'ecr:DescribeImageScanFindings']) {
      expect(allows(statements, action, repo('myproject_backend')), action).toBe(true);
      expect(allows(statements, action, repo('myproject_service_api')), action).toBe(true);
      expect(allows(statements, action, repo('otherproject_service_api')), action).toBe(false);
      expect(allows(statements, action, repo('myproject_backend_lookalike')), action).toBe(false);
      expect(allows(statements, action, repo('myproject_service_api', '999999999999')), action).toBe(false);
    }
  });

  it('SSM: the webhook parameter only, not the services\' parameters; DynamoDB: the idempotency table only', () => {
    const statements = deployer(tf.root.module('deploybridge'));
    const param = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
    expect(allows(statements, 'ssm:GetParameter', param('/deploybridge/myproject/dev/slack-webhook-url'))).toBe(true);
    expect(allows(statements, 'ssm:GetParameter', param('/dev/myproject/api/DATABASE_URL'))).toBe(false);
    const given = deployer(tf.instantiate({ ...REQUIRED_INPUTS, slack_webhook_ssm_parameter_name: '/shared/slack/deploys' }));
    expect(allows(given, 'ssm:GetParameter', param('/shared/slack/deploys'))).toBe(true);
    expect(allows(statements, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/myproject-deploybridge-dev-idempotency`)).toBe(true);
    expect(allows(statements, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`)).toBe(false);
  });
});
