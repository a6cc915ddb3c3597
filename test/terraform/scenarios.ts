/**
 * The module blocks of the fixture root that test/terraform plans once per run (terraform.ts writes
 * them as Terraform JSON next to a copy of the module): inputs whose effect the tests compare with
 * what src/ does. The example (terraform/examples/complete) is planned as it is, on its own.
 */
export const REQUIRED_INPUTS = { project_name: 'myproject', project_env: 'dev', service_config: {} };

/** Lambda targets: one named by the pattern, the backend, and one named explicitly. */
export const LAMBDA_TARGETS = { thumbnailer: { alias: 'live' }, backend: {}, legacy: { function_name: 'legacy-thumbs' } };

export const SCENARIOS: Record<string, Record<string, unknown>> = {
  /** Only what is required: every other input at its default. */
  bare: REQUIRED_INPUTS,
  /** Naming patterns, as src/naming.ts renders them. */
  naming_default: { ...REQUIRED_INPUTS, lambda_config: LAMBDA_TARGETS },
  naming_custom: {
    ...REQUIRED_INPUTS,
    cluster_name_pattern: '{env}-{project}',
    service_name_pattern: '{project}-{name}-{env}',
    backend_service_name: 'core',
    lambda_function_pattern: '{project}-fn-{name}',
    lambda_config: LAMBDA_TARGETS,
  },
  naming_name_first: { ...REQUIRED_INPUTS, service_name_pattern: '{name}-{project}-{env}', lambda_function_pattern: '{name}_{project}', lambda_config: LAMBDA_TARGETS },
};
