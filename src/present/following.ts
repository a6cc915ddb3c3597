/**
 * The words for following an ECS deployment deploybridge started: its message as it stands (in
 * progress, completed, superseded, failed, rolled back), the thread reply and webhook message of
 * each later step, and the step's log line and fields.
 */
import { shortTaskDefinition } from '../config/naming.js';
import type { LogFields } from '../shared/observability.js';
import type { DeploymentStep, FailureEvidence, FollowedEcsDeployment } from '../triggers/plan.js';
import { approvedBy } from './deployments.js';
import { evidenceFact, failureReasons } from './failureReasons.js';
import { formatDuration } from './format.js';
import { ecsConsoleUrl, revisionChange } from './identity.js';
import type { Facts, Notification, Severity, ThreadUpdate } from './notification.js';
import { describeTrigger, triggerFacts } from './triggerLines.js';

/** "ECR push of … (tag …)" or, for a deployment deploybridge did not start, its id. */
function supersededBy(deployment: FollowedEcsDeployment): string {
  const by = deployment.supersededBy;
  if (by === undefined) return 'a newer deployment';
  return by.trigger === undefined
    ? `deployment ${by.deploymentId}, which deploybridge did not start`
    : `${describeTrigger(by.trigger)} (deployment ${by.deploymentId})`;
}

/** The facts that say which deployment a message belongs to. */
function followedFacts(deployment: FollowedEcsDeployment): Facts {
  return [
    ['Trigger', describeTrigger(deployment.trigger)],
    // Who changed what, as the first message said: an update replaces it.
    ...triggerFacts(deployment.trigger),
    ['Task definition', revisionChange(deployment.taskDefinition, deployment.previousTaskDefinition)],
    ['Deployment ID', deployment.id],
  ];
}

/** The deployment's message as it stands: one line per deployment in the channel, in its current colour. */
function followedState(deployment: FollowedEcsDeployment): Notification {
  const duration =
    deployment.finishedAt === undefined
      ? undefined
      : formatDuration(Math.max(0, Date.parse(deployment.finishedAt) - Date.parse(deployment.triggeredAt)) || 0);
  const back = (to: string | undefined) => (to === undefined ? 'the previous revision' : shortTaskDefinition(to));
  let severity: Severity;
  let title: string;
  let status: string;
  switch (deployment.status) {
    case 'in_progress':
      [severity, title, status] = ['info', 'Deployment in progress', 'rolling out'];
      break;
    case 'completed':
      [severity, title, status] = ['success', 'Deployment completed', `completed in ${duration ?? '?'} since the trigger`];
      break;
    case 'superseded':
      [severity, title, status] = ['warning', 'Deployment superseded', `superseded before it finished by ${supersededBy(deployment)}`];
      break;
    case 'failed': {
      const rollback = deployment.rollback;
      severity = 'error';
      if (rollback === undefined) [title, status] = ['Deployment failed', `failed${deployment.failure ? `: ${deployment.failure}` : ''}`];
      else if (rollback.status === 'in_progress')
        [title, status] = ['Deployment failed, rolling back', `failed; ECS is rolling back to ${back(rollback.toTaskDefinition)}`];
      else if (rollback.status === 'completed')
        [title, status] = ['Deployment rolled back', `failed and rolled back: the service runs ${back(rollback.toTaskDefinition)} again`];
      else
        [title, status] = [
          'Deployment failed, rollback failed',
          `failed, and the rollback to ${back(rollback.toTaskDefinition)} failed too: the service needs a look`,
        ];
      break;
    }
  }
  return {
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts: [['Status', status], ...followedFacts(deployment)],
    consoleUrl: ecsConsoleUrl(deployment.region, deployment.cluster, deployment.resource),
    ...(deployment.approval === undefined ? {} : { mentions: approvedBy(deployment.approval) }),
  };
}

/**
 * The messages of one step of an ECS deployment deploybridge started: the first message as it now
 * stands, details for its thread, and one message saying both (webhook).
 *
 * @example
 * deploymentStepUpdate(deployment, { kind: 'failed', reason: 'ECS deployment circuit breaker: task failed to start.' }, evidence).reply?.facts;
 */
export function deploymentStepUpdate(deployment: FollowedEcsDeployment, step: DeploymentStep, evidence?: FailureEvidence): ThreadUpdate {
  const state = followedState(deployment);
  const detail = (severity: Severity, title: string, facts: Facts): Notification => ({
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts,
  });
  const why: Facts = evidence === undefined ? [] : [evidenceFact(evidence)];
  const with_ = (severity: Severity, title: string, facts: Facts): Notification => ({
    ...state,
    severity,
    title: `${title}: ${deployment.service}`,
    facts: [...state.facts, ...facts],
  });
  switch (step.kind) {
    case 'rolling_out':
      return { state, standalone: state, routine: true };
    case 'completed':
    case 'rolled_back':
    case 'superseded':
      return { state, standalone: state };
    case 'failed': {
      const facts: Facts = [['ECS says', step.reason ?? 'failed'], ...why];
      return { state, reply: detail('error', 'Why it failed', facts), standalone: with_('error', 'Deployment failed', why) };
    }
    case 'start_impaired':
      return { state, reply: detail('warning', 'Tasks fail to start', why), standalone: with_('warning', 'Tasks fail to start', why) };
    case 'rolling_back': {
      const rollback = deployment.rollback;
      const facts: Facts = [
        [
          'Rollback',
          `ECS deployment circuit breaker: rolling back to ${rollback?.toTaskDefinition === undefined ? 'the previous revision' : shortTaskDefinition(rollback.toTaskDefinition)}`,
        ],
        ['Rollback deployment', `${rollback?.deploymentId ?? 'unknown'} (to ${rollback?.to ?? 'unknown'})`],
      ];
      return {
        state,
        reply: detail('warning', 'Rolling back', facts),
        standalone: with_('warning', 'Deployment rolling back', facts.slice(1)),
      };
    }
    case 'rollback_failed': {
      const facts: Facts = [['ECS says', step.reason ?? 'the rollback failed'], ...why];
      return { state, reply: detail('error', 'The rollback failed too', facts), standalone: with_('error', 'Rollback failed', facts) };
    }
  }
}

const STEP_LOGS: Record<DeploymentStep['kind'], { level: 'info' | 'warn' | 'error'; message: string }> = {
  rolling_out: { level: 'info', message: 'deployment rolling out' },
  completed: { level: 'info', message: 'deployment completed' },
  failed: { level: 'error', message: 'deployment failed' },
  start_impaired: { level: 'warn', message: 'deployment tasks fail to start' },
  rolling_back: { level: 'error', message: 'deployment rolling back' },
  rolled_back: { level: 'error', message: 'deployment rolled back' },
  rollback_failed: { level: 'error', message: 'deployment rollback failed' },
  superseded: { level: 'warn', message: 'deployment superseded' },
};

/**
 * The log line of a followed deployment's step: its level and message (`fields.step` says the same for queries).
 *
 * @example
 * stepLog({ kind: 'rolled_back', durationMs: 366_000 }); // { level: 'error', message: 'deployment rolled back' }
 */
export function stepLog(step: DeploymentStep): { level: 'info' | 'warn' | 'error'; message: string } {
  return STEP_LOGS[step.kind];
}

/**
 * Log fields of a followed deployment's step.
 *
 * @example
 * stepFields(deployment, { kind: 'completed', durationMs: 185_000 }); // { service, deployment_id, step: 'completed', duration_ms: 185000, … }
 */
export function stepFields(deployment: FollowedEcsDeployment, step: DeploymentStep, evidence?: FailureEvidence): LogFields {
  return {
    service: deployment.service,
    deployment_id: deployment.id,
    step: step.kind,
    status: deployment.status,
    trigger: describeTrigger(deployment.trigger),
    task_definition: deployment.taskDefinition,
    previous_task_definition: deployment.previousTaskDefinition,
    rollback: deployment.rollback,
    ...('durationMs' in step ? { duration_ms: step.durationMs } : {}),
    ...(evidence === undefined ? {} : { failure_reasons: failureReasons(evidence) }),
  };
}
