/**
 * The entry: the Lambda handler (./handler.ts) and the App it runs, built by the one composition
 * root (./createApp.ts). The App takes one event, or an SQS batch of them, start to finish:
 * validate, route, plan, follow, deploy, report. Permanent problems (malformed or foreign events,
 * refused requests) are logged once and end normally; transient AWS failures that outlived the
 * deployer's retries, deployments left undone and bugs fail the invocation, so Lambda's retry, its
 * on-failure destination and the Errors alarm apply.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createApprovalGate } from '../approvals/ask.js';
import type { ApprovedRun } from '../approvals/decide.js';
import type { AwsClients } from '../aws/clients.js';
import { routedMetrics } from '../deploy/batch/metrics.js';
import { handleSqsBatch, type BatchSteps } from '../deploy/batch/run.js';
import type { Config } from '../config/config.js';
import { Deployer, unfinishedWork, type DeployerOptions, type DeploymentOrder, type DeploymentResult } from '../deploy/deployer.js';
import type { ClaimClock } from '../following/claims.js';
import { planRelease } from '../following/releasePlan.js';
import { Releases } from '../following/releases.js';
import type { ApprovalRequest, DeploymentJournal } from '../following/journal.js';
import { createFollower, type Follower } from '../following/follower.js';
import type { EcsReport } from '../following/steps.js';
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
import { SYSTEM_CLOCK, type DeliveryClock } from '../shared/delivery.js';
import type { Log, MetricSink } from '../shared/observability.js';
import { LifecycleHook, type HookAnswer } from '../rollout/hook.js';
import { announcePause } from '../rollout/pause.js';
import { threadOf } from '../rollout/thread.js';
import { ROLLOUT_ACTIONS } from '../interactions/rollout.js';
import { MetricName } from '../shared/observability.js';
import type { Plan, RouteName } from '../triggers/plan.js';
import type { DeploymentRequest, Person } from '../triggers/requests.js';
import { deployedTrigger } from '../triggers/trigger.js';
import type { Reads } from '../triggers/reads/registry.js';
import { noticeMessage, planningFailedMessage, refusalMessage } from '../present/notices.js';
import { releasePlan } from '../present/release.js';
import { PLAN_BUILDERS, route } from '../triggers/router.js';
import { notifyLogged, type Notifier } from '../slack/notifier.js';
import type { TargetRegistry } from '../targets/contract.js';

/** What an App is made of (./createApp.ts builds them). */
/** Metrics dimensioned by the route of the event being handled, once it is known. */
type EventMetrics = MetricSink & { setTrigger?(trigger: string): void };

export interface AppParts {
  config: Config;
  log: Log;
  metrics: EventMetrics;
  /** The container's SDK clients, shared by the planning reads, the targets and the follower. */
  clients: AwsClients;
  notifier: Notifier;
  targets: TargetRegistry;
  reads: Reads;
  /** IDEMPOTENCY_TABLE: each (event id, target) deploys at most once. */
  guard: DeploymentGuard | undefined;
  /** DEPLOYMENTS_TABLE: what deploybridge starts is recorded, and ECS's events are followed with it. */
  journal: DeploymentJournal | undefined;
  deployerOptions: Partial<DeployerOptions> | undefined;
  /** The time the lifecycle hook reads (its deadline, the bake, smoke timeouts); the system's unless a test gives one. */
  clock?: DeliveryClock;
  /** The time deployments' claims are judged by (src/following/claims.ts); the system's unless a test gives one. */
  claimClock?: ClaimClock;
}

export type HandleResult =
  | { status: 'rejected'; eventId: string | undefined; reason: string }
  | { status: 'ignored'; eventId: string; route: RouteName | undefined; reason: string }
  /** `followed`: what the follower reported of an ECS event. */
  | { status: 'planned'; eventId: string; plan: Plan; deployments: DeploymentResult[]; followed: EcsReport[] };

/** The event's id, if it has one, for logging events that fail validation. */
function eventIdOf(event: unknown): string | undefined {
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : undefined;
}

/** Owns what lives for the whole container: configuration, the catalog, the deployer and the follower. */
export class App {
  private readonly deployer: Deployer;
  private readonly follower: Follower;
  /** RELEASE_CONFIG: the changes whose services deploy in order (the configuration requires the deployments table). */
  private readonly releases: Releases | undefined;
  /** APPROVERS: a deployment is asked for first, and is carried out (its release begun) once approved. */
  private readonly gated: boolean;

  constructor(private readonly deps: AppParts) {
    const { config, log, notifier, journal, clients, claimClock } = deps;
    // With approvals, a followed deployment in progress offers Roll back (src/interactions/rollout.ts).
    const buttons = config.approvers.length > 0 && journal !== undefined ? { rollback: ROLLOUT_ACTIONS.stop } : {};
    this.follower = createFollower({
      log,
      notifier,
      journal,
      ecs: clients.ecs,
      buttons,
      ...(claimClock === undefined ? {} : { claimClock }),
    });
    // The configuration refuses approvers without a deployments table: the gate always has one.
    const gate =
      config.approvers.length === 0 || journal === undefined
        ? undefined
        : createApprovalGate({
            config,
            journal,
            notifier,
            log,
            latestRevision: async (family) => (await (await deps.reads.ecs()).latestTaskDefinition(family)).arn,
          });
    this.gated = gate !== undefined;
    this.deployer = new Deployer({ ...deps, follower: this.follower, gate }, deps.deployerOptions);
    this.releases =
      config.release === undefined || journal === undefined || config.dryRun
        ? undefined
        : new Releases({
            rules: config.release.rules,
            region: config.region,
            deploymentTimeoutSeconds: config.deploymentTimeoutSeconds,
            journal,
            notifier,
            log,
            metrics: deps.metrics,
            ecs: clients.ecs,
          });
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
    const { metrics } = this.deps;
    try {
      const order = { request, eventId: approval.eventId, triggeredAt: approval.triggeredAt, route };
      // Through the release step: a task RELEASE_CONFIG runs before this service runs now, once approved, and the deployment after it.
      const ran = await this.deploy([order], invocationOf(context), () => routedMetrics(metrics, route));
      const left = ran.map(({ result }) => unfinishedWork(result)).filter((work) => work !== undefined && work !== 'bug');
      return left.length === 0 ? 'done' : 'retry';
    } catch (error) {
      // Beginning its release (the record, the RunTask) met a transient failure: the request is given back, and the retry finishes that start.
      if (!isRetryableAwsError(error)) throw error;
      this.deps.log.warn('approved deployment not started: its release met a transient AWS error', {
        approval_id: approval.id,
        ...errorFields(error),
      });
      return 'retry';
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /**
   * Handles one EventBridge event. Every notification is delivered (or given up) before it returns.
   * `context` is the Lambda context: the account deploybridge runs in and the time it has.
   */
  async handle(rawEvent: unknown, context?: Context): Promise<HandleResult> {
    try {
      const invocation = invocationOf(context);
      const { metrics } = this.deps;
      const planned = await this.planEvent(rawEvent, invocation, metrics);
      if ('result' in planned) return planned.result;
      const { event, plan } = planned;
      const { followed, next } = await this.report(plan, metrics);
      const { eventId, route } = plan;
      const triggeredAt = eventTime(event);
      const orders = [...next, ...plan.deployments.map((request) => ({ request, eventId, triggeredAt, route }))];
      const deployments = (await this.deploy(orders, invocation, () => metrics)).map(({ result }) => result);
      failIfUnfinished(deployments);
      return { status: 'planned', eventId, plan, deployments, followed };
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /**
   * Handles an SQS batch of EventBridge events (src/deploy/batch/): each event is planned and
   * reported as above, the deployments are merged into one per target and carried out in one run,
   * and the answer lists the records to retry (`batchItemFailures`). Every notification is
   * delivered (or given up) before it returns.
   */
  async handleBatch(batch: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    // What the invocation itself counts (Slack deliveries) is the batch's; an event or a deployment counts under its route.
    this.deps.metrics.setTrigger?.('batch');
    try {
      return await handleSqsBatch(batch, this.batchSteps(invocationOf(context)));
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /**
   * Answers ECS's invocation of the function as a service deployment's lifecycle hook
   * (src/rollout/; its CloudWatch client loads with the first alarm check): always a valid answer, never an exception.
   */
  async handleHook(invocationPayload: unknown, context?: Context): Promise<HookAnswer> {
    const { config, log, metrics, clients, clock = SYSTEM_CLOCK, journal, notifier } = this.deps;
    metrics.setTrigger?.('hook');
    try {
      // With the deployments table, each call goes into the followed deployment's thread.
      const thread = threadOf(journal, { notifier, log, cluster: config.catalog.cluster, now: () => clock.now() });
      const hook = new LifecycleHook({ config, log, metrics, notifier, cloudwatch: clients.cloudwatch, clock, ...thread });
      return (await hook.answer(invocationPayload, invocationOf(context, clock.now()))).answer;
    } catch (error) {
      log.error('lifecycle hook failed on an unexpected error', errorFields(error));
      return { hookStatus: 'FAILED' };
    } finally {
      await this.deps.notifier.flush();
    }
  }

  /** What a batch needs of the App: each event counts under its own route, each deployment under its own. */
  private batchSteps(invocation: Invocation): BatchSteps {
    const { log, metrics } = this.deps;
    return {
      log,
      metrics: routedMetrics(metrics),
      plan: async (rawEvent) => {
        const eventMetrics = routedMetrics(metrics);
        const planned = await this.planEvent(rawEvent, invocation, eventMetrics);
        if ('result' in planned) return { kind: 'settled', outcome: planned.result.status === 'ignored' ? 'ignored' : 'rejected' };
        const { event, plan } = planned;
        return {
          kind: 'planned',
          plan,
          time: eventTime(event),
          report: async () => {
            await this.report(plan, eventMetrics);
          },
        };
      },
      deploy: (orders) => this.deploy(orders, invocation, (route) => routedMetrics(metrics, route)),
    };
  }

  /**
   * Carries out a change's deployments: with RELEASE_CONFIG, those it orders become a release (the
   * first steps start now, the others on ECS's events), and what the deployer made of a release's
   * deployments moves it on. With APPROVERS, a deployment not yet approved is only asked for: its
   * release begins when it comes back approved (no task runs for a deployment nobody approved).
   * Resolves with what became of each deployment started now, paired with the order (of `orders`)
   * it carries out: a release starts its deployments in its own order, and one that waits for a
   * step before it has no result yet.
   */
  private async deploy<O extends DeploymentOrder>(
    orders: readonly O[],
    invocation: Invocation,
    metricsOf: (route: RouteName) => MetricSink,
  ): Promise<Array<{ order: O; result: DeploymentResult }>> {
    const { config, log, notifier } = this.deps;
    const asked = this.gated ? orders.filter((order) => order.request.approval === undefined) : [];
    const releasable = orders.filter((order) => !asked.includes(order));
    const planned = config.dryRun && config.release !== undefined ? planRelease(releasable, config.release.rules) : undefined;
    // A dry run describes each deployment as without RELEASE_CONFIG, and the steps they would take.
    if (planned !== undefined) notifyLogged(notifier, log, releasePlan(planned.id, planned.steps), planned.ordered[0]?.eventId ?? '');
    const now = this.releases === undefined ? orders : [...asked, ...(await this.releases.begin(releasable))];
    const results = await this.deployer.run(now, invocation, metricsOf);
    await this.releases?.onDeployed(now, results);
    return now.map((started, i) => ({ order: askedOrder(orders, started), result: results[i] as DeploymentResult }));
  }

  private reject(
    eventId: string | undefined,
    reason: string,
    metrics: EventMetrics,
    refused?: { route: RouteName; event: EventEnvelope },
  ): HandleResult {
    metrics.count(MetricName.EventsRejected);
    this.deps.log.warn(`event rejected: ${reason}`, { event_id: eventId, reason, route: refused?.route });
    if (refused?.route === 'manual') this.deps.notifier.notify(refusalMessage(reason, refused.event));
    return { status: 'rejected', eventId, reason };
  }

  /** A permanent AWS error while planning (e.g. the task definition family does not exist). */
  private planningFailed(eventId: string, routeName: RouteName, error: unknown, metrics: EventMetrics): HandleResult {
    const reason = describeError(error);
    metrics.count(MetricName.DeploymentsFailed);
    this.deps.log.error('deployment failed: could not plan', { event_id: eventId, route: routeName, ...errorFields(error) });
    this.deps.notifier.notify(planningFailedMessage(reason, eventId));
    return { status: 'rejected', eventId, reason };
  }

  private ignore(
    eventId: string,
    routeName: RouteName | undefined,
    reason: string,
    metrics: EventMetrics,
    level: 'debug' | 'info' = 'info',
  ): HandleResult {
    metrics.count(MetricName.EventsIgnored);
    this.deps.log[level](`event ignored: ${reason}`, { event_id: eventId, route: routeName, reason });
    return { status: 'ignored', eventId, route: routeName, reason };
  }

  /**
   * Validates, routes and plans one event, counting under its route in `metrics`; a permanent
   * problem is reported and ends it. Throws what must be retried, and bugs.
   */
  private async planEvent(
    rawEvent: unknown,
    invocation: Invocation,
    metrics: EventMetrics,
  ): Promise<{ result: HandleResult } | { event: EventEnvelope; plan: Plan }> {
    const { config, log } = this.deps;
    log.debug('event received', { event: rawEvent });
    const parsed = envelopeSchema().safeParse(rawEvent);
    if (!parsed.success) {
      metrics.setTrigger?.('unknown');
      const reason = `malformed EventBridge event (bad or missing: ${malformedFields(parsed.error).join(', ')})`;
      return { result: this.reject(eventIdOf(rawEvent), reason, metrics) };
    }
    const event: EventEnvelope = parsed.data;
    const decision = route(event, config.features);
    metrics.setTrigger?.(decision.kind === 'rejected' ? 'unknown' : (decision.route ?? 'unknown'));
    if (decision.kind === 'rejected') return { result: this.reject(event.id, decision.reason, metrics) };
    if (decision.kind === 'ignored') return { result: this.ignore(event.id, decision.route, decision.reason, metrics) };

    let plan: Plan;
    try {
      const { reads } = this.deps;
      plan = await PLAN_BUILDERS[decision.route](event, { config, catalog: config.catalog, log, metrics, reads, invocation });
    } catch (error) {
      if (error instanceof RejectedEventError)
        return { result: this.reject(event.id, error.message, metrics, { route: decision.route, event }) };
      if (isRetryableAwsError(error)) throw error;
      const failed = this.planningFailed(event.id, decision.route, error, metrics);
      // A bug fails the invocation (Errors alarm, on-failure destination); a permanent AWS error does not.
      if (isUnexpectedError(error)) throw error;
      return { result: failed };
    }
    if (plan.ignored) return { result: this.ignore(event.id, plan.route, plan.ignored.reason, metrics, plan.ignored.level) };
    return { event, plan };
  }

  /**
   * Reports what a plan says besides its deployments: its ECS event, through the follower (which
   * throws what must be retried), then its skips and notices. Resolves with what the follower
   * reported, and the deployments of releases the event lets start (`next`).
   */
  private async report(plan: Plan, metrics: EventMetrics): Promise<{ followed: EcsReport[]; next: DeploymentOrder[] }> {
    const { log, notifier } = this.deps;
    const followed = plan.ecsEvent === undefined ? [] : await this.follower.onEcsEvent(plan.ecsEvent, metrics);
    if (plan.pause !== undefined) {
      await announcePause(plan.pause, { config: this.deps.config, log, notifier, journal: this.deps.journal, ecs: this.deps.clients.ecs });
    }
    const next = await this.moveReleases(plan, followed);
    for (const skip of plan.skipped) {
      metrics.count(MetricName.DeploymentsSkipped);
      log.info(`deployment skipped: ${skip.reason}`, {
        ...skip.fields,
        service: skip.service,
        event_id: plan.eventId,
        reason: skip.reason,
      });
    }
    for (const notice of plan.notices) notifyLogged(notifier, log, noticeMessage(notice), plan.eventId);
    return { followed, next };
  }

  /** What an ECS event means for the releases: a task stopped, a deployment of one moved on, or the time to check their timeouts. */
  private async moveReleases(plan: Plan, followed: EcsReport[]): Promise<DeploymentOrder[]> {
    const { releases } = this;
    if (releases === undefined) return [];
    if (plan.taskStopped !== undefined) return releases.onTaskStopped(plan.taskStopped);
    if (plan.releaseTimeouts !== undefined) {
      await releases.checkTimeouts(plan.eventId);
      return [];
    }
    const next: DeploymentOrder[] = [];
    for (const report of followed) {
      const ref = report.kind === 'deployment_step' ? report.deployment.release : undefined;
      if (report.kind === 'deployment_step' && ref !== undefined)
        next.push(...(await releases.onDeploymentStep(ref, report.step, plan.eventId, plan.ecsEvent?.time ?? new Date().toISOString())));
    }
    return next;
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
 * The order of `orders` a started deployment carries out: itself, or the one a release recorded
 * as its step (the same event and service).
 */
function askedOrder<O extends DeploymentOrder>(orders: readonly O[], started: DeploymentOrder): O {
  const same = (o: O) => o.eventId === started.eventId && o.request.service === started.request.service;
  return orders.find((o) => o === started) ?? orders.find(same) ?? (orders.find((o) => o.eventId === started.eventId) as O);
}

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
