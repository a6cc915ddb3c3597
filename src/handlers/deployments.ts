/**
 * What a service is deployed as: a service listed in `LAMBDA_CONFIG` is a Lambda function, every
 * other one an ECS service. Handlers ask here rather than deciding for themselves, so the choice
 * is made in one place. No AWS calls, no SDK.
 */
import type { Config } from '../config.js';
import type { EventEnvelope } from '../events.js';
import type { Naming } from '../naming.js';
import type { DeploymentRequest, LambdaFunctionTarget, Trigger } from '../plan.js';

type Names = { config: Pick<Config, 'lambdaConfig'>; naming: Naming };

/** The Lambda function of a logical service, or `undefined` when the service is an ECS service. */
export function lambdaFunctionOf({ config, naming }: Names, service: string): LambdaFunctionTarget | undefined {
  // Keys are canonicalised like SERVICE_CONFIG's, so "backend" means the backend whatever its {name}.
  const entry = Object.entries(config.lambdaConfig).find(([name]) => naming.canonical(name) === service)?.[1];
  if (entry === undefined) return undefined;
  return { functionName: entry.functionName ?? naming.lambdaFunctionName(service), alias: entry.alias, smokeTest: entry.smokeTest };
}

/** The Lambda services whose `artifact` is this S3 object, in configuration order. */
export function servicesWithArtifact(names: Names, bucket: string, key: string): Array<{ service: string; lambda: LambdaFunctionTarget }> {
  return Object.entries(names.config.lambdaConfig).flatMap(([name, entry]) => {
    const service = names.naming.canonical(name);
    const lambda = service === undefined ? undefined : lambdaFunctionOf(names, service);
    return service !== undefined && lambda !== undefined && entry.artifact?.bucket === bucket && entry.artifact.key === key ? [{ service, lambda }] : [];
  });
}

/** The AWS resource people know a service by: its ECS service or its function. */
export function resourceOf(names: Names, service: string): string {
  return lambdaFunctionOf(names, service)?.functionName ?? names.naming.ecsNames(service).service;
}

/** The revision a configuration change stamps on a function: when it happened. */
export function revisionOf(event: EventEnvelope): string {
  return event.time ?? new Date().toISOString();
}

/**
 * A redeploy that makes a service pick up new configuration (a parameter, an env file): ECS starts
 * new tasks of the family's latest revision; a function gets a new `DEPLOYBRIDGE_CONFIG_REVISION`,
 * which starts fresh execution environments, and is then published as usual.
 */
export function configurationRedeploy(names: Names, service: string, trigger: Trigger, revision: string): DeploymentRequest {
  const lambda = lambdaFunctionOf(names, service);
  if (lambda !== undefined) return { target: 'lambda', service, lambda, change: { kind: 'config_revision', revision }, trigger };
  const ecs = names.naming.ecsNames(service);
  return { target: 'ecs', service, ecs, taskDefinition: ecs.family, trigger };
}
