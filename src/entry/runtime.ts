/**
 * Start-up: configuration is read once per container. An invalid configuration is kept with its
 * problems; the handler then deploys nothing, logs one error line listing every problem and fails
 * each invocation, so the problem is loud (Errors alarm) and the events wait in the on-failure
 * destination.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { loadConfig, type Config } from '../config/config.js';
import { ConfigError } from '../shared/errors.js';
import { createLogger, createMetrics, type AppLogger, type AppMetrics } from '../shared/observability.js';

export interface Runtime {
  config: Config | undefined;
  configError: ConfigError | undefined;
  logger: AppLogger;
  metrics: AppMetrics;
}

export function startRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  try {
    const config = loadConfig(env);
    return {
      config,
      configError: undefined,
      logger: createLogger({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel }),
      metrics: createMetrics(config.projectEnv),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const projectName = env.PROJECT_NAME ?? 'unknown';
    const environment = env.PROJECT_ENV ?? 'unknown';
    return {
      config: undefined,
      configError: error,
      logger: createLogger({ projectName, environment, level: 'info' }),
      metrics: createMetrics(environment),
    };
  }
}

let containerRuntime: Runtime | undefined;

/**
 * The container's runtime, started by whichever handler needs it first: an EventBridge event and
 * a Function URL request arriving at the same container share one configuration, logger and
 * metrics.
 *
 * @example
 * const { config, logger, metrics } = sharedRuntime();
 */
export function sharedRuntime(): Runtime {
  containerRuntime ??= startRuntime();
  return containerRuntime;
}

/**
 * Publishes the invocation's metrics (EMF) after it ends, also when it fails. Unlike Powertools'
 * `logMetrics`, it stays silent when there are none: an ECS event reported to Slack or a dry run
 * records no metric, and `logMetrics` would print a plain-text warning for each, breaking the
 * one-JSON-object-per-line log.
 */
export function publishMetrics(target: Metrics): MiddlewareObj {
  const publish = async () => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
