/**
 * A restart makes a service pick up new configuration (a parameter, an env file): ECS starts new
 * tasks of the revision the service runs now (never another revision: not one nobody deployed, and
 * not over a pin or a circuit-breaker rollback); a function gets a new
 * `DEPLOYBRIDGE_CONFIG_REVISION`, which starts fresh execution environments, and is then published
 * as usual.
 */
import type { CatalogService } from '../config/catalog.js';
import type { EventEnvelope } from './events.js';
import type { DeploymentRequest } from './requests.js';
import type { Trigger } from './trigger.js';

/** The revision a configuration change stamps on a function: the event's id (two changes within one second have two). */
export function revisionOf(event: EventEnvelope): string {
  return event.id;
}

export function restart(service: CatalogService, trigger: Trigger, revision: string): DeploymentRequest {
  if (service.kind === 'lambda')
    return { target: 'lambda', service: service.name, lambda: service.lambda, change: { kind: 'config_revision', revision }, trigger };
  return { target: 'ecs', service: service.name, ecs: service.ecs, trigger };
}
