/**
 * Parameter Store change under `/{env}/{project}/{service}/NAME` → redeploy that service so new
 * tasks read the new value. A deleted parameter redeploys nothing: tasks that reference it could
 * not start. It is reported instead.
 */
import { excerpt, parameterStoreChangeSchema, parseDetail } from '../events.js';
import { emptyPlan, ignoredPlan } from '../plan.js';
import type { PlanBuilder } from './context.js';

const REDEPLOYING_OPERATIONS = new Set(['Create', 'Update']);

export const plan: PlanBuilder = async (event, { naming }) => {
  const detail = parseDetail(parameterStoreChangeSchema, event, 'Parameter Store Change');
  const parsed = naming.parseParameterName(detail.name);
  if (parsed === undefined) {
    return ignoredPlan('ssm', event.id, `parameter ${excerpt(detail.name)} is not /{env}/{project}/{service}/NAME of this project and env`, 'debug');
  }
  const { service } = parsed;
  const ecs = naming.ecsNames(service);
  const trigger = { kind: 'ssm', parameter: detail.name, operation: detail.operation } as const;
  const result = emptyPlan('ssm', event.id);
  if (REDEPLOYING_OPERATIONS.has(detail.operation)) {
    result.deployments.push({ target: 'ecs', service, ecs, taskDefinition: ecs.family, trigger });
  } else if (detail.operation === 'Delete') {
    result.skipped.push({ service, reason: `parameter ${detail.name} was deleted; not redeploying (new tasks could not start without it)`, fields: { parameter: detail.name } });
    result.notifications.push({
      severity: 'warning',
      title: `Parameter deleted: ${service}`,
      service: ecs.service,
      facts: [
        ['Parameter', detail.name],
        ['Action', 'not redeployed: new tasks that reference this parameter would fail to start'],
      ],
    });
  } else {
    return ignoredPlan('ssm', event.id, `Parameter Store operation ${excerpt(detail.operation)} does not change a value`);
  }
  return result;
};
