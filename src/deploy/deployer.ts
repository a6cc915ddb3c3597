/**
 * The deployer carries out a plan: for each deployment (concurrently, bounded) it loads the
 * deployment's target, lets it prepare (the reads), and then either describes what would happen
 * (dry run: an early return) or applies it, retrying transient failures with exponential backoff
 * inside the deployment timeout. It reports start, completion and failure in logs, metrics and
 * Slack, through the presenter.
 *
 * What a deployment does is its target's business (src/targets/, through src/targets/contract.ts
 * only): ECS starts a rollout whose completion is reported later from ECS's own events; a Lambda
 * deployment finishes inside the invocation.
 *
 * With a recorder (DEPLOYMENTS_TABLE), what started is recorded with its trigger and its first
 * Slack message, so ECS's later events are reported in that deployment's thread.
 *
 * With an approval gate (`APPROVERS`), a deployment is prepared (the reads a dry run makes) and put
 * to the approvers instead of being applied; once approved, it comes back carrying the approval
 * (`request.approval`) and is carried out as usual, its messages in the request's own message.
 */
import type { Context } from 'aws-lambda';
import type { Config } from '../config/config.js';
import { mapWithConcurrency } from '../shared/concurrency.js';
import { DEPLOYER_DEFAULTS } from '../config/constants.js';
import {
  DeploymentError,
  describeError,
  errorFields,
  isRetryableAwsError,
  isUnexpectedError,
  SmokeTestFailedError,
  TransientDeploymentError,
} from '../shared/errors.js';
import type { ApprovalGate, AskedDeployment } from '../approvals/ask.js';
import type { DeploymentRecorder } from '../following/records.js';
import { onceForEach, type DeploymentGuard } from './idempotency/guard.js';
import type { Invocation } from '../shared/invocation.js';
import { boundLog, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import { MetricName } from '../shared/observability.js';
import {
  deployedTrigger,
  type DeploymentPreview,
  type DeploymentRequest,
  type EcsRollout,
  type LambdaProgress,
  type LambdaRelease,
  type MessageRef,
  type Plan,
  type TargetOutcome,
} from '../triggers/plan.js';
import { deploymentMessages, failureFields, outcomeFields } from '../present/deployments.js';
import { deploymentStepUpdate, stepFields, stepLog } from '../present/following.js';
import { identify, type DeploymentIdentity } from '../present/identity.js';
import { notStartedMessage } from '../present/notices.js';
import type { Notification } from '../present/notification.js';
import { describeTrigger, triggerFields } from '../present/triggerLines.js';
import { withRetries, type Attempted } from '../shared/retry.js';
import type { Notifier } from '../slack/notifier.js';
import type { Target, TargetContext, TargetRegistry } from '../targets/contract.js';

/** What became of one deployment of a plan. */
export type DeploymentResult =
  | ({ service: string; status: 'started'; attempts: number } & EcsRollout)
  | ({ service: string; status: 'succeeded'; attempts: number; durationMs: number } & LambdaRelease)
  | ({ service: string; status: 'dry_run'; plannedCalls: string[] } & DeploymentPreview)
  /** `unexpected`: the error is a bug, which fails the invocation although a retry cannot help. */
  | { service: string; status: 'failed'; error: string; attempts: number; retryable: boolean; unexpected: boolean }
  | { service: string; status: 'skipped'; reason: 'already deployed' }
  /** Waiting for an approver: the request `approvalId` is in Slack. */
  | { service: string; status: 'awaiting approval'; approvalId: string }
  /** Not carried out in this invocation, which fails so Lambda retries the event: another invocation is deploying it, time ran out before it could start, or its approval request could not be posted. */
  | { service: string; status: 'deferred'; reason: 'in progress' | 'out of time' | 'approval not posted' };

/**
 * What is left to do of a deployment once this invocation ends, or `undefined` when nothing is (it
 * started, succeeded or was skipped, or failed in a way no retry mends): `transient` (it failed on
 * transient AWS errors after the retries), `bug` (an unexpected error), `in progress` (another live
 * invocation is deploying it) or `out of time` (it was not started).
 *
 * @example
 * unfinishedWork({ service: 'api', status: 'deferred', reason: 'in progress' }); // 'in progress'
 */
export function unfinishedWork(
  result: DeploymentResult,
): 'transient' | 'bug' | 'in progress' | 'out of time' | 'approval not posted' | undefined {
  if (result.status === 'failed') return result.retryable ? 'transient' : result.unexpected ? 'bug' : undefined;
  return result.status === 'deferred' ? result.reason : undefined;
}

export interface DeployerOptions {
  /** First backoff delay; doubles each retry (5 s, 10 s, 20 s, …). Injectable so tests run instantly. */
  backoffBaseMs: number;
  /** Deployments of one plan in flight at once. */
  concurrency: number;
  /** Retries of one call that met a conflict (Lambda: an update in progress), inside the deployment timeout. */
  conflictRetries: number;
  /** Kept free at the end of the invocation to record outcomes and deliver Slack messages. */
  invocationMarginMs: number;
  /** A deployment is not started with less time than this left. */
  minimumStartMs: number;
}

export interface DeployerDeps {
  config: Pick<Config, 'dryRun' | 'maxDeploymentRetries' | 'deploymentTimeoutSeconds' | 'region'>;
  log: Log;
  metrics: MetricSink;
  notifier: Notifier;
  targets: TargetRegistry;
  /** With IDEMPOTENCY_TABLE: each (event id, target) deploys at most once. */
  guard?: DeploymentGuard;
  /** With DEPLOYMENTS_TABLE: what started is recorded, so its later events are followed. */
  recorder?: DeploymentRecorder;
  /** With APPROVERS: a deployment not yet approved is asked for instead of started. */
  gate?: ApprovalGate;
}

/** A failed attempt, carried through the retry loop. */
class AttemptFailed extends Error {
  constructor(readonly outcome: Extract<TargetOutcome, { status: 'failed' }>) {
    super('attempt failed', { cause: outcome.cause });
  }
}

/** One deployment being carried out: its request, its names, and whether its start was reported. */
interface Deployment {
  request: DeploymentRequest;
  identity: DeploymentIdentity;
  fields: LogFields;
  eventId: string;
  /** ISO 8601: the trigger's event, and the start of this deployment. */
  triggeredAt: string;
  startedAt: string;
  deadline: number;
  announced: boolean;
  /** Its first Slack message, once announced. */
  message?: Promise<MessageRef | undefined>;
  /** Recording and Slack work of the plan, awaited before the plan's results are returned. */
  followUps: Array<Promise<unknown>>;
}

type Finished = Extract<TargetOutcome, { status: 'started' | 'succeeded' }>;

/** What the deployments of one plan share while it is carried out. */
interface PlanRun {
  eventId: string;
  /** ISO 8601: the trigger's event. */
  triggeredAt: string;
  /** Recording and Slack work of the plan, awaited before the plan's results are returned. */
  followUps: Array<Promise<unknown>>;
  /** Epoch milliseconds: no deployment of the plan runs past it (the invocation's end less the margin). */
  invocationDeadline: number;
  /** For the idempotency guard: an in-progress record expires with this invocation. */
  lambdaContext: Context | undefined;
}

export class Deployer {
  private readonly options: DeployerOptions;

  constructor(
    private readonly deps: DeployerDeps,
    options: Partial<DeployerOptions> = {},
  ) {
    this.options = { ...DEPLOYER_DEFAULTS, ...options };
  }

  /**
   * Carries out every deployment of the plan; one failure does not stop the others. `triggeredAt`
   * is the time of the event that asked for them (ISO 8601). Each deployment's deadline is the
   * smaller of `DEPLOYMENT_TIMEOUT_SECONDS` from its start and the invocation's end less a margin; a
   * deployment there is no time left to start is not started, and those are reported together.
   */
  async execute(plan: Plan, invocation: Invocation, triggeredAt: string = new Date().toISOString()): Promise<DeploymentResult[]> {
    const { invocationMarginMs, minimumStartMs, concurrency } = this.options;
    const invocationDeadline = invocation.endsAt === undefined ? Number.POSITIVE_INFINITY : invocation.endsAt - invocationMarginMs;
    const followUps: Array<Promise<unknown>> = [];
    const results = await mapWithConcurrency(plan.deployments, concurrency, async (request): Promise<DeploymentResult> => {
      if (invocationDeadline - Date.now() < minimumStartMs) return { service: request.service, status: 'deferred', reason: 'out of time' };
      return this.deploy(request, {
        eventId: plan.eventId,
        triggeredAt,
        followUps,
        invocationDeadline,
        lambdaContext: invocation.lambdaContext,
      });
    });
    this.reportNotStarted(plan, results);
    while (followUps.length > 0) await Promise.all(followUps.splice(0));
    return results;
  }

  /** One error log line and one Slack message for the deployments the invocation had no time to start. */
  private reportNotStarted(plan: Plan, results: DeploymentResult[]): void {
    const notStarted = results.filter((r) => r.status === 'deferred' && r.reason === 'out of time').map((r) => r.service);
    if (notStarted.length === 0) return;
    const { log, metrics, notifier } = this.deps;
    metrics.count(MetricName.DeploymentsNotStarted, notStarted.length);
    log.error('deployments not started: out of time', {
      event_id: plan.eventId,
      services: notStarted,
      planned: plan.deployments.length,
      invocation_margin_ms: this.options.invocationMarginMs,
    });
    notifier.notify(notStartedMessage(notStarted, plan.deployments.length, plan.eventId));
  }

  private async deploy(request: DeploymentRequest, run: PlanRun): Promise<DeploymentResult> {
    const { eventId, triggeredAt, followUps } = run;
    const { config } = this.deps;
    const identity = identify(request, config.region);
    const startedAt = Date.now();
    const deployment: Deployment = {
      request,
      identity,
      fields: {
        service: request.service,
        event_id: eventId,
        trigger: describeTrigger(request.trigger),
        ...triggerFields(request.trigger),
        ...identity.fields,
        ...approvalFields(request),
      },
      eventId,
      triggeredAt,
      startedAt: new Date(startedAt).toISOString(),
      deadline: Math.min(startedAt + config.deploymentTimeoutSeconds * 1000, run.invocationDeadline),
      announced: false,
      followUps,
    };
    // Each registry entry serves requests of its own kind: the union is correlated by `target`.
    const target = (await this.deps.targets[request.target]()) as Target;
    if (this.deps.gate !== undefined && request.approval === undefined) return this.askApproval(deployment, target, this.deps.gate);
    if (config.dryRun) return this.dryRun(deployment, target);

    const guarded = await this.guarded(deployment, eventId, () => this.attempts(deployment, target), run.lambdaContext);
    if (!guarded.ran) return guarded.skipped;
    const attempted = guarded.result;
    if (!attempted.ok) {
      const failure = attempted.error instanceof AttemptFailed ? attempted.error.outcome : { cause: attempted.error, progress: undefined };
      return this.fail(deployment, failure.cause, failure.progress, attempted.attempts, attempted.retryable);
    }
    const { value: outcome, attempts } = attempted;
    if (outcome.status === 'started') {
      this.announceStart(deployment, outcome.result, attempts);
      return { service: request.service, status: 'started', attempts, ...outcome.result };
    }
    const durationMs = Date.now() - startedAt;
    this.deps.metrics.count(MetricName.DeploymentsSucceeded);
    this.deps.metrics.ofDeployment(
      MetricName.DeploymentDuration,
      deployedTrigger(request.trigger).kind,
      Math.max(0, Date.now() - Date.parse(triggeredAt)) || durationMs,
      'Milliseconds',
    );
    this.deps.log.info('deployment succeeded', {
      ...deployment.fields,
      ...outcomeFields(outcome.result),
      attempt: attempts,
      max_retries: config.maxDeploymentRetries,
      duration_ms: durationMs,
    });
    this.finish(deployment, outcome, deploymentMessages.succeeded(request, identity, outcome.result, durationMs));
    return { service: request.service, status: 'succeeded', attempts, durationMs, ...outcome.result };
  }

  /**
   * The end of a deployment that finishes inside the invocation: its first message (if it was
   * announced) becomes the outcome, and the deployment is recorded with it.
   */
  private finish(deployment: Deployment, outcome: TargetOutcome, message: Notification): void {
    const { notifier, recorder } = this.deps;
    const asked = deployment.request.approval?.message;
    const announced = deployment.message ?? (asked === undefined ? undefined : Promise.resolve(asked));
    if (announced === undefined) {
      notifier.notify(message);
      return;
    }
    deployment.followUps.push(
      (async () => {
        const first = await announced;
        const now = await notifier.follow(first, { state: message, standalone: message });
        if (recorder === undefined) return;
        await this.recording(deployment, () => recorder.record({ ...this.facts(deployment), outcome, message: now ?? first }));
      })(),
    );
  }

  /** What a deployment's record is made of, besides its outcome and message. */
  private facts(deployment: Deployment) {
    return {
      request: deployment.request,
      eventId: deployment.eventId,
      region: this.deps.config.region,
      triggeredAt: deployment.triggeredAt,
      startedAt: deployment.startedAt,
    };
  }

  /** Runs a write of the deployments table; a failure is logged and counted, never thrown (the deployment is under way). */
  private async recording<T>(deployment: Deployment, write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      this.deps.metrics.count(MetricName.DeploymentRecordsFailed);
      this.deps.log.error('deployment not recorded: its later events are reported without it', {
        ...deployment.fields,
        ...errorFields(error),
      });
      return undefined;
    }
  }

  /**
   * An ECS rollout started: recorded first (ECS's first event follows within seconds), then
   * announced; its message is remembered, and the rollouts it superseded are told so in their threads.
   */
  private async followRollout(deployment: Deployment, rollout: EcsRollout, message: Notification): Promise<MessageRef | undefined> {
    const { notifier, recorder, log } = this.deps;
    if (recorder === undefined) return this.open(deployment, message);
    const recorded = await this.recording(deployment, () =>
      recorder.record({ ...this.facts(deployment), outcome: { status: 'started', result: rollout }, message: undefined }),
    );
    const first = await this.open(deployment, message);
    if (recorded !== undefined && first !== undefined)
      await this.recording(deployment, () => recorder.attachMessage(recorded.deployment.id, first, undefined));
    for (const superseded of recorded?.superseded ?? []) {
      const step = { kind: 'superseded' } as const;
      const { level, message: line } = stepLog(step);
      log[level](line, { ...stepFields(superseded, step), superseded_by: recorded?.deployment.id });
      const now = await notifier.follow(superseded.message, deploymentStepUpdate(superseded, step));
      if (now !== undefined) await this.recording(deployment, () => recorder.attachMessage(superseded.id, now, superseded.message));
    }
    return first;
  }

  /** The deployment's first message: a message of its own, or, once approved, the approval request's message updated. */
  private open(deployment: Deployment, message: Notification): Promise<MessageRef | undefined> {
    const asked = deployment.request.approval?.message;
    if (asked === undefined) return this.deps.notifier.open(message);
    return this.deps.notifier.follow(asked, { state: message, standalone: message });
  }

  /**
   * With approvals: the reads a dry run makes, then the deployment is put to the approvers (a dry
   * run says what it would ask). A failed read is reported as a failure, as a dry run reports it.
   */
  private async askApproval(deployment: Deployment, target: Target, gate: ApprovalGate): Promise<DeploymentResult> {
    const { request } = deployment;
    let prepared;
    try {
      prepared = await target.prepare(request, this.context(deployment));
    } catch (error) {
      return this.fail(deployment, error, undefined, 1, isRetryableAwsError(error));
    }
    if (prepared.settled?.status === 'failed') {
      return this.fail(deployment, prepared.settled.cause, prepared.settled.progress, 1, prepared.settled.retryable);
    }
    const calls = [...prepared.calls];
    const asked: AskedDeployment = {
      request,
      eventId: deployment.eventId,
      triggeredAt: deployment.triggeredAt,
      identity: deployment.identity,
      fields: deployment.fields,
      metrics: this.deps.metrics,
      preview: prepared.preview,
      calls,
    };
    if (this.deps.config.dryRun) {
      await gate.wouldAsk(asked);
      return { service: request.service, status: 'dry_run', plannedCalls: calls, ...prepared.preview };
    }
    let outcome;
    try {
      outcome = await gate.ask(asked);
    } catch (error) {
      // The deployments table or the pinning read failed: nothing was asked; a transient failure is retried with the event.
      return this.fail(deployment, error, undefined, 1, isRetryableAwsError(error) || error instanceof TransientDeploymentError);
    }
    return outcome.status === 'asked'
      ? { service: request.service, status: 'awaiting approval', approvalId: outcome.approvalId }
      : { service: request.service, status: 'deferred', reason: 'approval not posted' };
  }

  /** Prepare, then apply; transient failures start over after a backoff, inside the deadline. */
  private attempts(deployment: Deployment, target: Target): Promise<Attempted<Finished>> {
    const { config, log, metrics } = this.deps;
    const maxRetries = config.maxDeploymentRetries;
    return withRetries(
      {
        baseMs: this.options.backoffBaseMs,
        maxRetries,
        deadline: deployment.deadline,
        shouldRetry: (error) => (error instanceof AttemptFailed ? error.outcome.retryable : isRetryableAwsError(error)),
        onRetry: (attempt, delay, error) => {
          metrics.count(MetricName.DeploymentsRetried);
          log.warn(`deployment attempt failed; retry ${attempt} of ${maxRetries} in ${delay} ms`, {
            ...deployment.fields,
            attempt,
            max_retries: maxRetries,
            retry_in_ms: delay,
            ...errorFields(error instanceof AttemptFailed ? error.outcome.cause : error),
          });
        },
      },
      async (attempt) => {
        const prepared = await target.prepare(deployment.request, this.context(deployment));
        if (prepared.settled === undefined && target.reportsCompletion) this.announceStart(deployment, prepared.preview, attempt);
        const outcome = prepared.settled !== undefined ? prepared.settled : await prepared.apply();
        if (outcome.status === 'failed') throw new AttemptFailed(outcome);
        return outcome;
      },
    );
  }

  /** Dry run: the reads only, then describe the calls that would follow and return. */
  private async dryRun(deployment: Deployment, target: Target): Promise<DeploymentResult> {
    const { request, identity, fields } = deployment;
    let prepared;
    try {
      prepared = await target.prepare(request, this.context(deployment));
    } catch (error) {
      return this.fail(deployment, error, undefined, 1, isRetryableAwsError(error));
    }
    if (prepared.settled?.status === 'failed') {
      return this.fail(deployment, prepared.settled.cause, prepared.settled.progress, 1, prepared.settled.retryable);
    }
    const calls = [...prepared.calls];
    this.deps.log.info('dry run: deployment not started', {
      ...fields,
      ...outcomeFields(prepared.preview),
      ...(prepared.preview.target === 'lambda' ? { planned_calls: calls } : {}),
      dry_run: true,
    });
    this.deps.notifier.notify(deploymentMessages.wouldStart(request, identity, prepared.preview, calls));
    return { service: request.service, status: 'dry_run', plannedCalls: calls, ...prepared.preview };
  }

  /**
   * Runs the attempts through the idempotency guard when there is one. A deployment that already
   * succeeded for this event (a duplicate delivery, a Lambda retry, a replay) is skipped; one that
   * failed is not recorded and runs again. If the guard's table cannot be reached, nothing is
   * deployed and the failure is transient, so Lambda retries the event.
   */
  private async guarded<T>(
    deployment: Deployment,
    eventId: string,
    attemptAll: () => Promise<Attempted<T>>,
    lambdaContext: Context | undefined,
  ): Promise<{ ran: true; result: Attempted<T> } | { ran: false; skipped: DeploymentResult }> {
    const { guard, log, metrics } = this.deps;
    if (guard === undefined) return { ran: true, result: await attemptAll() };
    const key = `${deployment.request.target}:${deployment.identity.resource}`;
    // A merged deployment answers several events: each is recorded, so a redelivery of any is skipped.
    const trigger = deployment.request.trigger;
    const eventIds = trigger.kind === 'merged' ? trigger.eventIds : [eventId];
    try {
      const outcome = await onceForEach(guard, eventIds, key, attemptAll, (attempted) => attempted.ok, lambdaContext);
      if (outcome.ran) return outcome;
      const service = deployment.request.service;
      if (outcome.reason === 'in progress') {
        // A live invocation is deploying it: if that one fails, nothing would be left to retry this event, so this one fails too.
        log.warn('deployment in progress in another invocation; this invocation fails so Lambda retries it later', {
          ...deployment.fields,
          idempotency_key: key,
        });
        return { ran: false, skipped: { service, status: 'deferred', reason: 'in progress' } };
      }
      metrics.count(MetricName.DeploymentsSkipped);
      log.info(`deployment skipped: ${outcome.reason} for this event`, {
        ...deployment.fields,
        reason: outcome.reason,
        idempotency_key: key,
      });
      return { ran: false, skipped: { service, status: 'skipped', reason: outcome.reason } };
    } catch (error) {
      const unavailable = new DeploymentError(`idempotency table unavailable: ${describeError(error)}`, { retryable: true, cause: error });
      return { ran: true, result: { ok: false, error: unavailable, attempts: 0, retryable: true } };
    }
  }

  /** What the target may use during one attempt. */
  private context(deployment: Deployment): TargetContext {
    const { log, metrics } = this.deps;
    return {
      signal: AbortSignal.timeout(Math.max(1, deployment.deadline - Date.now())),
      deadline: deployment.deadline,
      log: boundLog(log, deployment.fields),
      metrics,
      trigger: describeTrigger(deployment.request.trigger),
      conflictRetry: { baseMs: this.options.backoffBaseMs, maxRetries: this.options.conflictRetries },
    };
  }

  private announceStart(deployment: Deployment, view: EcsRollout | DeploymentPreview, attempt: number): void {
    if (deployment.announced) return;
    deployment.announced = true;
    this.deps.metrics.count(MetricName.DeploymentsStarted);
    this.deps.log.info('deployment started', {
      ...deployment.fields,
      ...outcomeFields(view),
      attempt,
      max_retries: this.deps.config.maxDeploymentRetries,
    });
    const message = deploymentMessages.started(deployment.request, deployment.identity, view);
    deployment.message =
      view.target === 'ecs' && 'deploymentId' in view ? this.followRollout(deployment, view, message) : this.open(deployment, message);
    deployment.followUps.push(deployment.message);
  }

  private fail(
    deployment: Deployment,
    cause: unknown,
    progress: LambdaProgress | undefined,
    attempts: number,
    retryable: boolean,
  ): DeploymentResult {
    const { config, log, metrics } = this.deps;
    metrics.count(MetricName.DeploymentsFailed);
    if (cause instanceof SmokeTestFailedError) metrics.count(MetricName.SmokeTestsFailed);
    const unexpected = isUnexpectedError(cause);
    const fields = {
      ...deployment.fields,
      attempt: attempts,
      max_retries: config.maxDeploymentRetries,
      retryable,
      unexpected,
      ...errorFields(cause),
      ...failureFields(cause, progress),
    };
    log.error('deployment failed', fields);
    const message: Notification = deploymentMessages.failed(deployment.request, deployment.identity, {
      cause,
      attempts,
      progress,
      dryRun: config.dryRun,
    });
    this.finish(deployment, { status: 'failed', cause, retryable, ...(progress === undefined ? {} : { progress }) }, message);
    return { service: deployment.request.service, status: 'failed', error: describeError(cause), attempts, retryable, unexpected };
  }
}

/** Log fields of the approval a deployment carries out: who approved it, and which request. */
function approvalFields(request: DeploymentRequest): LogFields {
  const { approval } = request;
  if (approval === undefined) return {};
  return { approval_id: approval.id, approved_by: approval.by.id, approved_by_name: approval.by.name, approved_at: approval.at };
}
