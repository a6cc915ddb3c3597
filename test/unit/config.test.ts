import { describe, expect, it } from 'vitest';
import { configProblems as problemsOf } from '../helpers/app.js';
import { loadConfig } from '../../src/config/config.js';

const minimal = { PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', SERVICE_CONFIG: '{}' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      projectName: 'myproject',
      projectEnv: 'dev',
      region: 'us-east-1',
      logLevel: 'info',
      clusterNamePattern: '{project}_cluster_{env}',
      serviceNamePattern: '{project}_service_{name}_{env}',
      taskFamilyPattern: '{project}_service_{name}_{env}',
      backendServiceName: '',
      slackWebhookUrl: undefined,
      slackNotificationsEnabled: true,
      serviceConfig: {},
      deploymentTimeoutSeconds: 600,
      maxDeploymentRetries: 2,
      dryRun: false,
      features: { ecr: true, ssm: true, s3: true, manual: true },
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('reads the boolean %s as %s', (value, expected) => {
    expect(loadConfig({ ...minimal, DRY_RUN: value }).dryRun).toBe(expected);
  });

  it('reads numbers, patterns, flags and SERVICE_CONFIG', () => {
    const config = loadConfig({
      ...minimal,
      AWS_REGION: 'eu-west-1',
      LOG_LEVEL: 'DEBUG',
      DEPLOYMENT_TIMEOUT_SECONDS: '120',
      MAX_DEPLOYMENT_RETRIES: '0',
      CLUSTER_NAME_PATTERN: '{project}-{env}',
      ENABLE_ECR_MONITORING: 'no',
      BACKEND_SERVICE_NAME: 'web',
      SERVICE_CONFIG: '{"api":[{"bucket":"myproject-config-dev","key":"api/.env"}]}',
    });
    expect(config.region).toBe('eu-west-1');
    expect(config.logLevel).toBe('debug');
    expect(config.deploymentTimeoutSeconds).toBe(120);
    expect(config.maxDeploymentRetries).toBe(0);
    expect(config.clusterNamePattern).toBe('{project}-{env}');
    expect(config.features.ecr).toBe(false);
    expect(config.backendServiceName).toBe('web');
    expect(config.serviceConfig).toEqual({ api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }] });
  });

  it('does not require SERVICE_CONFIG when S3 monitoring is off', () => {
    expect(loadConfig({ PROJECT_NAME: 'p', PROJECT_ENV: 'dev', ENABLE_S3_MONITORING: 'false' }).serviceConfig).toEqual({});
  });

  it('reports every problem in one error', () => {
    const problems = problemsOf({
      LOG_LEVEL: 'verbose',
      SERVICE_CONFIG: '{"api": [',
      MAX_DEPLOYMENT_RETRIES: '-1',
      DRY_RUN: 'maybe',
    });
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        'PROJECT_NAME is required',
        'PROJECT_ENV is required',
        'DRY_RUN must be one of true/false/1/0/yes/no, got "maybe"',
        'LOG_LEVEL must be one of debug, info, warn, error, got "verbose"',
        expect.stringMatching(/^SERVICE_CONFIG is not valid JSON/),
        'MAX_DEPLOYMENT_RETRIES must be a non-negative whole number, got "-1"',
      ]),
    );
  });

  it('puts all problems in a single one-line message', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrowError(
      /^invalid configuration \(4 problems\): PROJECT_NAME is required; PROJECT_ENV is required; SERVICE_CONFIG is required while ENABLE_S3_MONITORING is on[^\n]*$/,
    );
  });

  it('names the place of a SERVICE_CONFIG schema problem', () => {
    const problems = problemsOf({ ...minimal, SERVICE_CONFIG: '{"api":[{"bucket":"b"}],"../etc":[]}' });
    expect(problems.join('\n')).toContain('SERVICE_CONFIG.api.0.key');
    expect(problems.join('\n')).toContain('SERVICE_CONFIG.../etc');
  });

  describe('names every key and field it refuses, rather than dropping it', () => {
    const serviceConfig = (entry: string) => ({ ...minimal, SERVICE_CONFIG: `{"api":[${entry}]}` });

    it('a "__proto__" service (a JSON object read into a record would silently lose it)', () => {
      expect(problemsOf({ ...minimal, SERVICE_CONFIG: '{"__proto__":[{"bucket":"b","key":"k"}]}' })).toEqual([
        'SERVICE_CONFIG: key "__proto__" is not allowed',
      ]);
      expect(problemsOf({ ...minimal, LAMBDA_CONFIG: '{"__proto__":{}}' })).toEqual(['LAMBDA_CONFIG: key "__proto__" is not allowed']);
      expect(problemsOf({ ...minimal, LAMBDA_CONFIG: '{"t":{"smoke_test":{"expect":{"__proto__":{"a":1}}}}}' })).toEqual([
        'LAMBDA_CONFIG.t.smoke_test.expect: key "__proto__" is not allowed',
      ]);
    });

    it('an unknown field of an env file or an artifact', () => {
      expect(problemsOf(serviceConfig('{"bucket":"b-1","key":"api/.env","version":"3"}'))).toEqual([
        'SERVICE_CONFIG.api.0: unknown field "version"',
      ]);
      expect(problemsOf({ ...minimal, LAMBDA_CONFIG: '{"t":{"artifact":{"bucket":"b-1","key":"t.zip","Key":"x"}}}' })).toEqual([
        'LAMBDA_CONFIG.t.artifact: unknown field "Key"',
      ]);
    });

    it.each(['My_Bucket', 'ab', 'a'.repeat(64), '-bucket', 'bucket-', 'my..bucket', '192.168.1.2', 'xn--bucket', 'bucket-s3alias', ''])(
      'bucket %j, which is not an S3 bucket name',
      (bucket) => {
        const problem =
          'bucket must be an S3 bucket name (3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit; no "..", no IP address, no reserved prefix or suffix)';
        expect(problemsOf(serviceConfig(JSON.stringify({ bucket, key: 'api/.env' })))).toEqual([`SERVICE_CONFIG.api.0.bucket: ${problem}`]);
        expect(problemsOf({ ...minimal, LAMBDA_CONFIG: JSON.stringify({ t: { artifact: { bucket, key: 't.zip' } } }) })).toEqual([
          `LAMBDA_CONFIG.t.artifact.bucket: ${problem}`,
        ]);
      },
    );

    it.each(['/api/.env', 'api/', '', 'api/\u0000.env', 'é'.repeat(513)])('key %j, which cannot name an env file', (key) => {
      const problem = 'key must be an S3 object key (1-1024 bytes, no control characters, not starting or ending with "/")';
      expect(problemsOf(serviceConfig(JSON.stringify({ bucket: 'myproject-config-dev', key })))).toEqual([
        `SERVICE_CONFIG.api.0.key: ${problem}`,
      ]);
    });

    it('accepts real bucket names and keys', () => {
      const config = loadConfig(
        serviceConfig(
          '{"bucket":"myproject-config-dev","key":"api/.env"},{"bucket":"my.bucket.1","key":"config/my app+1/é.env"},{"bucket":"abc","key":"a"}',
        ),
      );
      expect(config.serviceConfig.api).toHaveLength(3);
    });
  });

  it('requires SERVICE_CONFIG while S3 monitoring is on', () => {
    expect(problemsOf({ PROJECT_NAME: 'p', PROJECT_ENV: 'dev' })).toEqual([
      'SERVICE_CONFIG is required while ENABLE_S3_MONITORING is on: service name → [{"bucket", "key"}], {} when no service reads an env file from S3',
    ]);
  });

  it('rejects unknown placeholders, a zero timeout and names that could escape the patterns', () => {
    expect(
      problemsOf({
        ...minimal,
        SERVICE_NAME_PATTERN: '{project}_{service}_{name}',
        DEPLOYMENT_TIMEOUT_SECONDS: '0',
        PROJECT_ENV: 'dev/../prod',
      }),
    ).toEqual([
      'PROJECT_ENV must use letters, digits, "-" and "_" only (at most 64, starting with a letter or digit), got "dev/../prod"',
      'SERVICE_NAME_PATTERN uses unknown placeholder(s) {service}; use {project}, {env}, {name}',
      'DEPLOYMENT_TIMEOUT_SECONDS must be at least 1',
    ]);
  });

  it.each(['SERVICE_NAME_PATTERN', 'TASK_FAMILY_PATTERN', 'LAMBDA_FUNCTION_PATTERN'])(
    '%s must contain {name}, or every service would be one',
    (variable) => {
      expect(problemsOf({ ...minimal, [variable]: '{project}_{env}' })).toEqual([
        `${variable} must contain {name}: without it every service renders the same name ("myproject_dev")`,
      ]);
    },
  );

  it.each([
    ['SERVICE_NAME_PATTERN', '{project}/{name}_{env}', 'ECS service name', 'myproject/api_dev'],
    ['TASK_FAMILY_PATTERN', '{project}.{name}.{env}', 'task definition family', 'myproject.api.dev'],
    ['LAMBDA_FUNCTION_PATTERN', '{project}:{name}', 'function name', 'myproject:api'],
    ['CLUSTER_NAME_PATTERN', 'clusters/{project}-{env}', 'ECS cluster name', 'clusters/myproject-dev'],
  ])('%s must render names AWS accepts', (variable, pattern, what, rendered) => {
    expect(problemsOf({ ...minimal, [variable]: pattern })).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${variable} renders "${rendered.replace(/[.]/g, '\\.')}", which AWS does not accept as an? ${what} \\(letters, digits, "-" and "_"`,
        ),
      ),
    ]);
  });

  it("DEPLOYMENT_TIMEOUT_SECONDS is at most 900 (Lambda's longest timeout)", () => {
    expect(problemsOf({ ...minimal, DEPLOYMENT_TIMEOUT_SECONDS: '901' })).toEqual([
      "DEPLOYMENT_TIMEOUT_SECONDS must be at most 900 (Lambda's longest timeout), got 901",
    ]);
    expect(loadConfig({ ...minimal, DEPLOYMENT_TIMEOUT_SECONDS: '900' }).deploymentTimeoutSeconds).toBe(900);
  });

  it('never echoes the webhook URL in a problem', () => {
    const problems = problemsOf({ ...minimal, SLACK_WEBHOOK_URL: 'not a url hooks.slack.com/services/SECRET' });
    expect(problems).toEqual(['SLACK_WEBHOOK_URL must be an http(s) URL']);
  });

  it('reads the reliability settings, with their defaults', () => {
    expect(loadConfig(minimal)).toMatchObject({
      idempotencyTable: undefined,
      idempotencyTtlSeconds: 3600,
      manualDeployAccounts: [],
      protectedEnvs: ['prod', 'production'],
    });
    expect(
      loadConfig({
        ...minimal,
        IDEMPOTENCY_TABLE: 'deploybridge-idempotency',
        IDEMPOTENCY_TTL_SECONDS: '600',
        MANUAL_DEPLOY_ACCOUNTS: '111111111111, 222222222222',
        PROTECTED_ENVS: 'prod,staging',
      }),
    ).toMatchObject({
      idempotencyTable: 'deploybridge-idempotency',
      idempotencyTtlSeconds: 600,
      manualDeployAccounts: ['111111111111', '222222222222'],
      protectedEnvs: ['prod', 'staging'],
    });
  });

  it('an empty PROTECTED_ENVS protects no env (the default can be switched off)', () => {
    expect(loadConfig({ ...minimal, PROTECTED_ENVS: '' }).protectedEnvs).toEqual([]);
  });

  it('refuses account ids that are not 12 digits and a zero idempotency window', () => {
    expect(problemsOf({ ...minimal, MANUAL_DEPLOY_ACCOUNTS: '123456789012,12345,*', IDEMPOTENCY_TTL_SECONDS: '0' })).toEqual([
      'IDEMPOTENCY_TTL_SECONDS must be at least 1',
      'MANUAL_DEPLOY_ACCOUNTS must list 12-digit AWS account ids, got "12345", "*"',
    ]);
  });

  it('refuses both a webhook URL and an SSM parameter', () => {
    expect(
      problemsOf({ ...minimal, SLACK_WEBHOOK_URL: 'https://hooks.example/x', SLACK_WEBHOOK_SSM_PARAMETER: '/dev/myproject/slack' }),
    ).toEqual(['set either SLACK_WEBHOOK_URL or SLACK_WEBHOOK_SSM_PARAMETER, not both']);
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['CRITICAL', 'CRITICAL'],
    ['high', 'HIGH'],
    [' Medium ', 'MEDIUM'],
  ])('reads ECR_SCAN_GATE %j as %j (empty: no gate)', (value, expected) => {
    expect(loadConfig({ ...minimal, ...(value === undefined ? {} : { ECR_SCAN_GATE: value }) }).ecrScanGate).toBe(expected);
  });

  it.each(['LOW', 'INFORMATIONAL', 'yes'])('refuses ECR_SCAN_GATE %j', (value) => {
    expect(problemsOf({ ...minimal, ECR_SCAN_GATE: value })).toEqual([
      `ECR_SCAN_GATE must be one of CRITICAL, HIGH, MEDIUM (or empty: no gate), got "${value.toUpperCase()}"`,
    ]);
  });
});
