/**
 * One event, start to finish: validate, route, plan, deploy, notify. Permanent problems (malformed
 * or foreign events, refused requests) are logged once and end normally; transient AWS failures
 * that outlived the deployer's retries, deployments left undone and bugs fail the invocation, so
 * Lambda's retry, its on-failure destination and the Errors alarm apply.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createApprovalGate } from '../approvals/ask.js';
import type { ApprovedRun } from '../approvals/decide.js';
import type { MergedDeployment } from '../deploy/batch/merge.js';
import { routedMetrics } from '../deploy/batch/metrics.js';
import type { BatchSteps, PlannedEvent } from '../deploy/batch/run.js';
import type { Config } from '../config/config.js';
import { Deployer, unfinishedWork, type DeployerOptions, type DeploymentResult } from '../deploy/deployer.js';
import type { ApprovalRequest, DeploymentJournal } from '../following/journal.js';
import { createRecorder, type DeploymentRecorder } from '../following/records.js';
import {
  describeError,
  errorFields,
  isRetryableAwsError,
  isUnexpectedError,
  RejectedEventError,
  TransientDeploymentError,
  UnexpectedError,
} from '../shared/errors.js';
import { envelopeSchema, eventTime, malformedFields, type EventEnvelope } from '../triggers/events.js';
import type { DeploymentGuard } from '../deploy/idempotency/guard.js';
import { invocationOf, type Invocation } from '../shared/invocation.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { MetricName } from '../shared/observability.js';
import {
  deployedTrigger,
  emptyPlan,
  type DeploymentRequest,
  type Notice,
  type Person,
  type Plan,
  type RouteName,
} from '../triggers/plan.js';
import type { Reads } from '../triggers/reads/registry.js';
import { deploymentStepUpdate, stepFields, stepLog } from '../present/following.js';
import { noticeMessage, planningFailedMessage, refusalMessage } from '../present/notices.js';
import { loadPlanBuilder, route } from '../triggers/router.js';
import type { Notifier } from '../slack/notifier.js';
import type { Targets } from '../targets/registry.js';

export interface AppDeps {
  config: Config;
  log: Log;
  metrics: MetricSink & { setTrigger?(trigger: string): void };
  notifier: Notifier;
  targets: Targets;
  reads: Reads;
  guard?: DeploymentGuard;
  /** DEPLOYMENTS_TABLE: what deploybridge starts is recorded, and ECS's events are followed with it. */
  journal?: DeploymentJournal;
  deployerOptions?: Partial<DeployerOptions>;
}

export type HandleResult =
  | { status: 'rejected'; eventId: string | undefined; reason: string }
  | { status: 'ignored'; eventId: string; route: RouteName | undefined; reason: string }
  | { status: 'planned'; eventId: string; plan: Plan; deployments: DeploymentResult[] };

/** The event's id, if it has one, for logging events that fail validation. */
function eventIdOf(event: unknown): string | undefined {
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : undefined;
}

/** Owns what lives for the whole container: configuration, the catalog, targets. */
export class App {
  private readonly deployer: Deployer;
  private readonly recorder: DeploymentRecorder | undefined;

  constructor(private readonly deps: AppDeps) {
    const { config, journal } = deps;
    this.recorder = journal === undefined ? undefined : createRecorder(journal);
    // The configuration refuses approvers without a deployments table: the gate always has one.
    const gate =
      config.approvers.length === 0 || journal === undefined
        ? undefined
        : createApprovalGate({
            config,
            journal,
            notifier: deps.notifier,
            log: deps.log,
            latestRevision: async (family) => (await (await deps.targets.ecs()).latestTaskDefinition(family)).arn,
          });
    this.deployer = new Deployer(
      { ...deps, ...(this.recorder === undefined ? {} : { recorder: this.recorder }), ...(gate === undefined ? {} : { gate }) },
      deps.deployerOptions,
    );
  }

  /**
   * Handles one EventBridge event. Every notification is delivered (or given up) before it returns.
   * `context` is the Lambda context: the account deploybridge runs in and the time it has.
   */
  async handle(rawEvent: unknown, context?: Context): Promise<HandleResult> {
    try {
      return await this.process(rawEvent, invocationOf(context));
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /**
   * Handles an SQS batch of EventBridge events (src/deploy/batch/): each event is planned as above, the
   * deployments are merged into one per target, and the answer lists the records to retry
   * (`batchItemFailures`). Every notification is delivered (or given up) before it returns.
   */
  async handleBatch(batch: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    // What the invocation itself counts (Slack deliveries) is the batch's; an event or a deployment counts under its route.
    this.deps.metrics.setTrigger?.('batch');
    try {
      const { handleSqsBatch } = await import('../deploy/batch/run.js');
      return await handleSqsBatch(batch, this.batchSteps(invocationOf(context)), context);
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /**
   * Carries out an approved request as it was pinned, through the usual path (idempotency, retries,
   * deadline, recording, following), in the request's own Slack message. Resolves `retry` when it
   * is left to do (a transient failure, another invocation deploying it, no time left), for the
   * caller to give the request back and fail the invocation. Every notification is delivered (or
   * given up) before it returns.
   *
   * @example
   * await app.carryOutApproved(approval, context); // 'done': started (ECS) or finished (Lambda), or failed for good
   */
  async carryOutApproved(approval: ApprovalRequest & { decision: { by: Person; at: string } }, context?: Context): Promise<ApprovedRun> {
    const request: DeploymentRequest = {
      ...approval.request,
      approval: { id: approval.id, by: approval.decision.by, at: approval.decision.at, message: approval.message },
    };
    const route = deployedTrigger(request.trigger).kind;
    const plan: Plan = { ...emptyPlan(route, approval.eventId), deployments: [request] };
    try {
      const results = await this.scoped(route).deployer.execute(plan, invocationOf(context), approval.triggeredAt);
      const left = results.map(unfinishedWork).filter((work) => work !== undefined && work !== 'bug');
      return left.length === 0 ? 'done' : 'retry';
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /** The App for one event or deployment of a batch: the same parts, metrics dimensioned by its own route. */
  private scoped(trigger?: string): App {
    return new App({ ...this.deps, metrics: routedMetrics(this.deps.metrics, trigger) });
  }

  private batchSteps(invocation: Invocation): BatchSteps {
    return {
      log: this.deps.log,
      metrics: routedMetrics(this.deps.metrics),
      plan: async (event): Promise<PlannedEvent> => {
        const app = this.scoped();
        const planned = await app.planEvent(event, invocation);
        if ('result' in planned) return { kind: 'settled' };
        const { plan } = planned;
        const time = eventTime(planned.event);
        return {
          kind: 'planned',
          plan,
          time,
          carryOut: async () => {
            await app.carryOut(plan, time, invocation);
          },
          report: () => app.reportPlan(plan),
        };
      },
      deploy: async (deployment: MergedDeployment) => {
        const route = deployedTrigger(deployment.request.trigger).kind;
        const plan: Plan = { ...emptyPlan(route, deployment.eventId), deployments: [deployment.request] };
        const [result] = await this.scoped(route).deployer.execute(plan, invocation, deployment.triggeredAt);
        if (result === undefined) throw new Error('the deployer returned no result for a deployment');
        return result;
      },
    };
  }

  private reject(eventId: string | undefined, reason: string, routeName?: RouteName): HandleResult {
    const { log, metrics, notifier } = this.deps;
    metrics.count(MetricName.EventsRejected);
    log.warn(`event rejected: ${reason}`, { event_id: eventId, reason, route: routeName });
    if (routeName === 'manual') notifier.notify(refusalMessage(reason, eventId));
    return { status: 'rejected', eventId, reason };
  }

  /** A permanent AWS error while planning (e.g. the task definition family does not exist). */
  private planningFailed(eventId: string, routeName: RouteName, error: unknown): HandleResult {
    const reason = describeError(error);
    this.deps.metrics.count(MetricName.DeploymentsFailed);
    this.deps.log.error('deployment failed: could not plan', { event_id: eventId, route: routeName, ...errorFields(error) });
    this.deps.notifier.notify(planningFailedMessage(reason, eventId));
    return { status: 'rejected', eventId, reason };
  }

  private ignore(eventId: string, routeName: RouteName | undefined, reason: string, level: 'debug' | 'info' = 'info'): HandleResult {
    this.deps.metrics.count(MetricName.EventsIgnored);
    this.deps.log[level](`event ignored: ${reason}`, { event_id: eventId, route: routeName, reason });
    return { status: 'ignored', eventId, route: routeName, reason };
  }

  private async process(rawEvent: unknown, invocation: Invocation): Promise<HandleResult> {
    const planned = await this.planEvent(rawEvent, invocation);
    if ('result' in planned) return planned.result;
    const { event, plan } = planned;
    return { status: 'planned', eventId: event.id, plan, deployments: await this.carryOut(plan, eventTime(event), invocation) };
  }

  /** Validates, routes and plans one event; a permanent problem is reported and ends it. Throws what must be retried, and bugs. */
  private async planEvent(
    rawEvent: unknown,
    invocation: Invocation,
  ): Promise<{ result: HandleResult } | { event: EventEnvelope; plan: Plan }> {
    const { config, log, metrics } = this.deps;
    log.debug('event received', { event: rawEvent });
    const parsed = envelopeSchema.safeParse(rawEvent);
    if (!parsed.success) {
      metrics.setTrigger?.('unknown');
      return {
        result: this.reject(
          eventIdOf(rawEvent),
          `malformed EventBridge event (bad or missing: ${malformedFields(parsed.error).join(', ')})`,
        ),
      };
    }
    const event: EventEnvelope = parsed.data;
    const decision = route(event, config.features);
    metrics.setTrigger?.(decision.kind === 'rejected' ? 'unknown' : (decision.route ?? 'unknown'));
    if (decision.kind === 'rejected') return { result: this.reject(event.id, decision.reason) };
    if (decision.kind === 'ignored') return { result: this.ignore(event.id, decision.route, decision.reason) };

    let plan: Plan;
    try {
      const buildPlan = await loadPlanBuilder(decision.route);
      plan = await buildPlan(event, {
        config,
        catalog: config.catalog,
        log,
        metrics,
        targets: this.deps.targets,
        reads: this.deps.reads,
        journal: this.deps.journal,
        invocation,
      });
    } catch (error) {
      if (error instanceof RejectedEventError) return { result: this.reject(event.id, error.message, decision.route) };
      if (isRetryableAwsError(error)) throw error;
      const failed = this.planningFailed(event.id, decision.route, error);
      // A bug fails the invocation (Errors alarm, on-failure destination); a permanent AWS error does not.
      if (isUnexpectedError(error)) throw error;
      return { result: failed };
    }
    if (plan.ignored) return { result: this.ignore(event.id, plan.route, plan.ignored.reason, plan.ignored.level) };
    return { event, plan };
  }

  /** Reports a notice: a step of a followed deployment goes to that deployment's message and thread. */
  private async report(notice: Notice, eventId: string): Promise<void> {
    const { log, notifier } = this.deps;
    if (notice.kind !== 'deployment_step') {
      const message = noticeMessage(notice);
      log.info(`notification: ${message.title}`, { service: message.service, event_id: eventId, severity: message.severity });
      notifier.notify(message);
      return;
    }
    const { deployment, step, evidence } = notice;
    const { level, message } = stepLog(step);
    log[level](message, { ...stepFields(deployment, step, evidence), event_id: eventId });
    const now = await notifier.follow(deployment.message, deploymentStepUpdate(deployment, step, evidence));
    if (now === undefined || this.recorder === undefined) return;
    try {
      await this.recorder.attachMessage(deployment.id, now, deployment.message);
    } catch (error) {
      this.deps.metrics.count(MetricName.DeploymentRecordsFailed);
      log.error('deployment message not recorded: later steps start a new one', {
        deployment_id: deployment.id,
        event_id: eventId,
        ...errorFields(error),
      });
    }
  }

  /** Logs a plan's skips and reports its notices. */
  private async reportPlan(plan: Plan): Promise<void> {
    const { log, metrics } = this.deps;
    for (const skip of plan.skipped) {
      metrics.count(MetricName.DeploymentsSkipped);
      log.info(`deployment skipped: ${skip.reason}`, {
        ...skip.fields,
        service: skip.service,
        event_id: plan.eventId,
        reason: skip.reason,
      });
    }
    await Promise.all(plan.notices.map((notice) => this.report(notice, plan.eventId)));
  }

  private async carryOut(plan: Plan, triggeredAt: string, invocation: Invocation): Promise<DeploymentResult[]> {
    const reported = this.reportPlan(plan);
    const results = await this.deployer.execute(plan, invocation, triggeredAt);
    await reported;
    failIfUnfinished(results);
    return results;
  }
}

/** How a deployment left to do is named in the invocation's error. */
const UNFINISHED_WORDS = {
  transient: 'failed on transient AWS errors after retries',
  'in progress': 'in progress in another invocation',
  'out of time': 'not started: out of time',
  'approval not posted': 'approval request not posted in Slack',
} as const;

/**
 * Fails the invocation when a deployment is left to do (a transient failure, one in progress
 * elsewhere, one not started), so Lambda's retry and on-failure destination apply, and when one met
 * a bug, so the Errors alarm fires.
 */
function failIfUnfinished(results: DeploymentResult[]): void {
  const unfinished = new Map<string, string[]>();
  const problems: string[] = [];
  let count = 0;
  for (const result of results) {
    const left = unfinishedWork(result);
    if (left === 'bug' && result.status === 'failed')
      problems.push(`deployment of ${result.service} failed on an unexpected error (a bug): ${result.error}`);
    else if (left !== undefined && left !== 'bug') {
      const why = UNFINISHED_WORDS[left];
      unfinished.set(why, [...(unfinished.get(why) ?? []), result.service]);
      count++;
    }
  }
  const bug = problems.length > 0;
  if (count > 0) {
    const groups = [...unfinished].map(([why, services]) => `${services.join(', ')} (${why})`);
    problems.push(`${count} deployment(s) not finished in this invocation, to be retried: ${groups.join('; ')}`);
  }
  if (problems.length === 0) return;
  throw bug ? new UnexpectedError(problems.join('; ')) : new TransientDeploymentError(problems.join('; '));
}
