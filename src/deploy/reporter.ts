/**
 * Reporting a deployment, apart from running it (./deployer.ts): its start, success or failure in
 * a log line, a metric and Slack, through the words of src/present/; what started or ended is
 * recorded through the follower (src/following/). One reporter per deployment; its Slack and
 * recording work is settled before the deployer returns the results of a run.
 */
import type { Config } from '../config/config.js';
import type { ClaimTicket, Covering } from '../following/claims.js';
import type { Follower, Reported } from '../following/follower.js';
import type { MessageRef, ReleaseStepRef } from '../following/journal.js';
import { deploymentMessages, dryRunFields, failureFields, outcomeFields } from '../present/deployments.js';
import { identify, type DeploymentIdentity } from '../present/identity.js';
import { notStartedMessage } from '../present/notices.js';
import type { Notification } from '../present/notification.js';
import { describeTrigger, triggerFields } from '../present/triggerLines.js';
import { errorFields, SmokeTestFailedError } from '../shared/errors.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import { openDeployment, type Notifier } from '../slack/notifier.js';
import type { DeploymentPreview, Progress, Rollout, TargetOutcome } from '../targets/contract.js';
import { deployedTrigger } from '../triggers/trigger.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import type { RouteName } from '../triggers/plan.js';

export interface ReporterParts {
  config: Pick<Config, 'dryRun' | 'maxDeploymentRetries' | 'region'>;
  log: Log;
  notifier: Notifier;
  follower: Follower;
}

/** One deployment as the reporter names it. */
export interface ReportedDeployment {
  request: DeploymentRequest;
  /** The event whose change it deploys. */
  eventId: string;
  /** ISO 8601: the trigger's event, and the start of the deployment. */
  triggeredAt: string;
  startedAt: string;
  /** Its metrics: a deployment of a batch counts under its own route. */
  metrics: MetricSink;
  /** The step of a release it is. */
  release?: ReleaseStepRef;
}

/** How a deployment failed, after `attempts` attempts. */
export interface Failure {
  cause: unknown;
  /** Where it got to, when its target can say. */
  progress: Progress | undefined;
  attempts: number;
  retryable: boolean;
  /** The error is a bug: a retry cannot help, and the invocation fails. */
  unexpected: boolean;
}

/**
 * The reporter of one deployment: each method is one thing that happened to it.
 *
 * @example
 * const report = new DeploymentReport(parts, { request, eventId, triggeredAt, startedAt, metrics });
 * report.started(outcome, attempts);
 * await report.settled();
 */
export class DeploymentReport {
  /** What is deployed, in log fields and Slack facts. */
  readonly identity: DeploymentIdentity;
  /** The log fields of every line about it. */
  readonly fields: LogFields;
  /** One line naming its trigger. */
  readonly trigger: string;
  /** Its first message, once its start is announced. */
  private message: Promise<MessageRef | undefined> | undefined;
  /** Its last message and its record, once it ended after its start was announced. */
  private ended: Promise<void> | undefined;
  /** Its claim of its target (src/following/claims.ts), which its record settles. */
  private claim: ClaimTicket | undefined;

  constructor(
    private readonly parts: ReporterParts,
    private readonly deployment: ReportedDeployment,
  ) {
    const { request, eventId } = deployment;
    this.identity = identify(request, parts.config.region);
    this.trigger = describeTrigger(request.trigger);
    this.fields = {
      service: request.service,
      event_id: eventId,
      trigger: this.trigger,
      ...triggerFields(request.trigger),
      ...this.identity.fields,
      ...approvalFields(request),
    };
  }

  /** A deployment whose apply returns once it is over is about to change AWS: its start, once. */
  starting(preview: DeploymentPreview, attempt: number): void {
    if (this.message !== undefined) return;
    this.message = openDeployment(this.parts.notifier, this.deployment.request, this.announce(preview, attempt));
  }

  /** A rollout started, whose end is reported from what ECS later says: announced, and recorded by the follower. */
  started(outcome: Extract<TargetOutcome, { status: 'started' }>, attempts: number): void {
    if (this.message !== undefined) return;
    this.message = this.parts.follower.onStarted(this.followed(), outcome, this.announce(outcome.result, attempts));
  }

  /** A deployment that ends inside the invocation succeeded. */
  succeeded(outcome: Extract<TargetOutcome, { status: 'succeeded' }>, attempts: number, durationMs: number): void {
    const { request, triggeredAt, metrics } = this.deployment;
    metrics.count(MetricName.DeploymentsSucceeded);
    metrics.ofDeployment(
      MetricName.DeploymentDuration,
      deployedTrigger(request.trigger).kind,
      Math.max(0, Date.now() - Date.parse(triggeredAt)) || durationMs,
      'Milliseconds',
    );
    this.parts.log.info('deployment succeeded', {
      ...this.fields,
      ...outcomeFields(outcome.result),
      attempt: attempts,
      max_retries: this.parts.config.maxDeploymentRetries,
      duration_ms: durationMs,
    });
    this.end(outcome, deploymentMessages.succeeded(request, this.identity, outcome.result, durationMs, this.deployment));
  }

  /** The deployment failed (in a dry run: its reads failed). */
  failed({ cause, progress, attempts, retryable, unexpected }: Failure): void {
    const { config, log } = this.parts;
    const { metrics, request } = this.deployment;
    metrics.count(MetricName.DeploymentsFailed);
    if (cause instanceof SmokeTestFailedError) metrics.count(MetricName.SmokeTestsFailed);
    log.error('deployment failed', {
      ...this.fields,
      attempt: attempts,
      max_retries: config.maxDeploymentRetries,
      retryable,
      unexpected,
      ...errorFields(cause),
      ...failureFields(cause, progress),
    });
    const { eventId, startedAt } = this.deployment;
    const message = deploymentMessages.failed(
      request,
      this.identity,
      { cause, attempts, progress, dryRun: config.dryRun },
      { eventId, startedAt, endedAt: new Date().toISOString() },
    );
    this.end({ status: 'failed', cause, retryable, ...(progress === undefined ? {} : { progress }) }, message);
  }

  /** Dry run: what the deployment would do, and the calls it would make. */
  wouldStart(preview: DeploymentPreview, calls: readonly string[]): void {
    this.parts.log.info('dry run: deployment not started', { ...this.fields, ...dryRunFields(preview, calls), dry_run: true });
    this.parts.notifier.notify(deploymentMessages.wouldStart(this.deployment.request, this.identity, preview, calls, this.deployment));
  }

  /** An attempt failed on something worth retrying: the next one starts after `delayMs`. */
  retrying(retry: number, delayMs: number, cause: unknown): void {
    const maxRetries = this.parts.config.maxDeploymentRetries;
    this.deployment.metrics.count(MetricName.DeploymentsRetried);
    this.parts.log.warn(`deployment attempt failed; retry ${retry} of ${maxRetries} in ${delayMs} ms`, {
      ...this.fields,
      attempt: retry,
      max_retries: maxRetries,
      retry_in_ms: delayMs,
      ...errorFields(cause),
    });
  }

  /** The idempotency guard did not run it: `already deployed` for this event, or `in progress` in another live invocation. */
  notRun(reason: 'already deployed' | 'in progress', idempotencyKey: string): void {
    if (reason === 'in progress') {
      // If that invocation fails, nothing would be left to retry this event, so this one fails too.
      this.parts.log.warn('deployment in progress in another invocation; this invocation fails so Lambda retries it later', {
        ...this.fields,
        idempotency_key: idempotencyKey,
      });
      return;
    }
    this.deployment.metrics.count(MetricName.DeploymentsSkipped);
    this.parts.log.info(`deployment skipped: ${reason} for this event`, { ...this.fields, reason, idempotency_key: idempotencyKey });
  }

  /** It claimed its target: its record, once it started, settles the claim. */
  claimed(ticket: ClaimTicket): void {
    this.claim = ticket;
  }

  /** It did not start: the claim it took is given back. Never rejects. */
  async giveBackClaim(): Promise<void> {
    if (this.claim !== undefined) await this.parts.follower.release(this.followed(), this.claim);
  }

  /** It does not start: `by`, a deployment that began after its `changes` changes and carries all they carry, deploys them. */
  covered(by: Covering, changes: number): void {
    const { metrics, request } = this.deployment;
    metrics.count(MetricName.DeploymentsSkipped);
    this.parts.log.info('deployment not started: its changes are covered by a deployment that began after them', {
      ...this.fields,
      covered_by: by.deployment.id,
      covering_started_at: by.claim.startedAt,
      covered_changes: changes,
    });
    this.ended = this.parts.follower.onCovered(this.followed(), by, changes, request.trigger);
  }

  /** Every event it answers is answered by the deployment that began after them (`deploymentId`): a redelivery. */
  alreadyDeployedBy(deploymentId: string): void {
    this.deployment.metrics.count(MetricName.DeploymentsSkipped);
    this.parts.log.info('deployment skipped: already deployed for this event', {
      ...this.fields,
      reason: 'already deployed',
      deployed_by: deploymentId,
    });
  }

  /** Another invocation is still starting a deployment of its target: its events come back later. */
  claimedElsewhere(claimedAt: string): void {
    this.parts.log.warn('deployment of this target being started in another invocation; its events come back later', {
      ...this.fields,
      claimed_at: claimedAt,
    });
  }

  /** Resolves when its messages are delivered (or given up) and its record written (or its failure logged). Never rejects. */
  async settled(): Promise<void> {
    await Promise.all([this.message, this.ended]);
  }

  /** Counts and logs the start, and says it in words. */
  private announce(view: Rollout | DeploymentPreview, attempt: number): Notification {
    this.deployment.metrics.count(MetricName.DeploymentsStarted);
    this.parts.log.info('deployment started', {
      ...this.fields,
      ...outcomeFields(view),
      attempt,
      max_retries: this.parts.config.maxDeploymentRetries,
    });
    return deploymentMessages.started(this.deployment.request, this.identity, view, this.deployment);
  }

  /**
   * The end of a deployment that ends inside the invocation: its first message (if its start was
   * announced) becomes the outcome, and the follower records it; otherwise the outcome is a message of its own.
   */
  private end(outcome: TargetOutcome, message: Notification): void {
    // Approved: the request's message is the deployment's from the start.
    const asked = this.deployment.request.approval?.message;
    const announced = this.message ?? (asked === undefined ? undefined : Promise.resolve(asked));
    if (announced === undefined) {
      this.parts.notifier.notify(message);
      return;
    }
    this.ended = (async () => this.parts.follower.onFinished(this.followed(), outcome, await announced, message))();
  }

  /** The deployment as the follower is told of it. */
  private followed(): Reported {
    const { request, eventId, triggeredAt, startedAt, metrics, release } = this.deployment;
    const facts = {
      request,
      eventId,
      region: this.parts.config.region,
      triggeredAt,
      startedAt,
      ...(release === undefined ? {} : { release }),
    };
    return { facts, fields: this.fields, metrics, ...(this.claim === undefined ? {} : { claim: this.claim }) };
  }
}

/** Log fields of the approval a deployment carries out: who approved it, and which request. */
function approvalFields(request: DeploymentRequest): LogFields {
  const { approval } = request;
  if (approval === undefined) return {};
  return { approval_id: approval.id, approved_by: approval.by.id, approved_by_name: approval.by.name, approved_at: approval.at };
}

/** What the deployments of a run an invocation had no time to start were. */
export interface NotStarted {
  service: string;
  eventId: string;
  route: RouteName;
}

/**
 * One error log line and one Slack message for the deployments of a run the invocation had no time
 * to start, counted under each one's route.
 *
 * @example
 * reportNotStarted(parts, notStarted, orders.length, marginMs, (route) => metrics);
 */
export function reportNotStarted(
  { log, notifier }: Pick<ReporterParts, 'log' | 'notifier'>,
  notStarted: readonly NotStarted[],
  planned: number,
  invocationMarginMs: number,
  metricsOf: (route: RouteName) => MetricSink,
): void {
  if (notStarted.length === 0) return;
  const routes = new Map<RouteName, number>();
  for (const { route } of notStarted) routes.set(route, (routes.get(route) ?? 0) + 1);
  for (const [route, count] of routes) metricsOf(route).count(MetricName.DeploymentsNotStarted, count);
  const services = notStarted.map((d) => d.service);
  const eventIds = [...new Set(notStarted.map((d) => d.eventId))];
  log.error('deployments not started: out of time', {
    ...(eventIds.length === 1 ? { event_id: eventIds[0] } : { event_ids: eventIds }),
    services,
    planned,
    invocation_margin_ms: invocationMarginMs,
  });
  notifier.notify(notStartedMessage(services, planned, eventIds));
}
