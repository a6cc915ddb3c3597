/**
 * Structured logs and metrics.
 *
 * Log lines are one JSON object each: `timestamp`, `level` (lower case), `message`,
 * `project_name`, `environment`, and a `fields` object holding everything else, so CloudWatch
 * Logs Insights queries such as `filter fields.service = "api"` work unchanged.
 */
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChannelName, LogLevel } from '../config/constants.js';
import { maskText, maskValue } from './redact.js';

/** What the rest of the code needs from a logger: a message and a flat bag of fields. */
export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * False when a debug line would not be written (the level is above debug), so a caller need not
   * prepare one: masking a whole event for a line nobody reads cost a cold start 1 ms. Absent: written.
   */
  debugWritten?(): boolean;
}

export type LogFields = Record<string, unknown>;

/**
 * A log whose lines all carry `fields` (a line's own fields win).
 *
 * @example
 * boundLog(log, { service: 'api' }).info('lambda version published', { to_version: '13' });
 */
export function boundLog(log: Log, fields: LogFields): Log {
  return {
    debug: (message, more) => log.debug(message, { ...fields, ...more }),
    info: (message, more) => log.info(message, { ...fields, ...more }),
    warn: (message, more) => log.warn(message, { ...fields, ...more }),
    error: (message, more) => log.error(message, { ...fields, ...more }),
  };
}

/**
 * A log whose every line is masked ({@link maskText}: secrets, control and bidirectional
 * characters) in its message and every field, before `log` writes it.
 *
 * @example
 * maskedLog(log).warn('event rejected', { reason: 'by https://u:pw@host' }); // reason: 'by https://[redacted]@host'
 */
export function maskedLog(log: Log): Log {
  const debugWritten = () => log.debugWritten?.() ?? true;
  return {
    debugWritten,
    debug: (message, fields) => {
      if (debugWritten()) log.debug(maskText(message), maskValue(fields));
    },
    info: (message, fields) => log.info(maskText(message), maskValue(fields)),
    warn: (message, fields) => log.warn(maskText(message), maskValue(fields)),
    error: (message, fields) => log.error(maskText(message), maskValue(fields)),
  };
}

class DeploybridgeLogFormatter extends LogFormatter {
  constructor(private readonly identity: { project_name: string; environment: string }) {
    super();
  }

  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const { fields: nested, ...rest } = additional;
    const fields: LogAttributes = { ...rest, ...(typeof nested === 'object' && nested !== null ? (nested as LogAttributes) : {}) };
    return new LogItem({
      attributes: {
        timestamp: this.formatTimestamp(attributes.timestamp),
        level: attributes.logLevel.toLowerCase(),
        message: attributes.message,
        project_name: this.identity.project_name,
        environment: this.identity.environment,
        request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
        fields,
      },
    });
  }
}

/** A Powertools logger writing the deploybridge log shape, behind the small {@link Log} interface. */
export interface AppLogger extends Log {
  readonly powertools: Logger;
}

/** The Powertools levels at which a debug line is written. */
const DEBUG_WRITTEN_AT: ReadonlySet<string> = new Set(['TRACE', 'DEBUG']);

export function createLogger(options: { projectName: string; environment: string; level: LogLevel }): AppLogger {
  const powertools = new Logger({
    serviceName: 'deploybridge',
    logLevel: options.level.toUpperCase() as 'INFO',
    logFormatter: new DeploybridgeLogFormatter({ project_name: options.projectName, environment: options.environment }),
  });
  // Fields go under one key: Powertools reserves some top-level names (e.g. `service`).
  return {
    powertools,
    debugWritten: () => DEBUG_WRITTEN_AT.has(powertools.getLevelName()),
    debug: (message, fields) => powertools.debug(message, { fields }),
    info: (message, fields) => powertools.info(message, { fields }),
    warn: (message, fields) => powertools.warn(message, { fields }),
    error: (message, fields) => powertools.error(message, { fields }),
  };
}

/** Metric names: counts per invocation, dimensioned by environment and trigger. */
export const MetricName = {
  DeploymentsStarted: 'DeploymentsStarted',
  DeploymentsFailed: 'DeploymentsFailed',
  DeploymentsRetried: 'DeploymentsRetried',
  DeploymentsSkipped: 'DeploymentsSkipped',
  /** Deployments the invocation had no time left to start (they are retried with the event). */
  DeploymentsNotStarted: 'DeploymentsNotStarted',
  /** Deployments that finished well: Lambda in the invocation, ECS when ECS reports it completed (with DEPLOYMENTS_TABLE). */
  DeploymentsSucceeded: 'DeploymentsSucceeded',
  /** ECS deployments the circuit breaker rolled back (also counted as failed), once the rollback completed. */
  DeploymentsRolledBack: 'DeploymentsRolledBack',
  /** Milliseconds from the trigger's event to the deployment's completion. */
  DeploymentDuration: 'DeploymentDuration',
  /** Reads or writes of the deployments table that failed: the deployment's later events are reported without it. */
  DeploymentRecordsFailed: 'DeploymentRecordsFailed',
  SmokeTestsFailed: 'SmokeTestsFailed',
  /** Releases (RELEASE_CONFIG) stopped by a failed step: a task that did not exit 0 or was not placed, a deployment that failed, a step that timed out. */
  ReleasesFailed: 'ReleasesFailed',
  /** Retries of one call that met an update in progress (Lambda's ResourceConflictException). */
  ConflictsRetried: 'ConflictsRetried',
  EventsIgnored: 'EventsIgnored',
  EventsRejected: 'EventsRejected',
  /** Notifications a channel did not get (counted by channel: see {@link MetricSink.ofChannel}). */
  NotificationsFailed: 'NotificationsFailed',
  ConfigInvalid: 'ConfigInvalid',
  /** Requests to the Function URL refused: not signed by Slack, stale, another path or method, too large. */
  InteractionsRejected: 'InteractionsRejected',
  /** Verified clicks that could not be handed off to the asynchronous invocation (the person who clicked is told). */
  InteractionHandOffsFailed: 'InteractionHandOffsFailed',
  /** Deployments that wait for an approver, and what became of them. */
  ApprovalsRequested: 'ApprovalsRequested',
  ApprovalsGranted: 'ApprovalsGranted',
  ApprovalsRejected: 'ApprovalsRejected',
  ApprovalsExpired: 'ApprovalsExpired',
  /** Invocations of deploybridge as an ECS lifecycle hook, whatever it answered. */
  HookInvocations: 'HookInvocations',
  /** Rollout checks that failed a lifecycle hook (counted by check kind: see {@link MetricSink.ofHookCheck}). */
  HookChecksFailed: 'HookChecksFailed',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** What the rest of the code needs from metrics. */
export interface MetricSink {
  count(name: MetricName, value?: number): void;
  /**
   * A metric of one deployment, dimensioned by the trigger that started it rather than by the
   * invocation's route: an ECS event reports the completion of a deployment an ECR push started.
   *
   * @example
   * metrics.ofDeployment(MetricName.DeploymentDuration, 'ecr', 184_000, 'Milliseconds');
   */
  ofDeployment(name: MetricName, trigger: string, value?: number, unit?: 'Count' | 'Milliseconds'): void;
  /**
   * A count of one notification channel, dimensioned by the channel (`slack`, `teams`,
   * `google_chat`, `webhook`, `sns`) rather than by the invocation's route: an alarm per channel
   * says which one stopped hearing, whatever the events were about.
   *
   * @example
   * metrics.ofChannel(MetricName.NotificationsFailed, 'teams');
   */
  ofChannel(name: MetricName, channel: ChannelName, value?: number): void;
  /**
   * A count of one kind of rollout check (`smoke`, `alarms`, `bake`), dimensioned by the check:
   * an alarm on failed smoke checks is not set off by alarms in ALARM.
   *
   * @example
   * metrics.ofHookCheck(MetricName.HookChecksFailed, 'smoke');
   */
  ofHookCheck(name: MetricName, check: HookCheckKind, value?: number): void;
}

/** The kinds of rollout check a lifecycle hook runs (`ROLLOUT_CONFIG`). */
export type HookCheckKind = 'smoke' | 'alarms' | 'bake';

export interface AppMetrics extends MetricSink {
  readonly powertools: Metrics;
  /** Sets the trigger dimension for this invocation's metrics. */
  setTrigger(trigger: string): void;
}

export function createMetrics(environment: string): AppMetrics {
  const powertools = new Metrics({
    namespace: 'deploybridge',
    serviceName: 'deploybridge',
    defaultDimensions: { environment },
  });
  return {
    powertools,
    count: (name, value = 1) => powertools.addMetric(name, MetricUnit.Count, value),
    ofDeployment: (name, trigger, value = 1, unit = 'Count') => {
      // Its own EMF document, published at once: the invocation's trigger dimension is another.
      const single = powertools.singleMetric();
      single.addDimension('trigger', trigger);
      single.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
    },
    ofChannel: (name, channel, value = 1) => {
      const single = powertools.singleMetric();
      single.addDimension('channel', channel);
      single.addMetric(name, MetricUnit.Count, value);
    },
    ofHookCheck: (name, check, value = 1) => {
      const single = powertools.singleMetric();
      single.addDimension('check', check);
      single.addMetric(name, MetricUnit.Count, value);
    },
    setTrigger: (trigger) => powertools.addDimension('trigger', trigger),
  };
}
