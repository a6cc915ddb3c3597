/**
 * The module blocks of the fixture root that test/terraform plans once per run (terraform.ts writes
 * them as Terraform JSON next to a copy of the module): inputs whose effect the tests compare with
 * what src/ does. The example (terraform/examples/complete) is planned as it is, on its own.
 */
import { CONTRACT, SEPARATE_INPUTS, type Value } from './contract.js';

export const REQUIRED_INPUTS = { project_name: 'myproject', project_env: 'dev', service_config: {} };

/** Lambda targets: one named by the pattern, the backend, and one named explicitly. */
export const LAMBDA_TARGETS = { thumbnailer: { alias: 'live' }, backend: {}, legacy: { function_name: 'legacy-thumbs' } };

const driven = Object.values(CONTRACT).flatMap((v) => (v.drivenBy === undefined ? [] : [v.drivenBy]));

/** The scenario (module block) in which the contract's `drivenBy` input of a variable is set. */
export function drivenScenario(input: string): string {
  return SEPARATE_INPUTS.includes(input) ? `driven_${input}` : 'driven';
}

/**
 * Keys with what S3 encodes in its events: spaces, "+", "=", "%", "~", parentheses, non-ASCII. (Not
 * "*" or "?": in the module's IAM statements, which name each key, they would be wildcards.)
 */
export const ODD_KEYS = [
  'api/.env',
  'config/my app.env',
  'config/a+b=c.env',
  'config/café/über.env',
  'config/100%/.env',
  'config/~tilde.env',
  'config/(1) copy.env',
];
/** The buckets of the s3_keys scenario: one matched on S3's native events, one on CloudTrail's. */
export const ODD_KEY_BUCKETS = { native: 'myproject-config-dev', cloudtrail: 'myproject-trail-dev' };

export const SCENARIOS: Record<string, Record<string, Value>> = {
  /** Only what is required: every other input at its default. */
  bare: REQUIRED_INPUTS,
  /** Every input of the contract set to a value other than its default (see CONTRACT drivenBy). */
  driven: {
    ...REQUIRED_INPUTS,
    ...Object.fromEntries(driven.filter((d) => !SEPARATE_INPUTS.includes(d.input)).map((d) => [d.input, d.value])),
  },
  ...Object.fromEntries(
    driven
      .filter((d) => SEPARATE_INPUTS.includes(d.input))
      .map((d) => [drivenScenario(d.input), { ...REQUIRED_INPUTS, [d.input]: d.value }]),
  ),
  /** Nothing optional: no deployments table, no ECS events, no Slack, no idempotency. */
  minimal: {
    ...REQUIRED_INPUTS,
    enable_deployments_table: false,
    enable_ecs_events: false,
    enable_slack_notifications: false,
    enable_idempotency: false,
  },
  /** Deployments recorded in the idempotency table. */
  shared_table: { ...REQUIRED_INPUTS, enable_idempotency: true, deployments_table_name: 'myproject-deploybridge-dev-idempotency' },
  /** Naming patterns, as src/config/naming.ts renders them. */
  naming_default: { ...REQUIRED_INPUTS, lambda_config: LAMBDA_TARGETS },
  naming_custom: {
    ...REQUIRED_INPUTS,
    cluster_name_pattern: '{env}-{project}',
    service_name_pattern: '{project}-{name}-{env}',
    backend_service_name: 'core',
    lambda_function_pattern: '{project}-fn-{name}',
    lambda_config: LAMBDA_TARGETS,
  },
  /** No coalescing queue: every rule invokes the function. */
  direct: { ...REQUIRED_INPUTS, coalesce_window_seconds: 0 },
  /** The root module of the README's install steps ("3. Write the root module"). */
  readme_install: {
    project_name: 'myproject',
    project_env: 'dev',
    dry_run: true,
    service_config: { api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }] },
  },
  /** Manual deploys naming no env or project taken as this deployment's (one env on the bus). */
  manual_without_scope: { ...REQUIRED_INPUTS, manual_deploy_require_scope: false },
  /** The same odd keys in a bucket of native events and in one seen through CloudTrail. */
  s3_keys: {
    ...REQUIRED_INPUTS,
    service_config: {
      api: ODD_KEYS.map((key) => ({ bucket: ODD_KEY_BUCKETS.native, key })),
      worker: ODD_KEYS.map((key) => ({ bucket: ODD_KEY_BUCKETS.cloudtrail, key })),
    },
    s3_cloudtrail_buckets: [ODD_KEY_BUCKETS.cloudtrail],
  },
  /** Manual deploys on a bus of their own. */
  manual_bus: { ...REQUIRED_INPUTS, manual_deploy_principals: ['arn:aws:iam::123456789012:role/release-managers'] },
  naming_name_first: {
    ...REQUIRED_INPUTS,
    service_name_pattern: '{name}-{project}-{env}',
    lambda_function_pattern: '{name}_{project}',
    lambda_config: LAMBDA_TARGETS,
  },
};
