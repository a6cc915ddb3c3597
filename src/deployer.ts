/**
 * The deployer carries out a plan: for each deployment (concurrently, bounded) it honours dry run,
 * calls the deployment's target, retries transient failures with exponential backoff inside the
 * deployment timeout, and reports start, completion and failure in logs, metrics and Slack.
 *
 * What a deployment does is its target's business (src/targets/): ECS starts a rollout, and its
 * completion is reported later from ECS's own events — the deployer never waits for it; a Lambda
 * deployment finishes inside the invocation and reports its own completion. Everything around
 * that (dry run, retries, timeout, concurrency, metrics, logs, Slack) lives here, once.
 */
import type { Config } from './config.js';
import { mapWithConcurrency } from './concurrency.js';
import type { DeploymentGuard, GuardOutcome, GuardSkip } from './idempotency.js';
import { DeploymentFailedError, describeError, isRetryableAwsError } from './errors.js';
import type { Log, LogFields, MetricSink } from './observability.js';
import { MetricName } from './observability.js';
import { describeTrigger, type DeploymentRequest, type Notification, type Plan } from './plan.js';
import type { Notifier } from './slack/notifier.js';
import type { EcsApi, EcsDryRun, EcsStarted } from './targets/ecs.js';
import type { LambdaApi, LambdaDryRun, LambdaSucceeded } from './targets/lambda.js';

type Facts = Notification['facts'];

/** Deployment targets, created on first use so a route loads only the SDK clients it needs. */
export interface Targets {
  ecs(): Promise<EcsApi>;
  lambda(): Promise<LambdaApi>;
}

/** How a target names one deployment in logs and Slack. Computed without AWS calls. */
export interface DeploymentDescription {
  /** Log fields that identify what is deployed (cluster and service, function and alias, …). */
  fields: LogFields;
  /** The AWS resource Slack shows as "Service". */
  resource: string;
  /** Facts that identify what is deployed, shown in dry-run and failure messages. */
  facts: Facts;
  consoleUrl: string;
  /** Which console the link opens, when it is not ECS's. */
  consoleName?: string;
}

/** What a target reports about one deployment (or one dry run). */
export interface DeploymentReport<Result> {
  fields: LogFields;
  /** Slack facts, after the trigger and the status. */
  facts: Facts;
  /** Replaces the default Slack status ("succeeded", "dry run: not started"). */
  status?: string;
  result: Result;
}

/** What a target may use during one attempt. Logs and metrics stay with the deployer. */
export interface DeploymentRun {
  readonly attempt: number;
  /** Aborts when the deployment's time (`DEPLOYMENT_TIMEOUT_SECONDS`, retries included) is up. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the deployment must be over. */
  readonly deadline: number;
  /** Reports that the deployment started (log, metric, Slack), once however often it is retried. */
  announceStart(report: { fields: LogFields; facts: Facts }): void;
  /** An info log line with the deployment's fields. */
  progress(message: string, fields?: LogFields): void;
  /** Runs one call again, with the deployer's backoff inside the deadline, while `shouldRetry` says so. */
  retry<T>(operation: string, shouldRetry: (error: unknown) => boolean, call: () => Promise<T>): Promise<T>;
}

/** A deployment target (one module per target in src/targets/, loaded on first use). */
export interface DeploymentTarget<R extends DeploymentRequest> {
  /** True when {@link deploy} returns only once the deployment is over, so its completion is reported here. */
  readonly reportsCompletion: boolean;
  describe(request: R, region: string): DeploymentDescription;
  /** Dry run: says what {@link deploy} would do. May read from AWS; never changes anything. */
  preview(request: R, run: DeploymentRun): Promise<DeploymentReport<EcsDryRun | LambdaDryRun>>;
  /** One attempt. Throws on failure; the deployer decides whether to try again. */
  deploy(request: R, run: DeploymentRun): Promise<DeploymentReport<EcsStarted | LambdaSucceeded>>;
}

export type DeploymentResult =
  | ({ service: string; attempts: number; durationMs?: number } & (EcsStarted | LambdaSucceeded))
  | ({ service: string } & (EcsDryRun | LambdaDryRun))
  | { service: string; status: 'failed'; error: string; attempts: number; retryable: boolean }
  | { service: string; status: 'skipped'; reason: GuardSkip['reason'] };

export interface DeployerOptions {
  /** First backoff delay; doubles each retry (5 s, 10 s, 20 s, …). Injectable so tests run instantly. */
  backoffBaseMs: number;
  /** Deployments of one plan in flight at once. */
  concurrency: number;
  /** Retries of one call that met a conflict (Lambda: an update in progress), inside the deployment timeout. */
  conflictRetries: number;
}

export const DEFAULT_DEPLOYER_OPTIONS: DeployerOptions = { backoffBaseMs: 5000, concurrency: 10, conflictRetries: 4 };

export interface DeployerDeps {
  config: Pick<Config, 'dryRun' | 'maxDeploymentRetries' | 'deploymentTimeoutSeconds' | 'projectEnv' | 'region'>;
  log: Log;
  metrics: MetricSink;
  notifier: Notifier;
  targets: Targets;
  /** With IDEMPOTENCY_TABLE: each (event id, target) deploys at most once. */
  guard?: DeploymentGuard;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Attempted<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number; retryable: boolean };

interface RetryPolicy {
  maxRetries: number;
  deadline: number;
  shouldRetry(error: unknown): boolean;
  onRetry(attempt: number, delayMs: number, error: unknown): void;
}

/** "42 s", "3 min 5 s": how long a deployment took, for people. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** One deployment being carried out: its target, its names, and whether its start was reported. */
interface Deployment<R extends DeploymentRequest> {
  request: R;
  target: DeploymentTarget<R>;
  description: DeploymentDescription;
  fields: LogFields;
  deadline: number;
  announced: boolean;
}

export class Deployer {
  private readonly options: DeployerOptions;

  constructor(
    private readonly deps: DeployerDeps,
    options: Partial<DeployerOptions> = {},
  ) {
    this.options = { ...DEFAULT_DEPLOYER_OPTIONS, ...options };
  }

  /** Carries out every deployment of the plan; one failure does not stop the others. */
  async execute(plan: Plan): Promise<DeploymentResult[]> {
    return mapWithConcurrency(plan.deployments, this.options.concurrency, (request) => this.deploy(request, plan.eventId));
  }

  private async deploy(request: DeploymentRequest, eventId: string): Promise<DeploymentResult> {
    switch (request.target) {
      case 'ecs':
        return this.deployTo(await this.deps.targets.ecs(), request, eventId);
      case 'lambda':
        return this.deployTo(await this.deps.targets.lambda(), request, eventId);
    }
  }

  private async deployTo<R extends DeploymentRequest>(target: DeploymentTarget<R>, request: R, eventId: string): Promise<DeploymentResult> {
    const { config, log, metrics } = this.deps;
    const description = target.describe(request, config.region);
    const startedAt = Date.now();
    const deployment: Deployment<R> = {
      request,
      target,
      description,
      fields: { service: request.service, event_id: eventId, trigger: describeTrigger(request.trigger), ...description.fields },
      deadline: startedAt + config.deploymentTimeoutSeconds * 1000,
      announced: false,
    };
    if (config.dryRun) return this.dryRun(deployment);

    const maxRetries = config.maxDeploymentRetries;
    const attemptAll = () => this.withRetries(
      {
        maxRetries,
        deadline: deployment.deadline,
        shouldRetry: isRetryableAwsError,
        onRetry: (attempt, delay, error) => {
          metrics.count(MetricName.DeploymentsRetried);
          log.warn(`deployment attempt failed; retry ${attempt} of ${maxRetries} in ${delay} ms`, {
            ...deployment.fields,
            attempt,
            max_retries: maxRetries,
            retry_in_ms: delay,
            error: describeError(error),
          });
        },
      },
      (attempt) => target.deploy(request, this.run(deployment, attempt)),
    );
    const guarded = await this.guarded(deployment, eventId, attemptAll);
    if (!guarded.ran) return guarded.skipped;
    const outcome = guarded.result;
    if (!outcome.ok) return this.fail(deployment, outcome.error, outcome.attempts, outcome.retryable);

    const report = outcome.value;
    const attempts = outcome.attempts;
    if (!target.reportsCompletion) {
      this.announceStart(deployment, report, attempts);
      return { service: request.service, ...report.result, attempts };
    }
    const durationMs = Date.now() - startedAt;
    metrics.count(MetricName.DeploymentsSucceeded);
    log.info('deployment succeeded', { ...deployment.fields, ...report.fields, attempt: attempts, max_retries: maxRetries, duration_ms: durationMs });
    this.notify(deployment, 'success', 'Deployment succeeded', [['Status', report.status ?? 'succeeded'], ...report.facts, ['Duration', formatDuration(durationMs)]]);
    return { service: request.service, ...report.result, attempts, durationMs };
  }

  /**
   * Runs the attempts through the idempotency guard when there is one. A deployment that already
   * succeeded for this event (a duplicate delivery, a Lambda retry, a replay) is skipped; one that
   * failed is not recorded and runs again. If the guard's table cannot be reached, nothing is
   * deployed and the failure is transient, so Lambda retries the event.
   */
  private async guarded<R extends DeploymentRequest, T>(
    deployment: Deployment<R>,
    eventId: string,
    attemptAll: () => Promise<Attempted<T>>,
  ): Promise<{ ran: true; result: Attempted<T> } | { ran: false; skipped: DeploymentResult }> {
    const { guard, log, metrics } = this.deps;
    if (guard === undefined) return { ran: true, result: await attemptAll() };
    const key = `${deployment.request.target}:${deployment.description.resource}`;
    let outcome: GuardOutcome<Attempted<T>>;
    try {
      outcome = await guard.once(eventId, key, attemptAll, (attempted) => attempted.ok);
    } catch (error) {
      return { ran: true, result: { ok: false, error: new Error(`idempotency table unavailable: ${describeError(error)}`), attempts: 0, retryable: true } };
    }
    if (outcome.ran) return outcome;
    metrics.count(MetricName.DeploymentsSkipped);
    log.info(`deployment skipped: ${outcome.reason} for this event`, { ...deployment.fields, reason: outcome.reason, idempotency_key: key });
    return { ran: false, skipped: { service: deployment.request.service, status: 'skipped', reason: outcome.reason } };
  }

  private async dryRun<R extends DeploymentRequest>(deployment: Deployment<R>): Promise<DeploymentResult> {
    let preview: DeploymentReport<EcsDryRun | LambdaDryRun>;
    try {
      preview = await deployment.target.preview(deployment.request, this.run(deployment, 1));
    } catch (error) {
      return this.fail(deployment, error, 1, isRetryableAwsError(error));
    }
    this.deps.log.info('dry run: deployment not started', { ...deployment.fields, ...preview.fields, dry_run: true });
    this.notify(deployment, 'info', 'Deployment would start', [
      ['Status', preview.status ?? 'dry run: not started'],
      ...deployment.description.facts,
      ...preview.facts,
    ]);
    return { service: deployment.request.service, ...preview.result };
  }

  /** What a target may use during one attempt. */
  private run<R extends DeploymentRequest>(deployment: Deployment<R>, attempt: number): DeploymentRun {
    const { log, metrics } = this.deps;
    const maxRetries = this.options.conflictRetries;
    return {
      attempt,
      deadline: deployment.deadline,
      signal: AbortSignal.timeout(Math.max(1, deployment.deadline - Date.now())),
      announceStart: (report) => this.announceStart(deployment, report, attempt),
      progress: (message, fields) => log.info(message, { ...deployment.fields, ...fields }),
      retry: async (operation, shouldRetry, call) => {
        const outcome = await this.withRetries(
          {
            maxRetries,
            deadline: deployment.deadline,
            shouldRetry,
            onRetry: (retry, delay, error) => {
              metrics.count(MetricName.ConflictsRetried);
              log.warn(`${operation} failed; retry ${retry} of ${maxRetries} in ${delay} ms`, {
                ...deployment.fields,
                operation,
                attempt: retry,
                max_retries: maxRetries,
                retry_in_ms: delay,
                error: describeError(error),
              });
            },
          },
          () => call(),
        );
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      },
    };
  }

  /**
   * Calls `attempt` until it succeeds, the error is not worth retrying, the retries are used up, or
   * the next backoff (base, 2×base, 4×base, …) would end past the deadline.
   */
  private async withRetries<T>(policy: RetryPolicy, attempt: (attempt: number) => Promise<T>): Promise<Attempted<T>> {
    for (let n = 1; ; n++) {
      try {
        return { ok: true, value: await attempt(n), attempts: n };
      } catch (error) {
        const retryable = policy.shouldRetry(error);
        const delay = this.options.backoffBaseMs * 2 ** (n - 1);
        if (!(retryable && n <= policy.maxRetries && Date.now() + delay < policy.deadline)) return { ok: false, error, attempts: n, retryable };
        policy.onRetry(n, delay, error);
        await sleep(delay);
      }
    }
  }

  private announceStart<R extends DeploymentRequest>(deployment: Deployment<R>, report: { fields: LogFields; facts: Facts }, attempt: number): void {
    if (deployment.announced) return;
    deployment.announced = true;
    this.deps.metrics.count(MetricName.DeploymentsStarted);
    this.deps.log.info('deployment started', { ...deployment.fields, ...report.fields, attempt, max_retries: this.deps.config.maxDeploymentRetries });
    this.notify(deployment, 'info', 'Deployment started', [['Status', 'in progress'], ...report.facts]);
  }

  private notify<R extends DeploymentRequest>(deployment: Deployment<R>, severity: Notification['severity'], title: string, facts: Facts): void {
    const { description, request } = deployment;
    this.deps.notifier.notify({
      severity,
      title: `${title}: ${request.service}`,
      service: description.resource,
      facts: [['Trigger', describeTrigger(request.trigger)], ...facts],
      consoleUrl: description.consoleUrl,
      ...(description.consoleName === undefined ? {} : { consoleName: description.consoleName }),
    });
  }

  private fail<R extends DeploymentRequest>(deployment: Deployment<R>, error: unknown, attempts: number, retryable: boolean): DeploymentResult {
    const { config, log, metrics } = this.deps;
    const reason = describeError(error);
    const details = error instanceof DeploymentFailedError ? error.details : undefined;
    metrics.count(MetricName.DeploymentsFailed);
    if (details?.smokeTestFailed) metrics.count(MetricName.SmokeTestsFailed);
    log.error('deployment failed', { ...deployment.fields, attempt: attempts, max_retries: config.maxDeploymentRetries, retryable, error: reason, ...details?.fields });
    this.notify(deployment, 'error', 'Deployment failed', [
      ['Status', details?.status ?? 'failed'],
      ['Reason', reason],
      ['Attempts', String(attempts)],
      ...deployment.description.facts,
      ...(details?.facts ?? []),
    ]);
    return { service: deployment.request.service, status: 'failed', error: reason, attempts, retryable };
  }
}
