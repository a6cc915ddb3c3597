/**
 * The deployer carries out a plan: for each deployment (concurrently, bounded) it honours dry run,
 * calls the target, retries transient failures with exponential backoff inside the deployment
 * timeout, and reports start and failure in logs, metrics and Slack.
 *
 * It never waits for an ECS rollout: completion is reported from ECS's own events.
 */
import type { Config } from './config.js';
import { mapWithConcurrency } from './concurrency.js';
import { describeError, isRetryableAwsError } from './errors.js';
import { shortTaskDefinition } from './naming.js';
import type { Log, MetricSink } from './observability.js';
import { MetricName } from './observability.js';
import { describeTrigger, type DeploymentRequest, type Notification, type Plan } from './plan.js';
import { ecsConsoleUrl } from './slack/messages.js';
import type { Notifier } from './slack/notifier.js';
import type { EcsApi } from './targets/ecs.js';

/** Deployment targets, created on first use so a route loads only the SDK clients it needs. */
export interface Targets {
  ecs(): Promise<EcsApi>;
}

export type DeploymentResult =
  | { service: string; status: 'started'; taskDefinition: string; deploymentId: string | undefined; attempts: number }
  | { service: string; status: 'dry_run'; taskDefinition: string }
  | { service: string; status: 'failed'; error: string; attempts: number; retryable: boolean };

export interface DeployerOptions {
  /** First backoff delay; doubles each retry (5 s, 10 s, 20 s, …). Injectable so tests run instantly. */
  backoffBaseMs: number;
  /** Deployments of one plan in flight at once. */
  concurrency: number;
}

export const DEFAULT_DEPLOYER_OPTIONS: DeployerOptions = { backoffBaseMs: 5000, concurrency: 10 };

export interface DeployerDeps {
  config: Pick<Config, 'dryRun' | 'maxDeploymentRetries' | 'deploymentTimeoutSeconds' | 'projectEnv' | 'region'>;
  log: Log;
  metrics: MetricSink;
  notifier: Notifier;
  targets: Targets;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

  private baseFields(request: DeploymentRequest, eventId: string): Record<string, unknown> {
    return {
      service: request.service,
      event_id: eventId,
      trigger: describeTrigger(request.trigger),
      cluster: request.ecs.cluster,
      ecs_service: request.ecs.service,
      task_definition: request.taskDefinition,
    };
  }

  private notification(request: DeploymentRequest, severity: Notification['severity'], title: string, facts: Array<[string, string]>): Notification {
    return {
      severity,
      title: `${title}: ${request.service}`,
      service: request.ecs.service,
      facts: [['Trigger', describeTrigger(request.trigger)], ...facts],
      consoleUrl: ecsConsoleUrl(this.deps.config.region, request.ecs.cluster, request.ecs.service),
    };
  }

  private async deploy(request: DeploymentRequest, eventId: string): Promise<DeploymentResult> {
    const { config, log, metrics, notifier } = this.deps;
    const fields = this.baseFields(request, eventId);
    if (config.dryRun) {
      log.info('dry run: deployment not started', { ...fields, dry_run: true });
      notifier.notify(this.notification(request, 'info', 'Deployment would start', [
        ['Status', 'dry run: not started'],
        ['Task definition', shortTaskDefinition(request.taskDefinition)],
      ]));
      return { service: request.service, status: 'dry_run', taskDefinition: request.taskDefinition };
    }

    const ecs = await this.deps.targets.ecs();
    const maxRetries = config.maxDeploymentRetries;
    const deadline = Date.now() + config.deploymentTimeoutSeconds * 1000;
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const remaining = Math.max(1, deadline - Date.now());
        const started = await ecs.redeployService(request.ecs, request.taskDefinition, AbortSignal.timeout(remaining));
        metrics.count(MetricName.DeploymentsStarted);
        log.info('deployment started', {
          ...fields,
          task_definition: started.taskDefinitionArn,
          deployment_id: started.deploymentId,
          attempt,
          max_retries: maxRetries,
        });
        notifier.notify(this.notification(request, 'info', 'Deployment started', [
          ['Status', 'in progress'],
          ['Deployment ID', started.deploymentId ?? 'unknown'],
          ['Task definition', shortTaskDefinition(started.taskDefinitionArn)],
        ]));
        return { service: request.service, status: 'started', taskDefinition: started.taskDefinitionArn, deploymentId: started.deploymentId, attempts: attempt };
      } catch (error) {
        const retryable = isRetryableAwsError(error);
        const delay = this.options.backoffBaseMs * 2 ** (attempt - 1);
        const canRetry = retryable && attempt <= maxRetries && Date.now() + delay < deadline;
        if (canRetry) {
          metrics.count(MetricName.DeploymentsRetried);
          log.warn(`deployment attempt failed; retry ${attempt} of ${maxRetries} in ${delay} ms`, {
            ...fields,
            attempt,
            max_retries: maxRetries,
            retry_in_ms: delay,
            error: describeError(error),
          });
          await sleep(delay);
          continue;
        }
        return this.fail(request, fields, error, attempt, retryable);
      }
    }
  }

  private fail(request: DeploymentRequest, fields: Record<string, unknown>, error: unknown, attempts: number, retryable: boolean): DeploymentResult {
    const { config, log, metrics, notifier } = this.deps;
    const reason = describeError(error);
    metrics.count(MetricName.DeploymentsFailed);
    log.error('deployment failed', { ...fields, attempt: attempts, max_retries: config.maxDeploymentRetries, retryable, error: reason });
    notifier.notify(this.notification(request, 'error', 'Deployment failed', [
      ['Status', 'failed'],
      ['Reason', reason],
      ['Attempts', String(attempts)],
      ['Task definition', shortTaskDefinition(request.taskDefinition)],
    ]));
    return { service: request.service, status: 'failed', error: reason, attempts, retryable };
  }
}
