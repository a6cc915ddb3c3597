/**
 * Start-up: configuration is read once per container. An invalid configuration is kept with its
 * problems; the handler then deploys nothing, logs one error line listing every problem and fails
 * each invocation, so the problem is loud (Errors alarm) and the events wait in the on-failure
 * destination.
 */
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
