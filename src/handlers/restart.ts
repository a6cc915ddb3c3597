/**
 * A restart makes a service pick up new configuration (a parameter, an env file): ECS starts new
 * tasks of the family's latest revision; a function gets a new `DEPLOYBRIDGE_CONFIG_REVISION`,
 * which starts fresh execution environments, and is then published as usual.
 */
import type { CatalogService } from '../catalog.js';
import type { EventEnvelope } from '../events.js';
import type { DeploymentRequest, Trigger } from '../plan.js';

/** The revision a configuration change stamps on a function: when it happened. */
export function revisionOf(event: EventEnvelope): string {
  return event.time ?? new Date().toISOString();
}

export function restart(service: CatalogService, trigger: Trigger, revision: string): DeploymentRequest {
  if (service.kind === 'lambda') return { target: 'lambda', service: service.name, lambda: service.lambda, change: { kind: 'config_revision', revision }, trigger };
  return { target: 'ecs', service: service.name, ecs: service.ecs, taskDefinition: service.ecs.family, trigger };
}
