/**
 * Manual deploys sent with `aws events put-events` (sources `action.production`, `action.deploy`):
 * `{"service": "api", "task_definition": "optional", "reason": "Hotfix"}`. A task definition must
 * belong to the service's family; without one, the family's latest ACTIVE revision is deployed.
 */
import { RejectedEventError } from '../errors.js';
import { excerpt, manualDeploySchema, parseDetail } from '../events.js';
import { taskDefinitionFamily } from '../naming.js';
import { emptyPlan } from '../plan.js';
import type { PlanBuilder } from './context.js';

export const plan: PlanBuilder = async (event, { naming }) => {
  const detail = parseDetail(manualDeploySchema, event, 'manual deploy');
  const service = naming.canonical(detail.service);
  if (service === undefined) {
    throw new RejectedEventError(`manual deploy refused: service name ${excerpt(detail.service, 80)} is not a valid service name`);
  }
  const ecs = naming.ecsNames(service);
  const requested = detail.task_definition;
  if (requested !== undefined && taskDefinitionFamily(requested) !== ecs.family) {
    throw new RejectedEventError(
      `manual deploy refused: task definition ${excerpt(requested)} is not of family ${ecs.family} (service ${service})`,
    );
  }
  const result = emptyPlan('manual', event.id);
  result.deployments.push({
    target: 'ecs',
    service,
    ecs,
    taskDefinition: requested ?? ecs.family,
    trigger: { kind: 'manual', source: event.source, reason: detail.reason, account: event.account },
  });
  return result;
};
