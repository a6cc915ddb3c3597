/**
 * Deploying: carrying out what the triggers asked for, once per event and target. The deployer
 * runs a list of deployments (concurrently, bounded): for each it loads the target of its kind,
 * lets it prepare (the reads), then either describes what would happen (dry run: an early return)
 * or applies it through the idempotency guard (./idempotency/), retrying transient failures with
 * exponential backoff inside the deadline, and returns what became of it. Reporting it is
 * ./reporter.ts's; an SQS batch's deployments are merged and run at once (./batch/).
 *
 * What a deployment does is its target's business (src/targets/, through src/targets/contract.ts
 * only): its outcome says whether it started something that runs on (followed later) or is over.
 * The deployer knows no kind of target: adding one leaves it unchanged.
 *
 * With an approval gate (`APPROVERS`), a deployment is prepared (the reads a dry run makes) and put
 * to the approvers instead of being applied; once approved, it comes back carrying the approval
 * (`request.approval`) and is carried out as any other, in the request's own Slack message.
 */
import type { Context } from 'aws-lambda';
import type { ApprovalGate } from '../approvals/ask.js';
import type { Config } from '../config/config.js';
import { CLAIM_DEFAULTS, DEPLOYER_DEFAULTS } from '../config/constants.js';
import type { ClaimOutcome } from '../following/claims.js';
import type { Follower } from '../following/follower.js';
import type { ReleaseStepRef } from '../following/journal.js';
import { mapWithConcurrency } from '../shared/concurrency.js';
import { DeploymentError, describeError, isRetryableAwsError, isUnexpectedError, TransientDeploymentError } from '../shared/errors.js';
import type { Invocation } from '../shared/invocation.js';
import { boundLog, type Log, type MetricSink } from '../shared/observability.js';
import { withRetries, type Attempted } from '../shared/retry.js';
import type { Notifier } from '../slack/notifier.js';
import type {
  DeploymentPreview,
  PreparedDeployment,
  Release,
  Rollout,
  Target,
  TargetContext,
  TargetOutcome,
  TargetRegistry,
} from '../targets/contract.js';
import type { Carried, DeploymentRequest } from '../triggers/requests.js';
import { answeredEventIds } from '../triggers/trigger.js';
import type { RouteName } from '../triggers/plan.js';
import { onceForEach, type DeploymentGuard } from './idempotency/guard.js';
import { DeploymentReport, reportNotStarted, type Failure } from './reporter.js';

/** One deployment to carry out: what it deploys, the event whose change it is, when that happened, and its route. */
export interface DeploymentOrder {
  request: DeploymentRequest;
  eventId: string;
  /** ISO 8601: the trigger's event (of a merged deployment: the earliest), from which its duration counts. */
  triggeredAt: string;
  /** ISO 8601: its latest change, when it answers several events (a deployment that began after it covers it). */
  changedAt?: string;
  /** The route that asked for it: the `trigger` dimension of what it counts. */
  route: RouteName;
  /** The step of a release it is (RELEASE_CONFIG), recorded with it so that its end moves the release on. */
  release?: ReleaseStepRef;
}

/** What became of one deployment. */
export type DeploymentResult =
  | ({ service: string; status: 'started'; attempts: number } & Rollout)
  | ({ service: string; status: 'succeeded'; attempts: number; durationMs: number } & Release)
  | ({ service: string; status: 'dry_run'; plannedCalls: string[] } & DeploymentPreview)
  /** `unexpected`: the error is a bug, which fails the invocation although a retry cannot help. */
  | { service: string; status: 'failed'; error: string; attempts: number; retryable: boolean; unexpected: boolean }
  | { service: string; status: 'skipped'; reason: 'already deployed' }
  /** Not started: a deployment deploybridge started after its `changes` changes, carrying all they carry, deploys them (`coveredBy`: its id). */
  | { service: string; status: 'covered'; coveredBy: string; changes: number }
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
  /** Deployments of one run in flight at once. */
  concurrency: number;
  /** Retries of one call that met a conflict (Lambda: an update in progress), inside the deployment timeout. */
  conflictRetries: number;
  /** Kept free at the end of the invocation to record outcomes and deliver Slack messages. */
  invocationMarginMs: number;
  /** A deployment is not started with less time than this left. */
  minimumStartMs: number;
}

export interface DeployerParts {
  config: Pick<Config, 'dryRun' | 'maxDeploymentRetries' | 'deploymentTimeoutSeconds' | 'region'>;
  log: Log;
  notifier: Notifier;
  targets: TargetRegistry;
  /** With IDEMPOTENCY_TABLE: each (event id, target) deploys at most once. */
  guard: DeploymentGuard | undefined;
  /** Records what started or ended (with DEPLOYMENTS_TABLE), so that ECS's later events are followed. */
  follower: Follower;
  /** With APPROVERS: a deployment not yet approved is asked for instead of started. */
  gate?: ApprovalGate;
}

/** A failed attempt, carried through the retry loop. */
class AttemptFailed extends Error {
  constructor(readonly outcome: Extract<TargetOutcome, { status: 'failed' }>) {
    super('attempt failed', { cause: outcome.cause });
  }
}

type Finished = Extract<TargetOutcome, { status: 'started' | 'succeeded' }>;

/** One deployment being carried out. */
interface Deployment {
  request: DeploymentRequest;
  /** The event whose change it deploys, and when that happened (ISO 8601). */
  eventId: string;
  triggeredAt: string;
  /** ISO 8601: its latest change. */
  changedAt: string;
  /** Epoch milliseconds: its start, and the time by which it must be over. */
  startedAt: number;
  deadline: number;
  /** Its metrics: a deployment of a batch counts under its own route. */
  metrics: MetricSink;
  report: DeploymentReport;
}

export class Deployer {
  private readonly options: DeployerOptions;

  constructor(
    private readonly parts: DeployerParts,
    options: Partial<DeployerOptions> = {},
  ) {
    this.options = { ...DEPLOYER_DEFAULTS, ...options };
  }

  /**
   * Carries out every deployment; one failure does not stop the others. Each deployment's deadline
   * is the smaller of `DEPLOYMENT_TIMEOUT_SECONDS` from its start and the invocation's end less a
   * margin; the deployments there is no time left to start are not started, and reported together.
   * Every deployment's Slack messages and records are settled before the results are returned.
   * `metricsOf` gives the metrics a deployment counts in, by its route.
   *
   * @example
   * const results = await deployer.run(plan.deployments.map((request) => ({ request, eventId, triggeredAt, route })), invocation, () => metrics);
   */
  async run(
    orders: readonly DeploymentOrder[],
    invocation: Invocation,
    metricsOf: (route: RouteName) => MetricSink,
  ): Promise<DeploymentResult[]> {
    const { invocationMarginMs, minimumStartMs, concurrency } = this.options;
    const invocationDeadline = invocation.endsAt === undefined ? Number.POSITIVE_INFINITY : invocation.endsAt - invocationMarginMs;
    const runs = await mapWithConcurrency(orders, concurrency, async (order) => {
      if (invocationDeadline - Date.now() < minimumStartMs) return { result: outOfTime(order), report: undefined };
      const { request, eventId, triggeredAt, release } = order;
      const startedAt = Date.now();
      const metrics = metricsOf(order.route);
      const report = new DeploymentReport(this.parts, {
        request,
        eventId,
        triggeredAt,
        startedAt: new Date(startedAt).toISOString(),
        metrics,
        ...(release === undefined ? {} : { release }),
      });
      const deadline = Math.min(startedAt + this.parts.config.deploymentTimeoutSeconds * 1000, invocationDeadline);
      const changedAt = order.changedAt ?? triggeredAt;
      const result = await this.deploy(
        { request, eventId, triggeredAt, changedAt, startedAt, deadline, metrics, report },
        invocation.lambdaContext,
      );
      return { result, report };
    });
    const notStarted = orders.filter((_, i) => runs[i]?.report === undefined);
    reportNotStarted(
      this.parts,
      notStarted.map((order) => ({ service: order.request.service, eventId: order.eventId, route: order.route })),
      orders.length,
      invocationMarginMs,
      metricsOf,
    );
    await Promise.all(runs.flatMap(({ report }) => (report === undefined ? [] : [report.settled()])));
    return runs.map((run) => run.result);
  }

  private async deploy(deployment: Deployment, lambdaContext: Context | undefined): Promise<DeploymentResult> {
    const { request, report } = deployment;
    const load: () => Promise<Target> = this.parts.targets[request.target];
    const target = await load();
    const { gate } = this.parts;
    if (gate !== undefined && request.approval === undefined) return this.askApproval(deployment, target, gate);
    if (this.parts.config.dryRun) return this.dryRun(deployment, target);

    // A deployment that runs on after this invocation can stand in for later changes: it claims its target first.
    const claimAs = target.claimOf?.(request);
    const claimed = claimAs === undefined ? undefined : await this.claim(deployment, claimAs);
    if (claimed?.kind === 'covered') {
      const { by } = claimed;
      // Events the covering deployment itself answers (a redelivery) are not more changes.
      const deployed = new Set(answeredEventIds(by.deployment.trigger, by.deployment.eventId));
      const changes = answeredEventIds(request.trigger, deployment.eventId).filter((id) => !deployed.has(id)).length;
      if (changes === 0) {
        report.alreadyDeployedBy(by.deployment.id);
        return { service: request.service, status: 'skipped', reason: 'already deployed' };
      }
      report.covered(by, changes);
      return { service: request.service, status: 'covered', coveredBy: by.deployment.id, changes };
    }
    if (claimed?.kind === 'busy') {
      report.claimedElsewhere(claimed.claim.startedAt);
      return { service: request.service, status: 'deferred', reason: 'in progress' };
    }
    const ticket = claimed?.ticket;
    if (ticket !== undefined) report.claimed(ticket);
    const result = await this.carryOut(deployment, target, lambdaContext);
    // Its record settles the claim of a rollout that started; any other gives it back.
    if (ticket !== undefined && result.status !== 'started') await report.giveBackClaim();
    return result;
  }

  /** Claims the deployment's target, or learns what covers it (undefined: no deployments table). */
  private claim(deployment: Deployment, claimAs: { target: string; carried: Carried }): Promise<ClaimOutcome | undefined> {
    const { changedAt, deadline, report, metrics } = deployment;
    const now = Date.now();
    const ask = {
      ...claimAs,
      changedAt,
      // Its holder records its deployment, or gives it back, before the invocation ends.
      leaseMs: deadline - now + this.options.invocationMarginMs,
      waitMs: Math.max(0, Math.min(CLAIM_DEFAULTS.waitMs, deadline - now - this.options.minimumStartMs)),
    };
    return this.parts.follower.claim(ask, report.fields, metrics);
  }

  /** Through the idempotency guard: prepare and apply, with retries; then report what became of it. */
  private async carryOut(deployment: Deployment, target: Target, lambdaContext: Context | undefined): Promise<DeploymentResult> {
    const { request, report } = deployment;
    const guarded = await this.guarded(deployment, () => this.attempts(deployment, target), lambdaContext);
    if (!guarded.ran) return guarded.skipped;
    const attempted = guarded.result;
    if (!attempted.ok) {
      const { cause, progress } =
        attempted.error instanceof AttemptFailed ? attempted.error.outcome : { cause: attempted.error, progress: undefined };
      return this.failed(deployment, { cause, progress, attempts: attempted.attempts, retryable: attempted.retryable });
    }
    const { value: outcome, attempts } = attempted;
    if (outcome.status === 'started') {
      report.started(outcome, attempts);
      return { service: request.service, status: 'started', attempts, ...outcome.result };
    }
    const durationMs = Date.now() - deployment.startedAt;
    report.succeeded(outcome, attempts, durationMs);
    return { service: request.service, status: 'succeeded', attempts, durationMs, ...outcome.result };
  }

  /** Prepare, then apply; transient failures start over after a backoff, inside the deadline. */
  private attempts(deployment: Deployment, target: Target): Promise<Attempted<Finished>> {
    const { request, report, deadline } = deployment;
    return withRetries(
      {
        baseMs: this.options.backoffBaseMs,
        maxRetries: this.parts.config.maxDeploymentRetries,
        deadline,
        shouldRetry: (error) => (error instanceof AttemptFailed ? error.outcome.retryable : isRetryableAwsError(error)),
        onRetry: (retry, delay, error) => report.retrying(retry, delay, error instanceof AttemptFailed ? error.outcome.cause : error),
      },
      async (attempt) => {
        const prepared = await target.prepare(request, this.context(deployment));
        if (prepared.settled === undefined && target.reportsCompletion) report.starting(prepared.preview, attempt);
        const outcome = prepared.settled !== undefined ? prepared.settled : await prepared.apply();
        if (outcome.status === 'failed') throw new AttemptFailed(outcome);
        return outcome;
      },
    );
  }

  /**
   * The reads a dry run and an approval request both make (the target's `prepare`): what it
   * prepared, or, when a read failed, the deployment reported as failed.
   */
  private async reads(deployment: Deployment, target: Target): Promise<{ prepared: PreparedDeployment } | { result: DeploymentResult }> {
    let prepared;
    try {
      prepared = await target.prepare(deployment.request, this.context(deployment));
    } catch (error) {
      return { result: this.failed(deployment, { cause: error, progress: undefined, attempts: 1, retryable: isRetryableAwsError(error) }) };
    }
    if (prepared.settled?.status === 'failed') {
      const { cause, progress, retryable } = prepared.settled;
      return { result: this.failed(deployment, { cause, progress, attempts: 1, retryable }) };
    }
    return { prepared };
  }

  /** Dry run: the reads only, then describe the calls that would follow and return. */
  private async dryRun(deployment: Deployment, target: Target): Promise<DeploymentResult> {
    const { request, report } = deployment;
    const read = await this.reads(deployment, target);
    if ('result' in read) return read.result;
    const { prepared } = read;
    const calls = [...prepared.calls];
    report.wouldStart(prepared.preview, calls);
    return { service: request.service, status: 'dry_run', plannedCalls: calls, ...prepared.preview };
  }

  /**
   * With approvals: the reads a dry run makes, then the deployment is put to the approvers (a dry
   * run says what it would ask). A failed read is reported as a failure, as a dry run reports it.
   */
  private async askApproval(deployment: Deployment, target: Target, gate: ApprovalGate): Promise<DeploymentResult> {
    const { request, report } = deployment;
    const read = await this.reads(deployment, target);
    if ('result' in read) return read.result;
    const { prepared } = read;
    const calls = [...prepared.calls];
    const asked = {
      request,
      eventId: deployment.eventId,
      triggeredAt: deployment.triggeredAt,
      identity: report.identity,
      fields: report.fields,
      metrics: deployment.metrics,
      preview: prepared.preview,
      calls,
    };
    if (this.parts.config.dryRun) {
      await gate.wouldAsk(asked);
      return { service: request.service, status: 'dry_run', plannedCalls: calls, ...prepared.preview };
    }
    let outcome;
    try {
      outcome = await gate.ask(asked);
    } catch (error) {
      // The deployments table or the pinning read failed: nothing was asked; a transient failure is retried with the event.
      const retryable = isRetryableAwsError(error) || error instanceof TransientDeploymentError;
      return this.failed(deployment, { cause: error, progress: undefined, attempts: 1, retryable });
    }
    return outcome.status === 'asked'
      ? { service: request.service, status: 'awaiting approval', approvalId: outcome.approvalId }
      : { service: request.service, status: 'deferred', reason: 'approval not posted' };
  }

  /** A failed deployment, reported. */
  private failed(deployment: Deployment, failure: Omit<Failure, 'unexpected'>): DeploymentResult {
    const unexpected = isUnexpectedError(failure.cause);
    deployment.report.failed({ ...failure, unexpected });
    const { attempts, retryable } = failure;
    return { service: deployment.request.service, status: 'failed', error: describeError(failure.cause), attempts, retryable, unexpected };
  }

  /**
   * Runs the attempts through the idempotency guard when there is one. A deployment that already
   * succeeded for this event (a duplicate delivery, a Lambda retry, a replay) is skipped; one that
   * failed is not recorded and runs again. If the guard's table cannot be reached, nothing is
   * deployed and the failure is transient, so Lambda retries the event.
   */
  private async guarded<T>(
    deployment: Deployment,
    attemptAll: () => Promise<Attempted<T>>,
    lambdaContext: Context | undefined,
  ): Promise<{ ran: true; result: Attempted<T> } | { ran: false; skipped: DeploymentResult }> {
    const { guard } = this.parts;
    if (guard === undefined) return { ran: true, result: await attemptAll() };
    const { request, report } = deployment;
    const key = `${request.target}:${report.identity.resource}`;
    // A merged deployment answers several events: each is recorded, so a redelivery of any is skipped.
    const eventIds = answeredEventIds(request.trigger, deployment.eventId);
    try {
      const outcome = await onceForEach(guard, eventIds, key, attemptAll, (attempted) => attempted.ok, lambdaContext);
      if (outcome.ran) return outcome;
      report.notRun(outcome.reason, key);
      const { service } = request;
      return {
        ran: false,
        skipped:
          outcome.reason === 'in progress'
            ? { service, status: 'deferred', reason: 'in progress' }
            : { service, status: 'skipped', reason: outcome.reason },
      };
    } catch (error) {
      const unavailable = new DeploymentError(`idempotency table unavailable: ${describeError(error)}`, { retryable: true, cause: error });
      return { ran: true, result: { ok: false, error: unavailable, attempts: 0, retryable: true } };
    }
  }

  /** What the target may use during one attempt. */
  private context({ deadline, metrics, report }: Deployment): TargetContext {
    return {
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      deadline,
      log: boundLog(this.parts.log, report.fields),
      metrics,
      trigger: report.trigger,
      conflictRetry: { baseMs: this.options.backoffBaseMs, maxRetries: this.options.conflictRetries },
    };
  }
}

/** A deployment the invocation had no time left to start. */
function outOfTime(order: DeploymentOrder): DeploymentResult {
  return { service: order.request.service, status: 'deferred', reason: 'out of time' };
}
