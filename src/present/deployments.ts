/**
 * The messages of a deployment deploybridge carries out, from the deployer's outcomes: started,
 * would start (dry run), succeeded and failed, with the trigger, the versions, a Lambda smoke test's
 * plan and result, and where traffic goes after a failure, each with its typed event; and the log
 * fields of an outcome and of a failure. What ECS later says of an ECS deployment is
 * src/present/following.ts.
 */
import { describePlannedCalls } from './plannedCalls.js';
import { describeError, SmokeTestFailedError } from '../shared/errors.js';
import type { LogFields } from '../shared/observability.js';
import type { DeploymentPreview, Progress, Release, Rollout } from '../targets/contract.js';
import type { LambdaRelease } from '../targets/outcomes.js';
import type { Approval, DeploymentRequest, LambdaDeployment } from '../triggers/requests.js';
import { deploymentOfRequest, versionOf, type DeploymentKnown, type DeploymentRun } from './events.js';
import { formatDuration, formatTime } from './format.js';
import { type DeploymentIdentity, RESTART, revisionChange } from './identity.js';
import type { Facts, Mention, Notification, NotificationEvent, Severity } from './notification.js';
import { describeTrigger, triggerFacts } from './triggerLines.js';

/** What the smoke test of a Lambda deployment will do. */
function describeSmokeTestPlan(request: LambdaDeployment): string {
  if (request.lambda.smokeTest === undefined) return 'not configured';
  if (request.change.kind === 'rollback') return 'skipped for a rollback';
  return request.lambda.alias === undefined
    ? 'runs on $LATEST after the update (no alias: nothing can be rolled back)'
    : 'runs on the new version before the alias moves';
}

/** What a preview or an outcome of a kind of target these words do not know holds: its own fields besides `target`, with a value to show. */
function ownEntries(view: object): Array<[string, string | number | boolean]> {
  return Object.entries(view).filter(
    (entry: [string, unknown]): entry is [string, string | number | boolean] =>
      entry[0] !== 'target' && ['string', 'number', 'boolean'].includes(typeof entry[1]),
  );
}

/** Such a view's fields as log fields: `queueUrl` → `queue_url`. */
function ownFields(view: object): LogFields {
  return Object.fromEntries(ownEntries(view).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]));
}

/** Such a view's fields as Slack facts: `queueUrl` → "Queue url". */
function ownFacts(view: object): Facts {
  return ownEntries(view).map(([key, value]) => {
    const words = key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
    return [`${words.charAt(0).toUpperCase()}${words.slice(1)}`, String(value)];
  });
}

/** Log fields of what a deployment will do, or what it did. */
export function outcomeFields(view: DeploymentPreview | Rollout | Release): LogFields {
  switch (view.target) {
    case 'ecs':
      return 'deploymentId' in view
        ? { task_definition: view.taskDefinition, deployment_id: view.deploymentId, previous_task_definition: view.previousTaskDefinition }
        : {};
    case 'lambda':
      return 'smokeTest' in view
        ? { from_version: view.fromVersion, to_version: view.toVersion, smoke_test: view.smokeTest }
        : { from_version: view.fromVersion, to_version: view.toVersion };
    default:
      return ownFields(view);
  }
}

/** Log fields of a dry run: what it would do and, except for an ECS restart or redeploy (one UpdateService), the calls it would make. */
export function dryRunFields(preview: DeploymentPreview, calls: readonly string[]): LogFields {
  return { ...outcomeFields(preview), ...(preview.target === 'ecs' ? {} : { planned_calls: [...calls] }) };
}

/** Log fields of a failure: where it got to, and a failed smoke test's (redacted) response. */
export function failureFields(cause: unknown, progress: Progress | undefined): LogFields {
  const got =
    progress === undefined
      ? {}
      : progress.target === 'lambda'
        ? { from_version: progress.fromVersion, to_version: progress.toVersion }
        : ownFields(progress);
  return {
    ...got,
    ...(cause instanceof SmokeTestFailedError ? { smoke_test: 'failed', smoke_test_response: cause.response } : {}),
  };
}

/** A message about one deployment: its trigger and what the trigger says, then `facts`. */
/**
 * Who approved a deployment, as its messages name them (none when approvals are off).
 *
 * @example
 * approvedBy({ id: 'a1b2', by: { id: 'U0APPROVER', name: 'alice' }, at: '2026-03-02T10:05:00Z', message: undefined });
 * // [{ label: 'Approved by', people: [{ id: 'U0APPROVER', name: 'alice' }], note: 'at 2026-03-02 10:05 UTC' }]
 */
export function approvedBy(approval: Approval | undefined): Mention[] {
  return approval === undefined ? [] : [{ label: 'Approved by', people: [approval.by], note: `at ${formatTime(approval.at)}` }];
}

export function deploymentMessage(
  request: DeploymentRequest,
  identity: DeploymentIdentity,
  severity: Severity,
  title: string,
  facts: Facts,
  event: NotificationEvent,
): Notification {
  return {
    severity,
    title: `${title}: ${request.service}`,
    service: identity.resource,
    facts: [['Trigger', describeTrigger(request.trigger)], ...triggerFacts(request.trigger), ...facts],
    consoleUrl: identity.consoleUrl,
    ...(identity.consoleName === undefined ? {} : { consoleName: identity.consoleName }),
    ...(request.approval === undefined ? {} : { mentions: approvedBy(request.approval) }),
    event,
  };
}

/** What a preview, rollout, release or progress says of the revision a deployment goes to and comes from. */
function revisions(
  view: DeploymentPreview | Rollout | Release | Progress | undefined,
): Pick<DeploymentKnown, 'revision' | 'previousRevision'> {
  switch (view?.target) {
    case 'ecs':
      return {
        revision: view.taskDefinition,
        previousRevision: 'previousTaskDefinition' in view ? view.previousTaskDefinition : undefined,
      };
    case 'lambda':
      return { revision: versionOf(view.toVersion), previousRevision: view.fromVersion };
    default:
      return {};
  }
}

const versions = (from: string | undefined, to: string | undefined): [string, string] => ['Versions', `${from} → ${to}`];

/** The status line of a finished Lambda deployment. */
function releaseStatus(release: LambdaRelease): string {
  switch (release.note) {
    case 'already_published':
      return `succeeded; version ${release.toVersion} is already live (nothing changed since it was published)`;
    case 'already_on_version':
      return `succeeded; alias ${release.alias} already points to version ${release.toVersion}`;
    case 'rolled_back':
      return `rolled back: alias ${release.alias} moved from version ${release.fromVersion} back to ${release.toVersion}`;
    case undefined:
      return 'succeeded';
  }
}

/** The status line of a failed Lambda deployment: where traffic goes now, and whether anything could be rolled back. */
function lambdaFailureStatus(request: LambdaDeployment, cause: unknown, progress: Progress | undefined): string {
  const { fromVersion, toVersion, latestChanged } = progress ?? { fromVersion: undefined, toVersion: undefined, latestChanged: false };
  const alias = request.lambda.alias;
  if (alias === undefined) {
    return latestChanged
      ? 'failed: $LATEST already runs the change; nothing could be rolled back (no alias configured)'
      : 'failed: $LATEST unchanged';
  }
  const isRollback = request.change.kind === 'rollback';
  const verb = isRollback ? 'rollback failed' : cause instanceof SmokeTestFailedError ? 'failed, not released' : 'failed';
  if (fromVersion === undefined) return `${verb}: alias ${alias} not moved`;
  const unused = !isRollback && toVersion !== undefined && toVersion !== fromVersion ? `; version ${toVersion} received no traffic` : '';
  return `${verb}: alias ${alias} stays on version ${fromVersion}${unused}`;
}

/** Messages about one deployment. */
export const deploymentMessages = {
  /** The deployment started: an ECS rollout (with its deployment id), or a Lambda deploy about to change the function. */
  started(request: DeploymentRequest, identity: DeploymentIdentity, view: Rollout | DeploymentPreview, run: DeploymentRun): Notification {
    const event: NotificationEvent = {
      type: 'deployment.started',
      deployment: deploymentOfRequest(request, identity, run, {
        id: 'deploymentId' in view ? view.deploymentId : undefined,
        ...revisions(view),
      }),
    };
    switch (view.target) {
      case 'ecs': {
        const rollout =
          'deploymentId' in view
            ? view
            : { deploymentId: undefined, taskDefinition: view.taskDefinition, previousTaskDefinition: undefined };
        const restart = request.target === 'ecs' && request.taskDefinition === undefined;
        return deploymentMessage(
          request,
          identity,
          'info',
          'Deployment started',
          [
            ['Status', 'in progress'],
            ['Deployment ID', rollout.deploymentId ?? 'unknown'],
            [
              'Task definition',
              rollout.taskDefinition === undefined
                ? RESTART
                : revisionChange(rollout.taskDefinition, rollout.previousTaskDefinition, restart),
            ],
          ],
          event,
        );
      }
      case 'lambda': {
        const smoke: Facts = request.target === 'lambda' ? [['Smoke test', describeSmokeTestPlan(request)]] : [];
        return deploymentMessage(
          request,
          identity,
          'info',
          'Deployment started',
          [['Status', 'in progress'], ...identity.facts, versions(view.fromVersion, view.toVersion), ...smoke],
          event,
        );
      }
      default:
        return deploymentMessage(
          request,
          identity,
          'info',
          'Deployment started',
          [['Status', 'in progress'], ...identity.facts, ...ownFacts(view)],
          event,
        );
    }
  },

  /** A deployment that finishes inside the invocation finished. */
  succeeded(
    request: DeploymentRequest,
    identity: DeploymentIdentity,
    release: Release,
    durationMs: number,
    run: DeploymentRun,
  ): Notification {
    const endedAt = new Date(Date.parse(run.startedAt) + durationMs).toISOString();
    const event: NotificationEvent = {
      type: 'deployment.succeeded',
      deployment: deploymentOfRequest(request, identity, { ...run, endedAt }, { ...revisions(release), outcome: 'succeeded' }),
    };
    if (release.target !== 'lambda') {
      return deploymentMessage(
        request,
        identity,
        'success',
        'Deployment succeeded',
        [['Status', 'succeeded'], ...identity.facts, ...ownFacts(release), ['Duration', formatDuration(durationMs)]],
        event,
      );
    }
    const expect = request.target === 'lambda' ? request.lambda.smokeTest?.expect : undefined;
    const smoke =
      release.smokeTest === 'passed' ? `passed${expect ? ` (${JSON.stringify(expect)})` : ''}` : release.smokeTest.replace('_', ' ');
    const image: Facts = [];
    if (release.image !== undefined) {
      const { configured, resolved, movedOn } = release.image;
      image.push([
        'Image',
        movedOn === undefined
          ? resolved
          : `${resolved} (the tag moved on since the push: ${configured} now resolves to ${movedOn.resolvedDigest}, not the pushed ${movedOn.pushedDigest})`,
      ]);
    }
    return deploymentMessage(
      request,
      identity,
      'success',
      'Deployment succeeded',
      [
        ['Status', releaseStatus(release)],
        ...identity.facts,
        versions(release.fromVersion, release.toVersion),
        ['Smoke test', smoke],
        ...image,
        ['Duration', formatDuration(durationMs)],
      ],
      event,
    );
  },

  /** Dry run: what the deployment would do. */
  wouldStart(
    request: DeploymentRequest,
    identity: DeploymentIdentity,
    preview: DeploymentPreview,
    calls: readonly string[],
    run: DeploymentRun,
  ): Notification {
    const plannedCalls: [string, string] = ['Planned calls', describePlannedCalls(calls) || '(none)'];
    const planned: Facts =
      preview.target === 'ecs'
        ? []
        : preview.target === 'lambda'
          ? [versions(preview.fromVersion, preview.toVersion), plannedCalls]
          : [...ownFacts(preview), plannedCalls];
    const deployment = deploymentOfRequest(request, identity, run, { ...revisions(preview), notStarted: true });
    return {
      ...deploymentMessage(
        request,
        identity,
        'info',
        'Deployment would start',
        [['Status', 'dry run: not started'], ...identity.facts, ...planned],
        { type: 'deployment.requested', deployment },
      ),
      dryRun: true,
    };
  },

  /** The deployment failed, after `attempts` attempts (in a dry run: its reads failed). */
  failed(
    request: DeploymentRequest,
    identity: DeploymentIdentity,
    failure: { cause: unknown; attempts: number; progress: Progress | undefined; dryRun: boolean },
    run: DeploymentRun,
  ): Notification {
    const status = request.target === 'lambda' ? lambdaFailureStatus(request, failure.cause, failure.progress) : 'failed';
    const response: Facts = failure.cause instanceof SmokeTestFailedError ? [['Smoke test response', failure.cause.response]] : [];
    const reason = describeError(failure.cause);
    const gotTo =
      failure.progress ?? (request.target === 'ecs' ? { target: 'ecs' as const, taskDefinition: request.taskDefinition } : undefined);
    const deployment = deploymentOfRequest(request, identity, run, {
      ...revisions(gotTo),
      outcome: 'failed',
      reasons: [reason],
      notStarted: failure.dryRun,
    });
    const message = deploymentMessage(
      request,
      identity,
      'error',
      'Deployment failed',
      [['Status', status], ['Reason', reason], ['Attempts', String(failure.attempts)], ...identity.facts, ...response],
      { type: 'deployment.failed', deployment },
    );
    return failure.dryRun ? { ...message, dryRun: true } : message;
  },
};
