/**
 * Parameter Store change under `/{env}/{project}/{service}/NAME` → restart that service so new
 * tasks read the new value (a Lambda function gets a new `DEPLOYBRIDGE_CONFIG_REVISION`, so new
 * execution environments read it). A deleted parameter restarts nothing: tasks that reference it
 * could not start. It is reported instead.
 *
 * Who changed it comes from `DescribeParameters` (metadata only: the value is never read); when
 * that read fails, the change still restarts the service and who made it stays unknown.
 */
import { errorFields } from '../shared/errors.js';
import { excerpt, parameterStoreChangeSchema, parseDetail } from './events.js';
import { emptyPlan, ignoredPlan, type PlanBuilder, type RouteContext } from './context.js';
import type { Trigger } from './trigger.js';
import { deletedParameterConsequence } from '../present/notices.js';
import { restart, revisionOf } from './restart.js';

const RESTARTING_OPERATIONS = new Set(['Create', 'Update']);

/** Who changed a parameter last and its version, as Parameter Store says; nothing when it cannot say. */
async function lastChange(
  name: string,
  { reads, log }: Pick<RouteContext, 'reads' | 'log'>,
): Promise<Pick<Extract<Trigger, { kind: 'ssm' }>, 'actor' | 'parameterVersion'>> {
  try {
    const change = await (await reads.ssm()).parameterChange(name);
    return { actor: change?.lastModifiedUser, parameterVersion: change?.version };
  } catch (error) {
    log.warn('parameter not described: who changed it stays unknown', { parameter: name, ...errorFields(error) });
    return {};
  }
}

export const plan: PlanBuilder = async (event, { catalog, reads, log }) => {
  const detail = parseDetail(parameterStoreChangeSchema(), event, 'Parameter Store Change');
  const found = catalog.forParameter(detail.name);
  if (found === undefined) {
    return ignoredPlan(
      'ssm',
      event.id,
      `parameter ${excerpt(detail.name)} is not /{env}/{project}/{service}/NAME of this project and env`,
      'debug',
    );
  }
  const { service } = found;
  const trigger = { kind: 'ssm', parameter: detail.name, operation: detail.operation } as const;
  const result = emptyPlan('ssm', event.id);
  if (RESTARTING_OPERATIONS.has(detail.operation)) {
    result.deployments.push(restart(service, { ...trigger, ...(await lastChange(detail.name, { reads, log })) }, revisionOf(event)));
  } else if (detail.operation === 'Delete') {
    const { why } = deletedParameterConsequence(service);
    result.skipped.push({
      service: service.name,
      reason: `parameter ${detail.name} was deleted; not redeploying (${why})`,
      fields: { parameter: detail.name },
    });
    result.notices.push({ kind: 'parameter_deleted', service, parameter: detail.name });
  } else {
    return ignoredPlan('ssm', event.id, `Parameter Store operation ${excerpt(detail.operation)} does not change a value`);
  }
  return result;
};
