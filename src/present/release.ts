/**
 * The words for a release (RELEASE_CONFIG): one message for the change, its steps in order with
 * each one's state (waiting, running, done, failed, not started), replaced as the steps move on
 * (bot token), and what each move was, in its thread (or, with a webhook, one message that says
 * both).
 */
import { shortTaskDefinition } from '../config/naming.js';
import type { ReleaseRecord, ReleaseStep, ReleaseTaskStep } from '../following/journal.js';
import { partitionOf } from '../shared/partition.js';
import { redact } from '../shared/redact.js';
import { truncate } from '../shared/text.js';
import type { Facts, Notification, NotificationEvent, Severity, ThreadUpdate } from './notification.js';
import { describeTrigger } from './triggerLines.js';

/** What moved a release on, as its thread tells it. */
export type ReleaseMove =
  | { kind: 'started' }
  | { kind: 'task_started'; step: number }
  | { kind: 'task_succeeded'; step: number }
  | { kind: 'task_failed'; step: number }
  | { kind: 'task_not_run'; step: number }
  | { kind: 'deploy_failed'; step: number }
  | { kind: 'deploy_completed'; step: number }
  | { kind: 'timed_out'; steps: number[] };

const STATE_WORDS: Record<ReleaseStep['state'], string> = {
  waiting: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  not_started: 'not started',
};

/** Text from ECS (reasons), masked and bounded before it reaches a message. */
const outside = (text: string, max = 300) => truncate(redact(text), max);

/** "Run myproject_migrate_dev before api" or "Deploy worker (after api)". */
function stepName(release: Pick<ReleaseRecord, 'steps'>, step: ReleaseStep): string {
  if (step.kind === 'task') return `Run ${step.family} before ${step.service}`;
  const after = step.after.flatMap((i) => {
    const before = release.steps[i];
    return before?.kind === 'deploy' ? [before.service] : [];
  });
  return `Deploy ${step.service}${after.length === 0 ? '' : ` (after ${after.join(', ')})`}`;
}

/** The steps in order, one line each with its state. */
function stepLines(release: Pick<ReleaseRecord, 'steps'>): string {
  return release.steps
    .map(
      (step, i) =>
        `${i + 1}. ${stepName(release, step)}: ${STATE_WORDS[step.state]}${step.reason === undefined ? '' : ` (${outside(step.reason, 160)})`}`,
    )
    .join('\n');
}

/** The release as it stands: blue while under way, green when every step is done, red when one failed. */
export function releaseState(release: ReleaseRecord): Notification {
  const services = [...new Set(release.steps.map((s) => s.service))].join(', ');
  const over = release.steps.every((s) => s.state !== 'waiting' && s.state !== 'running');
  const failed = release.steps.some((s) => s.state === 'failed' || s.state === 'not_started');
  const [severity, title]: [Severity, string] = failed
    ? ['error', over ? `Release failed: ${services}` : `Release failing: ${services}`]
    : over
      ? ['success', `Release completed: ${services}`]
      : ['info', `Release in progress: ${services}`];
  const first = release.steps.find((s) => s.kind === 'deploy');
  return {
    severity,
    title,
    facts: [
      ...(first?.kind === 'deploy' ? ([['Trigger', describeTrigger(first.order.request.trigger)]] as Facts) : []),
      ['Steps', stepLines(release)],
      ['Release', release.id],
    ],
  };
}

/**
 * What a release would do (dry run): its steps in order; nothing is run or recorded.
 *
 * @example
 * notifier.notify(releasePlan('3877aac17ac0b1b2', steps));
 */
export function releasePlan(id: string, steps: ReleaseStep[]): Notification {
  const services = [...new Set(steps.map((s) => s.service))].join(', ');
  return {
    severity: 'info',
    title: `Release plan: ${services}`,
    facts: [
      ['Steps', stepLines({ steps })],
      ['Release', id],
      ['Status', 'each step would start on the ECS event that ends the one before it'],
    ],
    dryRun: true,
    event: { type: 'release.requested' },
  };
}

/** The console link to the CloudWatch log stream of a task's container (`awslogs` with a stream prefix). */
export function taskLogUrl(step: ReleaseTaskStep, container: string): string | undefined {
  const logs = step.logs?.[container];
  if (logs === undefined || logs.prefix === undefined || step.taskArn === undefined) return undefined;
  const origin = partitionOf(logs.region).consoleOrigin(logs.region);
  if (origin === undefined) return undefined;
  const taskId = step.taskArn.slice(step.taskArn.lastIndexOf('/') + 1);
  // The console's own encoding of a path segment: encoded twice, with "$" for "%".
  const segment = (text: string) => encodeURIComponent(encodeURIComponent(text)).replaceAll('%', '$');
  const stream = `${logs.prefix}/${container}/${taskId}`;
  return `${origin}/cloudwatch/home?region=${encodeURIComponent(logs.region)}#logsV2:log-groups/log-group/${segment(logs.group)}/log-events/${segment(stream)}`;
}

/** The container whose exit failed the task (the first decisive one that did not exit 0), or the first decisive one. */
function failedContainer(step: ReleaseTaskStep) {
  const containers = step.stopped?.containers ?? [];
  const decisive = containers.filter((c) => (step.decisive ?? []).includes(c.name));
  return decisive.find((c) => c.exitCode !== 0) ?? decisive[0];
}

/** What a task step's thread reply says. */
function taskFacts(step: ReleaseTaskStep): Facts {
  return [
    ['Task definition', shortTaskDefinition(step.taskDefinition ?? step.family)],
    ...(step.taskArn === undefined ? [] : ([['Task', step.taskArn.slice(step.taskArn.lastIndexOf('/') + 1)]] as Facts)),
    ...(step.command === undefined ? [] : ([['Command', `${step.container}: ${outside(step.command.join(' '), 200)}`]] as Facts)),
  ];
}

/** Why a task step failed: the exit code, ECS's reasons and where its logs are. */
function taskFailureFacts(step: ReleaseTaskStep): Facts {
  const container = failedContainer(step);
  const facts: Facts = [];
  if (container !== undefined)
    facts.push(['Exit code', `${container.name}: ${container.exitCode ?? 'none (the container did not run to its end)'}`]);
  if (step.stopped?.stoppedReason !== undefined) facts.push(['Stopped reason', outside(step.stopped.stoppedReason)]);
  if (step.stopped?.stopCode !== undefined) facts.push(['Stop code', step.stopped.stopCode]);
  if (container?.reason !== undefined) facts.push(['Container reason', outside(container.reason)]);
  const logs = container === undefined ? undefined : taskLogUrl(step, container.name);
  if (logs !== undefined) facts.push(['Logs', logs]);
  else if (step.reason !== undefined && step.stopped === undefined) facts.push(['Reason', outside(step.reason)]);
  return facts;
}

/** The services a failure leaves undeployed. */
function notDeployed(release: ReleaseRecord): Facts {
  const services = release.steps.filter((s) => s.kind === 'deploy' && s.state === 'not_started').map((s) => s.service);
  return services.length === 0 ? [] : [['Not deployed', services.join(', ')]];
}

/** The thread reply of a move. */
function moveMessage(release: ReleaseRecord, move: ReleaseMove): Notification {
  if (move.kind === 'started') return { severity: 'info', title: 'Release started', facts: [['Steps', stepLines(release)]] };
  if (move.kind === 'timed_out') {
    const names = move.steps.flatMap((i) => {
      const step = release.steps[i];
      return step === undefined ? [] : [`${stepName(release, step)}: ${step.reason ?? 'timed out'}`];
    });
    return { severity: 'error', title: 'Release step timed out', facts: [['Timed out', names.join('\n')], ...notDeployed(release)] };
  }
  const step = release.steps[move.step] as ReleaseStep;
  const service = step.service;
  if (step.kind === 'task') {
    switch (move.kind) {
      case 'task_started':
        return {
          severity: 'info',
          title: `Task started before ${service}: ${step.family}`,
          facts: [...taskFacts(step), ['Waiting for', 'the task to stop']],
        };
      case 'task_succeeded':
        return {
          severity: 'success',
          title: `Task succeeded before ${service}: ${step.family}`,
          facts: [...taskFacts(step), ['Next', `deploying ${service}`]],
        };
      case 'task_not_run':
        return {
          severity: 'error',
          title: `Task not started before ${service}: ${step.family}`,
          facts: [['Reason', outside(step.reason ?? 'unknown')], ...notDeployed(release)],
        };
      default:
        return {
          severity: 'error',
          title: `Task failed before ${service}: ${step.family}`,
          facts: [...taskFacts(step), ...taskFailureFacts(step), ...notDeployed(release)],
        };
    }
  }
  if (move.kind === 'deploy_completed')
    return { severity: 'success', title: `Step done: ${service} deployed`, facts: [['Steps', stepLines(release)]] };
  return {
    severity: 'error',
    title: `Step failed: ${service} not deployed`,
    facts: [['Reason', outside(step.reason ?? 'unknown')], ...notDeployed(release)],
  };
}

/**
 * A move of a release, in the words each Slack mode needs: the release's message as it stands, the
 * move in its thread, or one message with both.
 *
 * @example
 * notifier.follow(release.message, releaseUpdate(release, { kind: 'task_failed', step: 0 }));
 */
export function releaseUpdate(release: ReleaseRecord, move: ReleaseMove): ThreadUpdate {
  const event = releaseEvent(release, move);
  const state = { ...releaseState(release), event };
  const reply = { ...moveMessage(release, move), event };
  const standalone: Notification = {
    ...reply,
    facts: [...reply.facts.filter(([label]) => label !== 'Steps'), ['Release', `${state.title}\n${stepLines(release)}`]],
  };
  return { state, reply, standalone };
}

/** What a move of a release is, typed for the channels: a step failing fails the release; the last step done completes it. */
function releaseEvent(release: ReleaseRecord, move: ReleaseMove): NotificationEvent {
  switch (move.kind) {
    case 'started':
      return { type: 'release.started' };
    case 'task_failed':
    case 'task_not_run':
    case 'deploy_failed':
    case 'timed_out':
      return { type: 'release.failed' };
    default:
      return { type: release.steps.every((s) => s.state === 'done') ? 'release.succeeded' : 'release.progressing' };
  }
}
