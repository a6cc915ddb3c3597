/**
 * The words for following an ECS deployment deploybridge started: its message as it stands (in
 * progress, completed, superseded, failed, rolled back), the thread reply and webhook message of
 * each later step, and the step's log line and fields; and ECS's events about a deployment
 * deploybridge has no record of. Each message with its typed event.
 */
import { shortTaskDefinition } from '../config/naming.js';
import type { LogFields } from '../shared/observability.js';
import type { FollowedEcsDeployment } from '../following/journal.js';
import type { DeploymentStep, EcsReport, FailureEvidence } from '../following/steps.js';
import type { NotificationEventType } from '../config/constants.js';
import type { EcsEventName } from '../triggers/plan.js';
import { approvedBy } from './deployments.js';
import { deploymentOfEcsEvent, deploymentOfFollowed } from './events.js';
import { evidenceFact, failureReasons } from './failureReasons.js';
import { formatDuration, formatTime } from './format.js';
import { ecsConsoleUrl, revisionChange } from './identity.js';
import type {
  ActionButton,
  DeploymentOutcome,
  Facts,
  Mention,
  Notification,
  NotificationEvent,
  Severity,
  ThreadUpdate,
} from './notification.js';
import { describeTrigger, triggerFacts } from './triggerLines.js';

/** "ECR push of … (tag …)" or, for a deployment deploybridge did not start, its id. */
function supersededBy(deployment: FollowedEcsDeployment): string {
  const by = deployment.supersededBy;
  if (by === undefined) return 'a newer deployment';
  return by.trigger === undefined
    ? `deployment ${by.deploymentId}, which deploybridge did not start`
    : `${describeTrigger(by.trigger)} (deployment ${by.deploymentId})`;
}

/** "+3 changes covered": changes made before a deployment started, deployed by it instead of by one of their own (they reached deploybridge later: another batch). */
function coveredChanges(changes: number): string {
  return `+${changes} ${changes === 1 ? 'change' : 'changes'} covered`;
}

/** Why changes are covered, in one line. */
const COVERED_WHY = 'made before the deployment started, so the tasks it starts already read them; no deployment of their own';

/** The facts that say which deployment a message belongs to. */
function followedFacts(deployment: FollowedEcsDeployment): Facts {
  const covered = deployment.covered ?? 0;
  return [
    ['Trigger', describeTrigger(deployment.trigger)],
    // Who changed what, as the first message said: an update replaces it.
    ...triggerFacts(deployment.trigger),
    ...(covered > 0 ? [['Covered', `${coveredChanges(covered)} (${COVERED_WHY})`] as [string, string]] : []),
    ['Task definition', revisionChange(deployment.taskDefinition, deployment.previousTaskDefinition)],
    ['Deployment ID', deployment.id],
  ];
}

/** The event type of a followed deployment as it stands. */
function stateType(deployment: FollowedEcsDeployment): NotificationEventType {
  switch (deployment.status) {
    case 'in_progress':
      return 'deployment.progressing';
    case 'completed':
      return 'deployment.succeeded';
    case 'superseded':
      return 'deployment.superseded';
    case 'failed':
      if (deployment.rollback?.status === 'in_progress') return 'deployment.rolling_back';
      return deployment.rollback?.status === 'completed' ? 'deployment.rolled_back' : 'deployment.failed';
  }
}

/** The event type of a step's own message (its thread reply, or a webhook's message). */
const STEP_TYPES: Record<DeploymentStep['kind'], NotificationEventType> = {
  rolling_out: 'deployment.progressing',
  completed: 'deployment.succeeded',
  failed: 'deployment.failed',
  start_impaired: 'deployment.impaired',
  rolling_back: 'deployment.rolling_back',
  rolled_back: 'deployment.rolled_back',
  rollback_failed: 'deployment.failed',
  superseded: 'deployment.superseded',
  // More changes it deploys: it is still the same deployment, progressing.
  covered: 'deployment.progressing',
};

/** What a followed deployment's message offers: with approvals, Roll back while it is in progress (its `action_id`). */
export interface FollowedButtons {
  rollback?: string;
}

/** Roll back, while the deployment is in progress and nobody asked for it yet: approvers only, after a confirmation. */
function rollbackButton(deployment: FollowedEcsDeployment, buttons: FollowedButtons): ActionButton[] {
  if (buttons.rollback === undefined || deployment.status !== 'in_progress' || deployment.stoppedBy !== undefined) return [];
  return [
    {
      text: 'Roll back',
      actionId: buttons.rollback,
      value: deployment.id,
      style: 'danger',
      confirm: {
        title: `Roll back ${deployment.service}?`,
        text: `ECS stops this deployment of ${deployment.resource} and rolls it back to the revision that served before (StopServiceDeployment, ROLLBACK).`,
        confirm: 'Roll back',
        deny: 'Cancel',
      },
    },
  ];
}

/** Who rolled it back from Slack, who approved it. */
function followedMentions(deployment: FollowedEcsDeployment): Mention[] {
  const stopped = deployment.stoppedBy;
  return [
    ...(deployment.approval === undefined ? [] : approvedBy(deployment.approval)),
    ...(stopped === undefined ? [] : [{ label: 'Rolled back by', people: [stopped.by], note: `at ${formatTime(stopped.at)}` }]),
  ];
}

/** The rollout check that failed, when the lifecycle hook failed the deployment. */
function checkFacts(deployment: FollowedEcsDeployment): Facts {
  const failed = deployment.checkFailed;
  return failed === undefined ? [] : failed.problems.map((problem): [string, string] => [`Check failed at ${failed.stage}`, problem]);
}

/**
 * The deployment's message as it stands.
 *
 * @example
 * followedStateMessage(deployment, { rollback: 'deploybridge.rollback' }).buttons; // [Roll back] while in progress
 */
export function followedStateMessage(deployment: FollowedEcsDeployment, buttons: FollowedButtons = {}): Notification {
  return followedState(deployment, [], buttons);
}

/** The deployment's message as it stands: one line per deployment in the channel, in its current colour. */
function followedState(deployment: FollowedEcsDeployment, reasons: readonly string[] = [], buttons: FollowedButtons = {}): Notification {
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
  const mentions = followedMentions(deployment);
  const actions = rollbackButton(deployment, buttons);
  return {
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts: [['Status', status], ...checkFacts(deployment), ...followedFacts(deployment)],
    consoleUrl: ecsConsoleUrl(deployment.region, deployment.cluster, deployment.resource),
    ...(mentions.length === 0 ? {} : { mentions }),
    ...(actions.length === 0 ? {} : { buttons: actions }),
    event: { type: stateType(deployment), deployment: deploymentOfFollowed(deployment, reasons) },
  };
}

/**
 * The messages of one step of an ECS deployment deploybridge started: the first message as it now
 * stands, details for its thread, and one message saying both (webhook).
 *
 * @example
 * deploymentStepUpdate(deployment, { kind: 'failed', reason: 'ECS deployment circuit breaker: task failed to start.' }, evidence).reply?.facts;
 */
export function deploymentStepUpdate(
  deployment: FollowedEcsDeployment,
  step: DeploymentStep,
  evidence?: FailureEvidence,
  buttons: FollowedButtons = {},
): ThreadUpdate {
  const stepSays = 'reason' in step && step.reason !== undefined ? [step.reason] : [];
  const checks = deployment.checkFailed?.problems ?? [];
  const reasons = [...checks, ...stepSays, ...failureReasons(evidence)];
  const state = followedState(deployment, reasons, buttons);
  const event: NotificationEvent = { type: STEP_TYPES[step.kind], deployment: deploymentOfFollowed(deployment, reasons) };
  const detail = (severity: Severity, title: string, facts: Facts): Notification => ({
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts,
    event,
  });
  const why: Facts = evidence === undefined ? [] : [evidenceFact(evidence)];
  const with_ = (severity: Severity, title: string, facts: Facts): Notification => ({
    ...state,
    severity,
    title: `${title}: ${deployment.service}`,
    facts: [...state.facts, ...facts],
    event,
  });
  switch (step.kind) {
    case 'rolling_out':
      return { state, standalone: { ...state, event }, routine: true };
    case 'completed':
    case 'rolled_back':
    case 'superseded':
      return { state, standalone: { ...state, event } };
    case 'covered': {
      const facts: Facts = [['Changes', describeTrigger(step.trigger)], ...triggerFacts(step.trigger), ['Why', COVERED_WHY]];
      const title = coveredChanges(step.changes);
      return { state, reply: detail('info', title, facts), standalone: with_('info', title, facts) };
    }
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
          `${deployment.checkFailed === undefined ? 'ECS deployment circuit breaker' : `the rollout check at ${deployment.checkFailed.stage} failed`}: rolling back to ${rollback?.toTaskDefinition === undefined ? 'the previous revision' : shortTaskDefinition(rollback.toTaskDefinition)}`,
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
  covered: { level: 'info', message: 'deployment covers more changes' },
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
    ...(step.kind === 'covered' ? { covered_changes: step.changes, covered_total: deployment.covered } : {}),
    ...(evidence === undefined ? {} : { failure_reasons: failureReasons(evidence) }),
  };
}

/** How an ECS event about a deployment deploybridge has no record of is told, and what it reports. */
interface EcsEventWords {
  severity: Severity;
  title: string;
  status: string;
  type: NotificationEventType;
  outcome: DeploymentOutcome | null;
}

const ECS_EVENTS: Record<EcsEventName, EcsEventWords> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: {
    severity: 'info',
    title: 'Deployment in progress',
    status: 'in progress',
    type: 'deployment.progressing',
    outcome: null,
  },
  SERVICE_DEPLOYMENT_COMPLETED: {
    severity: 'success',
    title: 'Deployment completed',
    status: 'completed',
    type: 'deployment.succeeded',
    outcome: 'succeeded',
  },
  SERVICE_DEPLOYMENT_FAILED: {
    severity: 'error',
    title: 'Deployment failed',
    status: 'failed',
    type: 'deployment.failed',
    outcome: 'failed',
  },
  SERVICE_TASK_START_IMPAIRED: {
    severity: 'warning',
    title: 'Tasks fail to start',
    status: 'task start impaired',
    type: 'deployment.impaired',
    outcome: null,
  },
};

/** ECS's events about a circuit-breaker rollback of a deployment deploybridge has no record of. */
const ROLLBACK_EVENTS: Record<'started' | 'completed', EcsEventWords> = {
  started: {
    severity: 'warning',
    title: 'Deployment rolling back',
    status: 'a deployment failed; ECS is rolling back',
    type: 'deployment.rolling_back',
    outcome: null,
  },
  completed: {
    severity: 'warning',
    title: 'Rollback completed',
    status: 'a deployment failed and was rolled back: the service runs the previous deployment again',
    type: 'deployment.rolled_back',
    outcome: 'rolled_back',
  },
};

/**
 * What the follower reports of an ECS event, as a message of its own: a step of a deployment
 * deploybridge started (as a webhook shows it), or the event as far as it tells on its own.
 *
 * @example
 * ecsReportMessage({ kind: 'ecs_event', event: 'SERVICE_DEPLOYMENT_COMPLETED', service: 'api', … }).title; // 'Deployment completed: api'
 */
export function ecsReportMessage(report: EcsReport): Notification {
  if (report.kind === 'deployment_step') return deploymentStepUpdate(report.deployment, report.step, report.evidence).standalone;
  const state = report.rollback === undefined ? ECS_EVENTS[report.event] : ROLLBACK_EVENTS[report.rollback.phase];
  const facts: Facts = [['Status', state.status]];
  if (report.deploymentId) facts.push(['Deployment ID', report.deploymentId]);
  if (report.rollback?.to) facts.push(['Rolls back to', report.rollback.to]);
  if (report.reason) facts.push(['Reason', report.reason]);
  if (report.evidence) facts.push(evidenceFact(report.evidence));
  const reasons = [...(report.reason ? [report.reason] : []), ...failureReasons(report.evidence)];
  return {
    severity: state.severity,
    title: `${state.title}: ${report.service}`,
    service: report.ecsService,
    facts,
    consoleUrl: ecsConsoleUrl(report.region, report.cluster, report.ecsService),
    event: { type: state.type, deployment: deploymentOfEcsEvent(report.service, report.deploymentId, state.outcome, reasons) },
  };
}
