/**
 * The words of the ECS lifecycle hook (src/rollout/): a hook that failed is always reported, as a
 * message of its own, naming the service, the stage, the revision under test and each check that
 * failed. ECS rolls the deployment back on that answer.
 */
import type { Notification } from './notification.js';

/** What a failed hook call found, as the message shows it. */
export interface FailedHook {
  /** The catalog's service; `undefined` when the invocation names no service of this install. */
  service: string | undefined;
  /** The ECS service (or its ARN when it is not one of this install). */
  resource: string;
  stage: string | undefined;
  serviceDeploymentArn: string | undefined;
  targetServiceRevisionArn: string | undefined;
  /** Each failed check in words (`alarm api-5xx is in ALARM since …`), or why the hook could not check. */
  problems: string[];
}

/**
 * The message of a lifecycle hook that answered `FAILED`.
 *
 * @example
 * hookFailedMessage({ service: 'api', resource: 'myproject_service_api_dev', stage: 'POST_TEST_TRAFFIC_SHIFT', … });
 * // { severity: 'error', title: 'Rollout check failed: api at POST_TEST_TRAFFIC_SHIFT', … }
 */
export function hookFailedMessage(hook: FailedHook): Notification {
  const stage = hook.stage ?? 'an unknown stage';
  return {
    severity: 'error',
    title: `Rollout check failed: ${hook.service ?? 'unknown service'} at ${stage}`,
    service: hook.resource,
    facts: [
      ['Stage', stage],
      ...hook.problems.map((problem): [string, string] => ['Check failed', problem]),
      ...(hook.targetServiceRevisionArn === undefined ? [] : [['Revision under test', hook.targetServiceRevisionArn] as [string, string]]),
      ...(hook.serviceDeploymentArn === undefined ? [] : [['Service deployment', hook.serviceDeploymentArn] as [string, string]]),
      ['Action', 'the hook answered FAILED: ECS rolls the deployment back to the revision that served before'],
    ],
    event: { type: 'deployment.check_failed' },
  };
}
