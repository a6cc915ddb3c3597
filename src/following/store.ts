/**
 * The two deployments tables: DynamoDB (`DEPLOYMENTS_TABLE`), whose client is loaded on first use so
 * that routes which never read it do not load it, and an in-memory one (the local run, tests).
 */
import { once } from '../shared/concurrency.js';
import type { DeploymentJournal, DynamoDbJournalOptions, VersionedEntry } from './journal.js';

/**
 * The journal on a DynamoDB table (partition key `id`, TTL attribute `expiration`), which may be
 * the idempotency table: its keys (`deployment#…`, `service#…`) never meet Powertools' `deploybridge#…`.
 *
 * @example
 * const journal = createDynamoDbJournal({ tableName: 'myproject-deploybridge-dev-deployments', region: 'eu-west-1', ttlSeconds: 1_209_600 });
 */
export function createDynamoDbJournal(options: DynamoDbJournalOptions): DeploymentJournal {
  const load = once(() => import('./dynamodb.js').then((m) => m.createDynamoDbStore(options)));
  return {
    read: async (key) => (await load()).read(key),
    write: async (key, entry, expected) => (await load()).write(key, entry, expected),
  };
}

/**
 * A journal in memory, for one process: the local run follows a sequence of events with it.
 *
 * @example
 * const journal = createMemoryJournal();
 * await journal.write('deployment#ecs-svc/1', entry, undefined); // true; false the second time
 */
export function createMemoryJournal(): DeploymentJournal {
  const entries = new Map<string, VersionedEntry>();
  return {
    async read(key) {
      const stored = entries.get(key);
      return stored === undefined ? undefined : structuredClone(stored);
    },
    async write(key, entry, expected) {
      if (entries.get(key)?.version !== expected) return false;
      entries.set(key, { entry: structuredClone(entry), version: (expected ?? 0) + 1 });
      return true;
    },
  };
}
