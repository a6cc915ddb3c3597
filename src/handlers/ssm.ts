/**
 * Parameter Store change under `/{env}/{project}/{service}/NAME` → redeploy that service so new
 * tasks read the new value (a Lambda function gets a new `DEPLOYBRIDGE_CONFIG_REVISION`, so new
 * execution environments read it). A deleted parameter redeploys nothing: tasks that reference it
 * could not start. It is reported instead.
 */
import { excerpt, parameterStoreChangeSchema, parseDetail } from '../events.js';
import { emptyPlan, ignoredPlan } from '../plan.js';
import type { PlanBuilder } from './context.js';
import { configurationRedeploy, lambdaFunctionOf, resourceOf, revisionOf } from './deployments.js';

const REDEPLOYING_OPERATIONS = new Set(['Create', 'Update']);

export const plan: PlanBuilder = async (event, { config, naming }) => {
  const detail = parseDetail(parameterStoreChangeSchema, event, 'Parameter Store Change');
  const parsed = naming.parseParameterName(detail.name);
  if (parsed === undefined) {
    return ignoredPlan('ssm', event.id, `parameter ${excerpt(detail.name)} is not /{env}/{project}/{service}/NAME of this project and env`, 'debug');
  }
  const { service } = parsed;
  const trigger = { kind: 'ssm', parameter: detail.name, operation: detail.operation } as const;
  const result = emptyPlan('ssm', event.id);
  if (REDEPLOYING_OPERATIONS.has(detail.operation)) {
    result.deployments.push(configurationRedeploy({ config, naming }, service, trigger, revisionOf(event)));
  } else if (detail.operation === 'Delete') {
    const consequence =
      lambdaFunctionOf({ config, naming }, service) !== undefined
        ? { why: 'new execution environments could not read it', action: 'not redeployed: new execution environments that read this parameter would fail' }
        : { why: 'new tasks could not start without it', action: 'not redeployed: new tasks that reference this parameter would fail to start' };
    result.skipped.push({ service, reason: `parameter ${detail.name} was deleted; not redeploying (${consequence.why})`, fields: { parameter: detail.name } });
    result.notifications.push({
      severity: 'warning',
      title: `Parameter deleted: ${service}`,
      service: resourceOf({ config, naming }, service),
      facts: [
        ['Parameter', detail.name],
        ['Action', consequence.action],
      ],
    });
  } else {
    return ignoredPlan('ssm', event.id, `Parameter Store operation ${excerpt(detail.operation)} does not change a value`);
  }
  return result;
};
