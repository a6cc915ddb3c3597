/**
 * deploybridge as the Lambda lifecycle hook of an ECS service deployment: ECS shifts the traffic
 * (`BLUE_GREEN`, `LINEAR`, `CANARY`) and invokes the function at each stage; the answer is
 * `SUCCEEDED`, `FAILED` (ECS rolls back) or `IN_PROGRESS` (ECS calls again after `callBackDelay`).
 * The checks are the service's in `ROLLOUT_CONFIG`: alarms at every call, smoke URLs and the bake
 * at their stage. The answer is always a valid one, given before the invocation ends: an exception
 * never escapes (ECS would roll back without a reason), and a hook that cannot check fails closed.
 */
import type { CloudWatchClient } from '../aws/cloudwatch.js';
import type { Config } from '../config/config.js';
import { ROLLOUT_DEFAULTS } from '../config/constants.js';
import type { ServiceRollout } from '../config/rollout.js';
import type { DeliveryClock } from '../shared/delivery.js';
import { describeError, errorFields, isRetryableAwsError } from '../shared/errors.js';
import type { Invocation } from '../shared/invocation.js';
import { MetricName, type HookCheckKind, type Log, type MetricSink } from '../shared/observability.js';
import { plural } from '../shared/text.js';
import type { Notification } from '../present/notification.js';
import { hookFailedMessage } from '../present/rollout.js';
import { notifyLogged, type Notifier } from '../slack/notifier.js';
import { checkDetail, excerpt, lifecycleHookInvocationSchema, type LifecycleHookInvocation } from '../triggers/events.js';
import { serviceFromArn } from '../triggers/ecs.js';
import { readAlarms, type AlarmsReading } from './alarms.js';
import { runSmokeCheck, type SmokeReading } from './smoke.js';

export type HookStatus = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';

/** What the function returns to ECS. */
export interface HookAnswer {
  hookStatus: HookStatus;
  /** Seconds before ECS calls again (with `IN_PROGRESS` only). */
  callBackDelay?: number;
  /** Passed to the next call of this hook (with `IN_PROGRESS` only). */
  hookDetails?: Record<string, unknown>;
}

/** The key of `hookDetails` that carries the bake's start (ISO 8601) from one call to the next. */
export const BAKE_STARTED_AT = 'deploybridgeBakeStartedAt';

/** One check of one call: passed, failed, or not settled yet (the hook answers `IN_PROGRESS`). */
export interface CheckResult {
  kind: HookCheckKind;
  outcome: 'passed' | 'failed' | 'pending';
  /** What was found, in words (a failure says why). */
  summary: string;
  /** The smoke URLs' answers. */
  smoke?: SmokeReading[];
  alarms?: AlarmsReading;
  /** The bake: when it started and how many minutes it lasts. */
  bake?: { startedAt: string; minutes: number };
}

/** What one call decided, for the log and the deployment's thread. */
export interface HookVerdict {
  answer: HookAnswer;
  /** Why the hook answered so, in one line (failures: each failed check). */
  reason: string;
  /** The catalog's service, when the invocation names one of this install. */
  service: string | undefined;
  /** Its ECS service name; the invocation's `serviceArn` when it names none of this install. */
  ecsService: string | undefined;
  serviceArn: string | undefined;
  executionId: string | undefined;
  stage: string | undefined;
  /** The service deployment (`resourceArn`). */
  serviceDeploymentArn: string | undefined;
  targetServiceRevisionArn: string | undefined;
  checks: CheckResult[];
}

/** The thread of the deployment deploybridge follows (./thread.ts): resolves true when a failure was reported there. Never rejects. */
export interface HookThread {
  /** `failure`: with a `FAILED` answer, what failed in words and the message that says it. */
  report(verdict: HookVerdict, failure: HookFailure | undefined): Promise<boolean>;
}

/** What a `FAILED` answer reports: each failed check (or why the hook could not check), and the message. */
export interface HookFailure {
  problems: string[];
  message: Notification;
}

/** What failed, in words: each failed check, or why the hook could not check. */
function failedProblems(verdict: HookVerdict): string[] {
  const failed = verdict.checks.filter((check) => check.outcome === 'failed').map((check) => check.summary);
  return failed.length > 0 ? failed : [verdict.reason];
}

/** What a hook that answered `FAILED` reports, in the deployment's thread or as a message of its own. */
function failureOf(verdict: HookVerdict): HookFailure {
  const problems = failedProblems(verdict);
  const message = hookFailedMessage({
    service: verdict.service,
    resource: verdict.ecsService ?? verdict.serviceArn ?? 'unknown',
    stage: verdict.stage,
    serviceDeploymentArn: verdict.serviceDeploymentArn,
    targetServiceRevisionArn: verdict.targetServiceRevisionArn,
    problems,
  });
  return { problems, message };
}

/** What the hook needs: the configuration, the log, metrics, CloudWatch (loaded only when alarms are configured) and a clock. */
export interface HookParts {
  config: Config;
  log: Log;
  metrics: MetricSink;
  /** Where a failed hook is reported. */
  notifier: Notifier;
  cloudwatch: () => Promise<CloudWatchClient>;
  clock: DeliveryClock;
  /** With the deployments table: each call in the followed deployment's thread. */
  thread?: HookThread;
}

const NOTHING_CONFIGURED: ServiceRollout = { smoke: [], alarms: [], bake: undefined };

/** A signal that aborts when `ms` have passed (never, for no deadline). */
function deadlineSignal(clock: DeliveryClock, ms: number): AbortSignal {
  return Number.isFinite(ms) ? clock.timeout(Math.max(0, ms)) : new AbortController().signal;
}

function aborted(signal: AbortSignal): Promise<'deadline'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('deadline');
    else signal.addEventListener('abort', () => resolve('deadline'), { once: true });
  });
}

async function checkAlarms(parts: HookParts, names: string[], deadline: AbortSignal): Promise<CheckResult> {
  try {
    const client = await parts.cloudwatch();
    const reading = await Promise.race([readAlarms(client, names, deadline), aborted(deadline)]);
    if (reading === 'deadline') {
      return { kind: 'alarms', outcome: 'pending', summary: `alarms not read before the invocation's deadline (${names.join(', ')})` };
    }
    const problems = [
      ...reading.firing.map((alarm) => `alarm ${alarm.name} is in ALARM${alarm.since ? ` since ${alarm.since}` : ''}: ${alarm.reason}`),
      ...reading.missing.map((name) => `alarm ${name} does not exist`),
    ];
    return problems.length > 0
      ? { kind: 'alarms', outcome: 'failed', summary: problems.join('; '), alarms: reading }
      : { kind: 'alarms', outcome: 'passed', summary: `${plural(names.length, 'alarm')} OK (${names.join(', ')})`, alarms: reading };
  } catch (error) {
    // Throttling that outlived the SDK's retries may pass next time; access denied will not.
    const outcome = isRetryableAwsError(error) ? 'pending' : 'failed';
    return { kind: 'alarms', outcome, summary: `alarms could not be read: ${describeError(error)}` };
  }
}

async function checkSmoke(parts: HookParts, rollout: ServiceRollout, stage: string, budgetMs: number): Promise<CheckResult | undefined> {
  const checks = rollout.smoke.filter((check) => check.stage === stage);
  if (checks.length === 0) return undefined;
  const readings = await Promise.all(
    checks.map((check) => {
      const timeoutMs = Math.max(0, Math.min(check.timeoutSeconds * 1000, budgetMs));
      return runSmokeCheck(check, { signal: parts.clock.timeout(timeoutMs), timeoutMs, now: () => parts.clock.now() });
    }),
  );
  const failed = readings.filter((reading) => !reading.passed);
  const described = (r: SmokeReading) =>
    `smoke ${r.url}: ${r.problem}${r.body === undefined || r.body === '' ? '' : ` (body: ${JSON.stringify(r.body)})`} after ${r.durationMs} ms`;
  return failed.length > 0
    ? { kind: 'smoke', outcome: 'failed', summary: failed.map(described).join('; '), smoke: readings }
    : { kind: 'smoke', outcome: 'passed', summary: `${plural(readings.length, 'smoke URL')} OK`, smoke: readings };
}

/** The bake's start carried in `hookDetails` by the previous call, when it is a valid past time. */
function bakeStart(hookDetails: Record<string, unknown> | undefined, now: number): number | undefined {
  const carried = hookDetails?.[BAKE_STARTED_AT];
  const time = typeof carried === 'string' ? Date.parse(carried) : Number.NaN;
  return Number.isNaN(time) || time > now ? undefined : time;
}

export class LifecycleHook {
  constructor(private readonly parts: HookParts) {}

  /**
   * Answers one invocation; never throws.
   *
   * @example
   * const { answer } = await new LifecycleHook(parts).answer(invocationPayload, invocation);
   * // answer: { hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { deploybridgeBakeStartedAt: '2026-03-05T16:00:00.000Z' } }
   */
  async answer(raw: unknown, invocation: Invocation): Promise<HookVerdict> {
    const { log, metrics } = this.parts;
    metrics.count(MetricName.HookInvocations);
    let verdict: HookVerdict;
    try {
      verdict = await this.decide(raw, invocation);
    } catch (error) {
      // A bug: ECS still gets an answer, and it does not let traffic through.
      log.error('lifecycle hook failed on an unexpected error', errorFields(error));
      const failed = { ...this.refusal(raw, `unexpected error: ${describeError(error)}`), checks: [] };
      this.reportFailure(failed, failureOf(failed));
      return failed;
    }
    const fields = {
      service: verdict.service,
      lifecycle_stage: verdict.stage,
      service_deployment_arn: verdict.serviceDeploymentArn,
      hook_status: verdict.answer.hookStatus,
      callback_delay: verdict.answer.callBackDelay,
      reason: verdict.reason,
      checks: verdict.checks.map((check) => ({ kind: check.kind, outcome: check.outcome, summary: check.summary })),
    };
    for (const check of verdict.checks) if (check.outcome === 'failed') metrics.ofHookCheck(MetricName.HookChecksFailed, check.kind);
    const failure = verdict.answer.hookStatus === 'FAILED' ? failureOf(verdict) : undefined;
    const threaded = (await this.parts.thread?.report(verdict, failure)) ?? false;
    if (failure === undefined) {
      log.info(`lifecycle hook answered ${verdict.answer.hookStatus}: ${verdict.reason}`, fields);
      return verdict;
    }
    log.warn(`lifecycle hook failed: ${verdict.reason}`, fields);
    // In the followed deployment's thread, or a message of its own.
    if (!threaded) this.reportFailure(verdict, failure);
    return verdict;
  }

  /** A failed hook is always reported, as a message of its own. */
  private reportFailure(verdict: HookVerdict, failure: HookFailure): void {
    notifyLogged(this.parts.notifier, this.parts.log, failure.message, verdict.executionId ?? 'unknown');
  }

  /** A `FAILED` answer to an invocation the hook cannot check. */
  private refusal(raw: unknown, reason: string): Omit<HookVerdict, 'checks'> {
    const payload = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<string, unknown>>;
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 2048) : undefined);
    const details = (
      typeof payload.executionDetails === 'object' && payload.executionDetails !== null ? payload.executionDetails : {}
    ) as Record<string, unknown>;
    return {
      answer: { hookStatus: 'FAILED' },
      reason,
      service: undefined,
      ecsService: undefined,
      serviceArn: text(details.serviceArn),
      executionId: text(payload.executionId),
      stage: text(payload.lifecycleStage),
      serviceDeploymentArn: text(payload.resourceArn),
      targetServiceRevisionArn: undefined,
    };
  }

  private async decide(raw: unknown, invocation: Invocation): Promise<HookVerdict> {
    const { config, clock, metrics } = this.parts;
    const checked = checkDetail(lifecycleHookInvocationSchema(), raw);
    if (!checked.ok) {
      metrics.count(MetricName.EventsRejected);
      return { ...this.refusal(raw, `malformed lifecycle hook invocation: ${checked.problems.join('; ')}`), checks: [] };
    }
    const hook: LifecycleHookInvocation = checked.data;
    const arn = serviceFromArn(hook.executionDetails.serviceArn);
    const service = arn === undefined ? undefined : config.catalog.forEcsService(arn.service);
    if (
      arn === undefined ||
      service === undefined ||
      service.kind !== 'ecs' ||
      (arn.cluster !== undefined && arn.cluster !== config.catalog.cluster)
    ) {
      metrics.count(MetricName.EventsRejected);
      return {
        ...this.refusal(
          raw,
          `service ${excerpt(hook.executionDetails.serviceArn)} is not a service of this project and env (cluster ${config.catalog.cluster}); a gate that cannot check does not let traffic through`,
        ),
        checks: [],
      };
    }
    const rollout = config.rollout[service.name] ?? NOTHING_CONFIGURED;
    const stage = hook.lifecycleStage;
    const base = {
      service: service.name,
      ecsService: arn.service,
      serviceArn: hook.executionDetails.serviceArn,
      executionId: hook.executionId,
      stage,
      serviceDeploymentArn: hook.resourceArn,
      targetServiceRevisionArn: hook.executionDetails.targetServiceRevisionArn,
    };
    const started = clock.now();
    const budgetMs =
      invocation.endsAt === undefined ? Number.POSITIVE_INFINITY : invocation.endsAt - ROLLOUT_DEFAULTS.answerMarginMs - started;
    const deadline = deadlineSignal(clock, budgetMs);
    const checks = (
      await Promise.all([
        rollout.alarms.length > 0 ? checkAlarms(this.parts, rollout.alarms, deadline) : undefined,
        checkSmoke(this.parts, rollout, stage, budgetMs),
      ])
    ).filter((check) => check !== undefined);

    const failed = checks.filter((check) => check.outcome === 'failed');
    if (failed.length > 0) return { ...base, answer: { hookStatus: 'FAILED' }, reason: failed.map((c) => c.summary).join('; '), checks };
    const pending = checks.filter((check) => check.outcome === 'pending');
    if (pending.length > 0) {
      return {
        ...base,
        answer: {
          hookStatus: 'IN_PROGRESS',
          callBackDelay: ROLLOUT_DEFAULTS.unsettledCallbackDelaySeconds,
          ...(hook.hookDetails === undefined ? {} : { hookDetails: hook.hookDetails }),
        },
        reason: pending.map((c) => c.summary).join('; '),
        checks,
      };
    }
    const bake = rollout.bake?.stage === stage ? rollout.bake : undefined;
    if (bake !== undefined) {
      const now = clock.now();
      const since = bakeStart(hook.hookDetails, now) ?? now;
      const startedAt = new Date(since).toISOString();
      const leftMs = since + bake.minutes * 60_000 - now;
      if (leftMs > 0) {
        const check: CheckResult = {
          kind: 'bake',
          outcome: 'pending',
          summary: `baking since ${startedAt}, ${Math.ceil(leftMs / 60_000)} of ${bake.minutes} min left`,
          bake: { startedAt, minutes: bake.minutes },
        };
        return {
          ...base,
          answer: {
            hookStatus: 'IN_PROGRESS',
            callBackDelay: Math.min(bake.callbackDelaySeconds, Math.ceil(leftMs / 1000)),
            hookDetails: { ...hook.hookDetails, [BAKE_STARTED_AT]: startedAt },
          },
          reason: check.summary,
          checks: [...checks, check],
        };
      }
      checks.push({
        kind: 'bake',
        outcome: 'passed',
        summary: `baked ${bake.minutes} min since ${startedAt}`,
        bake: { startedAt, minutes: bake.minutes },
      });
    }
    const reason = checks.length === 0 ? `nothing to check at ${stage}` : checks.map((c) => c.summary).join('; ');
    return { ...base, answer: { hookStatus: 'SUCCEEDED' }, reason, checks };
  }
}
