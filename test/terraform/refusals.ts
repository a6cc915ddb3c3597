/**
 * Configurations the function refuses, as module inputs: refusals.test.ts gives each to the
 * function's config loader (as the environment the module would pass) and to `terraform plan` (one
 * module block each, in a root of their own: terraform.ts), and expects both to refuse it in the
 * same words. Each case breaks one rule, so that each side says one thing about it.
 *
 * Not here: what the module cannot pass at all (an unknown field of an env file: the input's object
 * type leaves it out; JSON text that is not JSON: the module's own `jsondecode` refuses it).
 */
import { CONTRACT, type Value } from './contract.js';
import { REQUIRED_INPUTS } from './scenarios.js';

const env = (bucket: string, key: string) => [{ bucket, key }];
/** An object whose one key is "__proto__" (an object literal would set its prototype instead). */
const protoKey = (value: Value) => JSON.parse(`{"__proto__":${JSON.stringify(value)}}`) as Record<string, Value>;

/** Approvals with all they stand on: each approvals case takes one thing away. */
const APPROVALS: Record<string, Value> = {
  approvers: ['U0APPROVER'],
  slack_bot_token_ssm_parameter_name: '/deploybridge/myproject/dev/slack-bot-token',
  slack_channel: 'C0DEPLOYS',
  slack_signing_secret_ssm_parameter: '/deploybridge/myproject/dev/slack-signing-secret',
  // The module's own table is named at apply time: an existing one, so the environment names it too.
  deployments_table_name: 'myproject-deploybridge-dev-deployments',
};

/** Module block name → the inputs that break one rule (over REQUIRED_INPUTS). */
export const REFUSALS: Record<string, Record<string, Value>> = {
  project_name_empty: { project_name: '' },
  project_name_spaces: { project_name: 'my project' },
  project_env_path: { project_env: 'dev/eu' },
  backend_service_name_path: { backend_service_name: 'core/v2' },
  log_level_unknown: { log_level: 'verbose' },

  // The patterns: placeholders, {name} where each service needs its own name, what they render.
  cluster_pattern_placeholder: { cluster_name_pattern: '{project}_{cluster}' },
  cluster_pattern_dots: { cluster_name_pattern: '{project}.cluster.{env}' },
  service_pattern_without_name: { service_name_pattern: '{project}_service_{env}' },
  service_pattern_slash: { service_name_pattern: '{project}/{name}_{env}' },
  task_family_constant: { task_family_pattern: 'fam' },
  task_family_placeholder: { task_family_pattern: '{family}_{name}' },
  lambda_pattern_colon: { lambda_function_pattern: '{project}:{name}' },
  lambda_pattern_without_name: { lambda_function_pattern: '{project}_lambda_{env}' },
  backend_renders_too_long: { backend_service_name: 'b'.repeat(64), lambda_function_pattern: '{name}_{env}' },

  // SERVICE_CONFIG.
  service_config_null: { service_config: null },
  service_config_path_key: { service_config: { 'api/v2': env('myproject-config-dev', 'api/.env') } },
  service_config_proto_key: { service_config: protoKey(env('myproject-config-dev', 'api/.env')) },
  service_config_bucket_case: { service_config: { api: env('My_Bucket', 'api/.env') } },
  service_config_bucket_ip: { service_config: { api: env('192.168.1.2', 'api/.env') } },
  service_config_key_slash: { service_config: { api: env('myproject-config-dev', '/api/.env') } },
  service_config_key_folder: { service_config: { api: env('myproject-config-dev', 'api/') } },
  service_config_key_empty: { service_config: { api: env('myproject-config-dev', '') } },
  service_config_backend_twice: {
    backend_service_name: 'core',
    service_config: { backend: env('myproject-config-dev', 'a.env'), core: env('myproject-config-dev', 'b.env') },
  },

  // LAMBDA_CONFIG.
  lambda_config_path_key: { lambda_config: { 'thumb/v2': {} } },
  lambda_config_proto_key: { lambda_config: protoKey({}) },
  lambda_config_function_name: { lambda_config: { thumbnailer: { function_name: 'has spaces' } } },
  lambda_config_qualified_arn: {
    lambda_config: { thumbnailer: { function_name: 'arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live' } },
  },
  lambda_config_alias_version: { lambda_config: { thumbnailer: { alias: '12' } } },
  lambda_config_artifact_bucket: { lambda_config: { thumbnailer: { artifact: { bucket: 'My_Bucket', key: 'thumbnailer/lambda.zip' } } } },
  lambda_config_artifact_key: { lambda_config: { thumbnailer: { artifact: { bucket: 'myproject-artifacts', key: '/lambda.zip' } } } },
  lambda_config_expect_array: { lambda_config: { thumbnailer: { smoke_test: { expect: '[200]' } } } },
  lambda_config_expect_proto: { lambda_config: { thumbnailer: { smoke_test: { expect: '{"__proto__":{"statusCode":200}}' } } } },
  lambda_config_same_function: { lambda_config: { a: { function_name: 'shared' }, b: { function_name: 'shared' } } },
  lambda_config_rendered_too_long: { lambda_config: { ['t'.repeat(60)]: {} } },
  lambda_config_backend_twice: {
    backend_service_name: 'core',
    service_config: { backend: env('myproject-config-dev', 'a.env') },
    lambda_config: { core: {} },
  },

  // Numbers, lists, Slack.
  deployment_timeout_fraction: { deployment_timeout_seconds: 1.5 },
  deployment_timeout_zero: { deployment_timeout_seconds: 0 },
  deployment_timeout_too_long: { deployment_timeout_seconds: 901 },
  max_deployment_retries_negative: { max_deployment_retries: -1 },
  idempotency_ttl_zero: { idempotency_ttl_seconds: 0 },
  manual_deploy_accounts_short: { manual_deploy_accounts: ['123456789012', '12345'] },
  ecr_scan_gate_low: { ecr_scan_gate: 'LOW' },
  slack_channel_space: { slack_channel: 'deploys channel' },
  slack_bot_token_without_channel: { slack_bot_token_ssm_parameter_name: '/deploybridge/myproject/dev/slack-bot-token' },
  slack_api_url_scheme: { slack_api_url: 'slack.com/api' },
  sns_topic_fifo: { sns_topic_arn: 'arn:aws:sns:eu-west-1:123456789012:deploys.fifo' },

  // Approvals: who approves, how long a request waits, and what approvals stand on.
  approvers_not_user_ids: { ...APPROVALS, approvers: ['U0APPROVER', 'alice'] },
  approvers_slack_off: { ...APPROVALS, enable_slack_notifications: false },
  approvers_without_bot_token: { ...APPROVALS, slack_bot_token_ssm_parameter_name: null },
  approvers_without_signing_secret: { ...APPROVALS, slack_signing_secret_ssm_parameter: null },
  approvers_without_deployments_table: { ...APPROVALS, enable_deployments_table: false, deployments_table_name: null },
  approval_expiry_zero: { approval_expiry_minutes: 0 },
  approval_expiry_too_long: { approval_expiry_minutes: 10_081 },
};

/** The module blocks of the refusals root: each case over the required inputs. */
export const REFUSED_SCENARIOS: Record<string, Record<string, Value>> = Object.fromEntries(
  Object.entries(REFUSALS).map(([name, inputs]) => [name, { ...REQUIRED_INPUTS, ...inputs }]),
);

/** Inputs the module passes on as they are to a variable of another name. */
const PASSED_AS = {
  slack_webhook_ssm_parameter_name: 'SLACK_WEBHOOK_SSM_PARAMETER',
  slack_bot_token_ssm_parameter_name: 'SLACK_BOT_TOKEN_SSM_PARAMETER',
  deployments_table_name: 'DEPLOYMENTS_TABLE',
} as const satisfies Record<string, keyof typeof CONTRACT>;

/** The environment variable a module input sets as it is (`undefined`: none, or a computed one). */
function variableOf(input: string): string | undefined {
  if (input in PASSED_AS) return PASSED_AS[input as keyof typeof PASSED_AS];
  return Object.entries(CONTRACT).find(([name, v]) => v.module === 'input' && name.toLowerCase() === input)?.[0];
}

/**
 * LAMBDA_CONFIG as the module passes it (terraform/main.tf, local.lambda_config): unset fields left
 * out, the smoke test's JSON texts decoded (`payload` defaults to "{}").
 */
function lambdaConfigAsPassed(value: Value): Value {
  const targets = value as Record<string, Record<string, Value>>;
  return Object.fromEntries(
    Object.entries(targets).map(([service, target]) => {
      const { smoke_test: smoke, ...rest } = target;
      if (smoke === undefined || smoke === null) return [service, rest];
      const { payload, expect } = smoke as { payload?: string; expect?: string };
      const decoded = {
        payload: JSON.parse(payload ?? '{}') as Value,
        ...(expect === undefined ? {} : { expect: JSON.parse(expect) as Value }),
      };
      return [service, { ...rest, smoke_test: decoded }];
    }),
  );
}

/**
 * The function's environment for these module inputs, as terraform/lambda.tf builds it: lists
 * comma-joined, maps as JSON, numbers and booleans as text, null left unset. Only the variables
 * the inputs set; the function's defaults are the module's (module.test.ts holds them together),
 * and refusals.test.ts checks this against Terraform's own plans of the valid scenarios.
 */
export function environmentOf(inputs: Record<string, Value>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [input, value] of Object.entries(inputs)) {
    const variable = variableOf(input);
    if (variable === undefined || value === null) continue;
    if (input === 'lambda_config') {
      if (Object.keys(value as object).length > 0) environment[variable] = JSON.stringify(lambdaConfigAsPassed(value));
    } else if (Array.isArray(value)) {
      // Lists of names or account ids; manual_deploy_accounts = [] leaves the variable unset.
      if (value.length > 0 || input !== 'manual_deploy_accounts') environment[variable] = value.map(String).join(',');
    } else environment[variable] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return environment;
}
