/**
 * Parameter Store change under `/{env}/{project}/{service}/NAME` → restart that service so new
 * tasks read the new value (a Lambda function gets a new `DEPLOYBRIDGE_CONFIG_REVISION`, so new
 * execution environments read it). A deleted parameter restarts nothing: tasks that reference it
 * could not start. It is reported instead.
 */
import { excerpt, parameterStoreChangeSchema, parseDetail } from '../events.js';
import { emptyPlan, ignoredPlan } from '../plan.js';
import { deletedParameterConsequence } from '../presenter.js';
import type { PlanBuilder } from './context.js';
import { restart, revisionOf } from './restart.js';

const RESTARTING_OPERATIONS = new Set(['Create', 'Update']);

export const plan: PlanBuilder = async (event, { catalog }) => {
  const detail = parseDetail(parameterStoreChangeSchema, event, 'Parameter Store Change');
  const found = catalog.forParameter(detail.name);
  if (found === undefined) {
    return ignoredPlan('ssm', event.id, `parameter ${excerpt(detail.name)} is not /{env}/{project}/{service}/NAME of this project and env`, 'debug');
  }
  const { service } = found;
  const trigger = { kind: 'ssm', parameter: detail.name, operation: detail.operation } as const;
  const result = emptyPlan('ssm', event.id);
  if (RESTARTING_OPERATIONS.has(detail.operation)) {
    result.deployments.push(restart(service, trigger, revisionOf(event)));
  } else if (detail.operation === 'Delete') {
    const { why } = deletedParameterConsequence(service);
    result.skipped.push({ service: service.name, reason: `parameter ${detail.name} was deleted; not redeploying (${why})`, fields: { parameter: detail.name } });
    result.notices.push({ kind: 'parameter_deleted', service, parameter: detail.name });
  } else {
    return ignoredPlan('ssm', event.id, `Parameter Store operation ${excerpt(detail.operation)} does not change a value`);
  }
  return result;
};
