/**
 * The one composition root: the App built from the configuration with the real parts, any of which
 * the caller replaces. The Lambda handler (./handler.ts) takes them all; the local run
 * (src/local/run.ts) gives clients that describe their calls, its own notifier and an in-memory
 * deployments table; tests give mocked clients, a recording Slack and faster retries.
 */
import { createAwsClients } from '../aws/clients.js';
import { createChannelNotifier } from '../channels/setup.js';
import type { Config } from '../config/config.js';
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { createDynamoDbGuard } from '../deploy/idempotency/dynamodb.js';
import { createDynamoDbJournal } from '../following/store.js';
import { createLogger, createMetrics, maskedLog } from '../shared/observability.js';
import { maskedNotifier } from '../slack/notifier.js';
import { createAwsTargets } from '../targets/registry.js';
import { createAwsReads } from '../triggers/reads/registry.js';
import { App, type AppParts } from './app.js';

/** The parts of an App to use instead of the real ones. */
export type AppOverrides = Partial<Omit<AppParts, 'config'>>;

/**
 * The App for `config`: each part `overrides` names replaces the real one (a part given as
 * `undefined`, such as `guard` or `journal`, is left out).
 *
 * @example
 * const app = createApp(config, { log: logger, metrics });
 * await app.handle(event, context);
 */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  // Text from outside (event fields, AWS answers, task reasons, HTTP bodies) reaches people through
  // the App's two sinks, and is masked there, whichever log and notifier the App is given: where it
  // enters there are dozens of doors (every field of every event, every AWS answer, records read
  // back from the deployments table), and one missed leaks; every line and message leaves through
  // these two. The notifier is masked before it fans out, so every channel has the masked text.
  const log = maskedLog(
    overrides.log ?? createLogger({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel }),
  );
  const metrics = overrides.metrics ?? createMetrics(config.projectEnv);
  const clients = overrides.clients ?? createAwsClients(config.region);
  return new App({
    config,
    log,
    metrics,
    clients,
    notifier: maskedNotifier(overrides.notifier ?? createChannelNotifier(config, log, metrics)),
    targets: overrides.targets ?? createAwsTargets(clients),
    reads: overrides.reads ?? createAwsReads(clients),
    guard:
      'guard' in overrides || config.idempotencyTable === undefined
        ? overrides.guard
        : createDynamoDbGuard({ tableName: config.idempotencyTable, ttlSeconds: config.idempotencyTtlSeconds, region: config.region }),
    journal:
      'journal' in overrides || config.deploymentsTable === undefined
        ? overrides.journal
        : createDynamoDbJournal({
            tableName: config.deploymentsTable,
            region: config.region,
            ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds,
          }),
    deployerOptions: overrides.deployerOptions,
    clock: overrides.clock,
    ...(overrides.claimClock === undefined ? {} : { claimClock: overrides.claimClock }),
  });
}
