/**
 * How a deployment is named in every message and log line about it, computed without AWS calls:
 * the resource ("Service"), the ECS or Lambda console link, the task definition revision
 * (`family:41 → :42`, or a restart's "unchanged"), and what a Lambda change does.
 */
import { CONFIG_REVISION_VARIABLE } from '../config/constants.js';
import { shortTaskDefinition } from '../config/naming.js';
import type { LogFields } from '../shared/observability.js';
import { partitionOf } from '../shared/partition.js';
import type { DeploymentRequest, LambdaChange } from '../triggers/requests.js';
import type { Facts } from './notification.js';

/** One line saying what a Lambda change does. */
export function describeChange(change: LambdaChange): string {
  switch (change.kind) {
    case 'image':
      return `update code to image ${change.imageUri}`;
    case 'zip':
      return `update code from s3://${change.bucket}/${change.key}${change.versionId ? ` (version ${change.versionId})` : ''}`;
    case 'config_revision':
      return `set ${CONFIG_REVISION_VARIABLE}=${change.revision} (fresh execution environments)`;
    case 'release':
      return 'publish $LATEST as it is and move the alias to it';
    case 'version':
      return `move the alias to version ${change.version}`;
    case 'rollback':
      return 'move the alias back to the version before the last deploy';
  }
}

/** What a restart deploys, before ECS says which revision that is. */
export const RESTART = 'unchanged: new tasks of the revision it runs';

/** A task definition a deployment asks for: `family:42`, or a family, whose latest ACTIVE revision ECS deploys. */
function plannedRevision(taskDefinition: string): string {
  const short = shortTaskDefinition(taskDefinition);
  return short.includes(':') ? short : `${short} (its latest ACTIVE revision)`;
}

/**
 * `family:42`, or `family:41 → :42` when the service ran another revision of the family before. A
 * restart that kept the revision says so: its new tasks differ only in the configuration they read.
 */
export function revisionChange(taskDefinition: string, previous: string | undefined, restart = false): string {
  const to = shortTaskDefinition(taskDefinition);
  if (previous === undefined || previous === taskDefinition)
    return restart ? `${to} (unchanged: new tasks read the new configuration)` : to;
  const from = shortTaskDefinition(previous);
  const family = (name: string) => name.slice(0, name.lastIndexOf(':'));
  return family(from) === family(to) ? `${from} → ${to.slice(to.lastIndexOf(':'))}` : `${from} → ${to}`;
}

/** Link to a service's deployments in the ECS console of the region's partition (none where that console is not public). */
export function ecsConsoleUrl(region: string, cluster: string, service: string): string | undefined {
  const origin = partitionOf(region).consoleOrigin(region);
  const r = encodeURIComponent(region);
  return origin === undefined
    ? undefined
    : `${origin}/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${r}`;
}

/** Link to a function's versions in the Lambda console (a function ARN is reduced to its name). */
function lambdaConsoleUrl(region: string, functionName: string): string | undefined {
  const origin = partitionOf(region).consoleOrigin(region);
  const r = encodeURIComponent(region);
  const name = functionName.slice(functionName.lastIndexOf(':') + 1);
  return origin === undefined ? undefined : `${origin}/lambda/home?region=${r}#/functions/${encodeURIComponent(name)}?tab=versions`;
}

/** How a deployment is named in logs and Slack, computed without AWS calls. */
export interface DeploymentIdentity {
  /** The AWS resource Slack shows as "Service". */
  resource: string;
  /** Log fields that identify what is deployed. */
  fields: LogFields;
  /** Slack facts that identify what is deployed. */
  facts: Facts;
  consoleUrl: string | undefined;
  consoleName?: string;
}

/**
 * The names of a deployment, for every message about it.
 *
 * @example
 * identify(request, 'eu-west-1').fields; // { cluster, ecs_service, task_definition } or { function_name, alias, change }
 */
export function identify(request: DeploymentRequest, region: string): DeploymentIdentity {
  switch (request.target) {
    case 'ecs':
      return {
        resource: request.ecs.service,
        fields: { cluster: request.ecs.cluster, ecs_service: request.ecs.service, task_definition: request.taskDefinition },
        facts: [['Task definition', request.taskDefinition === undefined ? RESTART : plannedRevision(request.taskDefinition)]],
        consoleUrl: ecsConsoleUrl(region, request.ecs.cluster, request.ecs.service),
      };
    case 'lambda':
      return {
        resource: request.lambda.functionName,
        fields: { function_name: request.lambda.functionName, alias: request.lambda.alias, change: request.change.kind },
        facts: [
          ['Alias', request.lambda.alias ?? 'none ($LATEST is updated in place)'],
          ['Change', describeChange(request.change)],
        ],
        consoleUrl: lambdaConsoleUrl(region, request.lambda.functionName),
        consoleName: 'Lambda',
      };
    default:
      return otherKind(request);
  }
}

/** A kind of target these words do not know is named by its service; what it did is told by its outcome's own fields. */
function otherKind(request: { service: string }): DeploymentIdentity {
  return { resource: request.service, fields: {}, facts: [], consoleUrl: undefined };
}
