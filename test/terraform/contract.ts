/**
 * The configuration contract: every environment variable the function reads, its default, and how
 * the Terraform module sets it. module.test.ts checks this table against what src/ reads and
 * against the module.
 *
 * `module` says how the Terraform module handles the variable:
 * - 'input': a module input named like it in lower snake case, passed to the Lambda;
 * - 'reserved': AWS_REGION and AWS_LAMBDA_FUNCTION_NAME are set by Lambda itself (reserved variables) and cannot be set;
 * - 'secret': SLACK_WEBHOOK_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and the other channels' URLs and
 *   signing secret are never put in the function's configuration;
 * - 'module': the module computes it (the name of the table or SSM parameter it creates).
 */
/** An input value, as given to the module (JSON). */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface ContractVariable {
  /** Required by the code (no default). */
  required?: true;
  /** The default as an environment value; undefined: unset by default. */
  default?: string;
  module: 'input' | 'reserved' | 'secret' | 'module';
  /**
   * An input that changes the variable, a value for it, and the variable it must give. All of them
   * are set together in one module block of the fixture root (scenarios.ts: `driven`), but for
   * those of SEPARATE_INPUTS, each in a block of its own.
   */
  drivenBy: { input: string; value: Value; expect: (env: string | undefined) => boolean } | undefined;
}

const equals = (expected: string) => (env: string | undefined) => env === expected;
/** JSON with object keys sorted, to compare documents regardless of key order. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : typeof v === 'object' && v !== null
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const json = (expected: unknown) => (env: string | undefined) => env !== undefined && canonical(JSON.parse(env)) === canonical(expected);

export const CONTRACT: Record<string, ContractVariable> = {
  PROJECT_NAME: { required: true, module: 'input', drivenBy: { input: 'project_name', value: 'shop', expect: equals('shop') } },
  PROJECT_ENV: { required: true, module: 'input', drivenBy: { input: 'project_env', value: 'staging', expect: equals('staging') } },
  AWS_REGION: { default: 'us-east-1', module: 'reserved', drivenBy: undefined },
  LOG_LEVEL: { default: 'info', module: 'input', drivenBy: { input: 'log_level', value: 'debug', expect: equals('debug') } },
  CLUSTER_NAME_PATTERN: {
    default: '{project}_cluster_{env}',
    module: 'input',
    drivenBy: { input: 'cluster_name_pattern', value: '{project}-{env}', expect: equals('{project}-{env}') },
  },
  SERVICE_NAME_PATTERN: {
    default: '{project}_service_{name}_{env}',
    module: 'input',
    drivenBy: { input: 'service_name_pattern', value: '{env}-{project}-{name}', expect: equals('{env}-{project}-{name}') },
  },
  TASK_FAMILY_PATTERN: {
    default: '{project}_service_{name}_{env}',
    module: 'input',
    drivenBy: { input: 'task_family_pattern', value: '{project}-{name}', expect: equals('{project}-{name}') },
  },
  BACKEND_SERVICE_NAME: {
    default: '',
    module: 'input',
    drivenBy: { input: 'backend_service_name', value: 'core', expect: equals('core') },
  },
  SLACK_WEBHOOK_URL: { module: 'secret', drivenBy: undefined },
  ENABLE_SLACK_NOTIFICATIONS: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'enable_slack_notifications', value: false, expect: equals('false') },
  },
  SERVICE_CONFIG: {
    module: 'input',
    drivenBy: {
      input: 'service_config',
      value: { api: [{ bucket: 'cfg', key: 'api/.env' }] },
      expect: json({ api: [{ bucket: 'cfg', key: 'api/.env' }] }),
    },
  },
  DEPLOYMENT_TIMEOUT_SECONDS: {
    default: '600',
    module: 'input',
    drivenBy: { input: 'deployment_timeout_seconds', value: 300, expect: equals('300') },
  },
  MAX_DEPLOYMENT_RETRIES: { default: '2', module: 'input', drivenBy: { input: 'max_deployment_retries', value: 0, expect: equals('0') } },
  DRY_RUN: { default: 'false', module: 'input', drivenBy: { input: 'dry_run', value: true, expect: equals('true') } },
  ENABLE_ECR_MONITORING: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'enable_ecr_monitoring', value: false, expect: equals('false') },
  },
  ENABLE_SSM_MONITORING: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'enable_ssm_monitoring', value: false, expect: equals('false') },
  },
  ENABLE_S3_MONITORING: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'enable_s3_monitoring', value: false, expect: equals('false') },
  },
  ENABLE_MANUAL_DEPLOY: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'enable_manual_deploy', value: false, expect: equals('false') },
  },
  LAMBDA_CONFIG: {
    module: 'input',
    drivenBy: {
      input: 'lambda_config',
      value: { thumbnailer: { alias: 'live', smoke_test: { payload: '{"ping":true}', expect: '{"statusCode":200}' } }, resizer: {} },
      // Unset optional fields are left out (the code's schema is strict and has no nulls).
      expect: json({ resizer: {}, thumbnailer: { alias: 'live', smoke_test: { expect: { statusCode: 200 }, payload: { ping: true } } } }),
    },
  },
  ROLLOUT_CONFIG: {
    module: 'input',
    drivenBy: {
      input: 'rollout_config',
      value: {
        api: { alarms: ['api-5xx'], bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } },
        web: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: 'http://10.0.0.5:8080/health', expect_body: 'ok' }] },
      },
      // Unset optional fields are left out (the code's schema is strict and has no nulls).
      expect: json({
        api: { alarms: ['api-5xx'], bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } },
        web: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: 'http://10.0.0.5:8080/health', expect_body: 'ok' }] },
      }),
    },
  },
  RELEASE_CONFIG: {
    module: 'input',
    drivenBy: {
      input: 'release_config',
      value: { api: {}, worker: { after: ['api'] } },
      expect: json({ api: {}, worker: { after: ['api'] } }),
    },
  },
  LAMBDA_FUNCTION_PATTERN: {
    default: '{project}_lambda_{name}_{env}',
    module: 'input',
    drivenBy: { input: 'lambda_function_pattern', value: '{project}-{name}-{env}', expect: equals('{project}-{name}-{env}') },
  },
  // With the `driven` inputs: project shop, env staging.
  IDEMPOTENCY_TABLE: {
    module: 'module',
    drivenBy: { input: 'enable_idempotency', value: true, expect: equals('shop-deploybridge-staging-idempotency') },
  },
  IDEMPOTENCY_TTL_SECONDS: {
    default: '3600',
    module: 'input',
    drivenBy: { input: 'idempotency_ttl_seconds', value: 7200, expect: equals('7200') },
  },
  MANUAL_DEPLOY_ACCOUNTS: {
    module: 'input',
    drivenBy: { input: 'manual_deploy_accounts', value: ['111111111111', '222222222222'], expect: equals('111111111111,222222222222') },
  },
  MANUAL_DEPLOY_REQUIRE_SCOPE: {
    default: 'true',
    module: 'input',
    drivenBy: { input: 'manual_deploy_require_scope', value: false, expect: equals('false') },
  },
  PROTECTED_ENVS: {
    default: 'prod,production',
    module: 'input',
    drivenBy: { input: 'protected_envs', value: ['live'], expect: equals('live') },
  },
  // Unset in the code (no Slack from SSM); the module points it at the SecureString it creates.
  SLACK_WEBHOOK_SSM_PARAMETER: {
    module: 'module',
    drivenBy: { input: 'slack_webhook_ssm_parameter_name', value: '/shared/slack/deploys', expect: equals('/shared/slack/deploys') },
  },
  ECR_SCAN_GATE: { default: '', module: 'input', drivenBy: { input: 'ecr_scan_gate', value: 'MEDIUM', expect: equals('MEDIUM') } },
  // Following deployments and Slack with a bot token.
  DEPLOYMENTS_TABLE: {
    module: 'module',
    drivenBy: { input: 'deployments_table_name', value: 'shared-table', expect: equals('shared-table') },
  },
  SLACK_BOT_TOKEN: { module: 'secret', drivenBy: undefined },
  SLACK_BOT_TOKEN_SSM_PARAMETER: {
    module: 'module',
    drivenBy: { input: 'slack_bot_token_ssm_parameter_name', value: '/shared/slack/bot-token', expect: equals('/shared/slack/bot-token') },
  },
  SLACK_CHANNEL: { module: 'input', drivenBy: { input: 'slack_channel', value: 'C0DEPLOYS', expect: equals('C0DEPLOYS') } },
  // Approvals in Slack (with the bot token and the deployments table of the driven inputs above).
  APPROVERS: {
    module: 'input',
    drivenBy: { input: 'approvers', value: ['U0APPROVER', 'W0GRIDUSER'], expect: equals('U0APPROVER,W0GRIDUSER') },
  },
  SLACK_SIGNING_SECRET: { module: 'secret', drivenBy: undefined },
  SLACK_SIGNING_SECRET_SSM_PARAMETER: {
    module: 'input',
    drivenBy: {
      input: 'slack_signing_secret_ssm_parameter',
      value: '/shared/slack/signing-secret',
      expect: equals('/shared/slack/signing-secret'),
    },
  },
  APPROVAL_EXPIRY_MINUTES: {
    default: '1440',
    module: 'input',
    drivenBy: { input: 'approval_expiry_minutes', value: 60, expect: equals('60') },
  },
  // Lambda sets it (a reserved variable): the function's own name, for the hand-off of a click.
  AWS_LAMBDA_FUNCTION_NAME: { module: 'reserved', drivenBy: undefined },
  SLACK_API_URL: {
    default: 'https://slack.com/api',
    module: 'input',
    drivenBy: { input: 'slack_api_url', value: 'https://slack.example.com/api', expect: equals('https://slack.example.com/api') },
  },
  // The channels besides Slack: URLs and the signing secret are secrets, named by their SecureStrings.
  TEAMS_WEBHOOK_URL: { module: 'secret', drivenBy: undefined },
  TEAMS_WEBHOOK_SSM_PARAMETER: {
    module: 'module',
    drivenBy: { input: 'teams_webhook_ssm_parameter_name', value: '/shared/teams/deploys', expect: equals('/shared/teams/deploys') },
  },
  TEAMS_EVENTS: {
    default: '',
    module: 'input',
    drivenBy: { input: 'teams_events', value: ['deployment.failed', 'warning.*'], expect: equals('deployment.failed,warning.*') },
  },
  GOOGLE_CHAT_WEBHOOK_URL: { module: 'secret', drivenBy: undefined },
  GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER: {
    module: 'module',
    drivenBy: {
      input: 'google_chat_webhook_ssm_parameter_name',
      value: '/shared/google-chat/deploys',
      expect: equals('/shared/google-chat/deploys'),
    },
  },
  GOOGLE_CHAT_EVENTS: {
    default: '',
    module: 'input',
    drivenBy: { input: 'google_chat_events', value: ['deployment.*'], expect: equals('deployment.*') },
  },
  WEBHOOK_URL: { module: 'secret', drivenBy: undefined },
  WEBHOOK_SECRET: { module: 'secret', drivenBy: undefined },
  WEBHOOK_SSM_PARAMETER: {
    module: 'module',
    drivenBy: { input: 'webhook_ssm_parameter_name', value: '/shared/webhook/url', expect: equals('/shared/webhook/url') },
  },
  WEBHOOK_SECRET_SSM_PARAMETER: {
    module: 'module',
    drivenBy: { input: 'webhook_secret_ssm_parameter_name', value: '/shared/webhook/secret', expect: equals('/shared/webhook/secret') },
  },
  WEBHOOK_EVENTS: {
    default: '',
    module: 'input',
    drivenBy: {
      input: 'webhook_events',
      value: ['deployment.failed', 'deployment.rolled_back'],
      expect: equals('deployment.failed,deployment.rolled_back'),
    },
  },
  SNS_TOPIC_ARN: {
    module: 'input',
    drivenBy: {
      input: 'sns_topic_arn',
      value: 'arn:aws:sns:eu-west-1:123456789012:deploys',
      expect: equals('arn:aws:sns:eu-west-1:123456789012:deploys'),
    },
  },
  SNS_EVENTS: { default: '', module: 'input', drivenBy: { input: 'sns_events', value: ['*'], expect: equals('*') } },
};

/** Inputs that cannot be set together with the others: Slack off drops SLACK_WEBHOOK_SSM_PARAMETER. */
export const SEPARATE_INPUTS = ['enable_slack_notifications'];

/** Optional features: what of the module belongs to each, and how to tell the code has it. */
export interface Feature {
  name: string;
  envVars: string[];
  actions: RegExp;
}

export const FEATURES: Feature[] = [
  { name: 'Lambda targets', envVars: ['LAMBDA_CONFIG', 'LAMBDA_FUNCTION_PATTERN'], actions: /^(lambda:|s3:GetObject)/ },
  { name: 'Rollout checks', envVars: ['ROLLOUT_CONFIG'], actions: /^cloudwatch:/ },
  { name: 'Idempotency', envVars: ['IDEMPOTENCY_TABLE', 'IDEMPOTENCY_TTL_SECONDS'], actions: /^dynamodb:/ },
  { name: 'Manual deploy authorisation', envVars: ['MANUAL_DEPLOY_ACCOUNTS', 'PROTECTED_ENVS'], actions: /^$/ },
  { name: 'SNS for Amazon Q Developer in chat applications', envVars: ['SNS_TOPIC_ARN', 'SNS_EVENTS'], actions: /^sns:/ },
];
