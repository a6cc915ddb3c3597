/**
 * The words of a paused ECS service deployment (a pause hook awaiting action) and of rolling a
 * followed deployment back from Slack: the pause's message (the service, the stage, the revision
 * under test, the traffic weights, when it times out, Continue and Roll back), what it says once
 * decided or timed out, and what a person whose click changes nothing is told.
 */
import { shortTaskDefinition } from '../config/naming.js';
import type { PauseHook, StopRequest } from '../following/journal.js';
import { formatTime } from './format.js';
import { ecsConsoleUrl } from './identity.js';
import type { ActionButton, Facts, Mention, Notification } from './notification.js';

/** The `action_id`s of the pause's buttons. */
export interface PauseActionIds {
  continue: string;
  rollback: string;
}

/** The last part of a service revision ARN (`…/service-revision/cluster/service/1234`): its number. */
function shortRevision(arn: string): string {
  return arn.includes(':task-definition/') ? shortTaskDefinition(arn) : (arn.split('/').pop() ?? arn);
}

/** "test 100%, production 0%", or undefined when ECS did not say. */
function weightsLine(pause: PauseHook): string | undefined {
  const { test, production } = pause.weights;
  const parts = [test === undefined ? undefined : `test ${test}%`, production === undefined ? undefined : `production ${production}%`];
  const known = parts.filter((part) => part !== undefined);
  return known.length === 0 ? undefined : known.join(', ');
}

/** What the hook does at its timeout, in words. */
function timeoutLine(pause: PauseHook): string {
  if (pause.expiresAt === undefined) return 'ECS did not say';
  const action = pause.timeoutAction === undefined ? 'the hook’s timeout action' : pause.timeoutAction;
  return `${formatTime(pause.expiresAt)} (then ECS takes ${action})`;
}

/** The facts every state of a pause shows. */
function pauseFacts(pause: PauseHook, status: string): Facts {
  const weights = weightsLine(pause);
  return [
    ['Status', status],
    ['Stage', pause.stage],
    ...(pause.revision === undefined ? [] : [['Revision under test', shortRevision(pause.revision)] as [string, string]]),
    ...(weights === undefined ? [] : [['Traffic', weights] as [string, string]]),
    ['Times out', timeoutLine(pause)],
    ['Service deployment', pause.serviceDeploymentArn],
  ];
}

function pauseNotification(pause: PauseHook, severity: Notification['severity'], title: string, status: string): Notification {
  return {
    severity,
    title: `${title}: ${pause.service}`,
    service: pause.ecsService,
    facts: pauseFacts(pause, status),
    consoleUrl: ecsConsoleUrl(pause.region, pause.cluster, pause.ecsService),
    event: { type: pause.status === 'awaiting' ? 'deployment.paused' : 'deployment.pause_decided' },
  };
}

const ACTION_WORDS = { CONTINUE: 'continued', ROLLBACK: 'rolled back' } as const;

/** Messages of a pause hook. */
export const pauseMessages = {
  /**
   * ECS waits: with `actions`, Continue and Roll back (each asks for confirmation); without, the
   * message says how to decide elsewhere.
   *
   * @example
   * pauseMessages.awaiting(pause, ['U0APPROVER'], { continue: 'deploybridge.hook.continue', rollback: 'deploybridge.hook.rollback' });
   */
  awaiting(pause: PauseHook, approvers: readonly string[], actions: PauseActionIds | undefined): Notification {
    const waiting = 'paused: ECS waits for Continue or Roll back';
    if (actions === undefined)
      return {
        ...pauseNotification(
          pause,
          'warning',
          'Deployment paused',
          `${waiting} (no buttons: approvals are off; use the ECS console or aws ecs continue-service-deployment)`,
        ),
        icon: ':double_vertical_bar:',
      };
    const buttons: ActionButton[] = [
      {
        text: 'Continue',
        actionId: actions.continue,
        value: pause.id,
        style: 'primary',
        confirm: {
          title: `Continue ${pause.service}?`,
          text: `ECS moves the deployment of ${pause.ecsService} on past ${pause.stage}.`,
          confirm: 'Continue',
          deny: 'Cancel',
        },
      },
      {
        text: 'Roll back',
        actionId: actions.rollback,
        value: pause.id,
        style: 'danger',
        confirm: {
          title: `Roll back ${pause.service}?`,
          text: `ECS rolls the deployment of ${pause.ecsService} back to the revision that served before.`,
          confirm: 'Roll back',
          deny: 'Cancel',
        },
      },
    ];
    return {
      ...pauseNotification(pause, 'warning', 'Deployment paused', waiting),
      icon: ':double_vertical_bar:',
      mentions: [{ label: 'Approvers', people: approvers.map((id) => ({ id, name: undefined })) }],
      buttons,
    };
  },

  /** Decided (being taken, taken, or refused by ECS), or timed out: no button is left. */
  ended(pause: PauseHook): Notification {
    const decision = pause.decision;
    const by: Mention[] =
      decision === undefined
        ? []
        : [
            {
              label: `${ACTION_WORDS[decision.action] === 'continued' ? 'Continued' : 'Rolled back'} by`,
              people: [decision.by],
              note: `at ${formatTime(decision.at)}`,
            },
          ];
    const at = (status: string) => ({ ...pauseNotification(pause, 'info', 'Deployment paused', status), mentions: by });
    switch (pause.status) {
      case 'awaiting':
      case 'deciding':
        return { ...at('decided: ECS is told'), title: `Deployment paused: ${pause.service}` };
      case 'continued':
        return { ...at('continued: ECS moves the deployment on'), severity: 'success', title: `Deployment continued: ${pause.service}` };
      case 'rolled_back':
        return {
          ...at('rolled back: ECS returns the traffic to the revision that served before'),
          severity: 'error',
          title: `Deployment rolled back: ${pause.service}`,
        };
      case 'failed':
        return {
          ...at(`ECS did not take the decision: ${pause.failure ?? 'unknown reason'}`),
          severity: 'error',
          title: `Decision not taken: ${pause.service}`,
        };
      case 'timed_out':
        return {
          ...pauseNotification(
            pause,
            'warning',
            'Pause timed out',
            `timed out at ${pause.expiresAt === undefined ? '?' : formatTime(pause.expiresAt)} without a decision: ECS took ${pause.timeoutAction ?? 'the hook’s timeout action'}`,
          ),
        };
    }
  },
};

/** Told, on their own, to someone whose click on a pause changed nothing. */
export function unchangedPauseReply(pause: PauseHook | undefined): string {
  const nothing = 'Nothing was changed:';
  if (pause === undefined) return `${nothing} this pause is no longer known.`;
  const decision = pause.decision;
  const by = decision === undefined ? '' : ` by ${decision.by.name ?? decision.by.id} at ${formatTime(decision.at)}`;
  switch (pause.status) {
    case 'awaiting':
      return `${nothing} this deployment still waits for a decision.`;
    case 'deciding':
    case 'continued':
    case 'rolled_back':
      return `${nothing} this deployment was already ${decision === undefined ? 'decided' : ACTION_WORDS[decision.action]}${by}.`;
    case 'failed':
      return `${nothing} ECS did not take the decision made${by}: ${pause.failure ?? 'unknown reason'}.`;
    case 'timed_out':
      return `${nothing} this pause timed out${pause.expiresAt === undefined ? '' : ` at ${formatTime(pause.expiresAt)}`}; ECS took ${pause.timeoutAction ?? 'the hook’s timeout action'}.`;
  }
}

/** Told, on their own, to someone whose Roll back changed nothing. */
export function unchangedStopReply(stop: StopRequest): string {
  const by = `${stop.by.name ?? stop.by.id} at ${formatTime(stop.at)}`;
  return stop.status === 'failed'
    ? `Nothing was changed: ECS refused the roll back asked by ${by}: ${stop.failure ?? 'unknown reason'}.`
    : `Nothing was changed: ${by} already asked ECS to roll this deployment back.`;
}

/** The thread reply of a Roll back clicked on a followed deployment. */
export function stopMessage(stop: StopRequest, deployment: { service: string; resource: string }): Notification {
  const by: Mention = { label: 'Rolled back by', people: [stop.by], note: `at ${formatTime(stop.at)}` };
  const facts: Facts =
    stop.status === 'failed'
      ? [['Status', `ECS refused to roll back: ${stop.failure ?? 'unknown reason'}`]]
      : [
          ['Status', 'StopServiceDeployment (ROLLBACK): ECS rolls the deployment back to the revision that served before'],
          ...(stop.serviceDeploymentArn === undefined ? [] : [['Service deployment', stop.serviceDeploymentArn] as [string, string]]),
        ];
  return {
    severity: stop.status === 'failed' ? 'error' : 'warning',
    title: `${stop.status === 'failed' ? 'Roll back refused' : 'Rolling back'}: ${deployment.service}`,
    service: deployment.resource,
    facts,
    mentions: [by],
    event: { type: 'deployment.rollback_requested' },
  };
}
