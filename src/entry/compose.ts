/**
 * The parts of one container, on the real AWS SDK and Slack: the App and what it stands on. The
 * handler of events and the asynchronous invocation of an approved click compose them alike.
 */
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import type { Config } from '../config/config.js';
import { createDynamoDbGuard } from '../deploy/idempotency/dynamodb.js';
import type { DeploymentJournal } from '../following/journal.js';
import { createDynamoDbJournal } from '../following/store.js';
import type { Log, MetricSink } from '../shared/observability.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
import { createAwsReads } from '../triggers/reads/registry.js';
import { createAwsTargets } from '../targets/registry.js';
import { App } from './app.js';

export interface ComposedApp {
  app: App;
  notifier: Notifier;
  /** DEPLOYMENTS_TABLE, when it is set. */
  journal: DeploymentJournal | undefined;
}

/**
 * The App of a valid configuration, with its notifier and deployments table.
 *
 * @example
 * const { app, notifier, journal } = composeApp(config, logger, metrics);
 */
export function composeApp(config: Config, log: Log, metrics: MetricSink & { setTrigger?(trigger: string): void }): ComposedApp {
  const guard =
    config.idempotencyTable === undefined
      ? undefined
      : createDynamoDbGuard({ tableName: config.idempotencyTable, ttlSeconds: config.idempotencyTtlSeconds, region: config.region });
  const journal =
    config.deploymentsTable === undefined
      ? undefined
      : createDynamoDbJournal({ tableName: config.deploymentsTable, region: config.region, ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds });
  const notifier = createNotifier(config, log, metrics);
  const app = new App({
    config,
    log,
    metrics,
    notifier,
    targets: createAwsTargets(config.region),
    reads: createAwsReads(config.region),
    guard,
    journal,
  });
  return { app, notifier, journal };
}
