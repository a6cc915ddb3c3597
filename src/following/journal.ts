/**
 * The deployments table, as the code sees it: a small versioned key-value store. What deploybridge
 * starts is recorded here so that ECS's later events can be told apart (a circuit-breaker rollback
 * completing is not a success) and reported in the deployment's own Slack thread. Types only: the
 * DynamoDB store is src/following/dynamodb.ts (loaded on first use), the in-memory one src/following/store.ts.
 */
import type { FollowedDeployment } from '../triggers/plan.js';

/** What one key of the table holds. */
export type JournalEntry =
  /** A deployment deploybridge started (key: its ECS deployment id). */
  | { type: 'deployment'; deployment: FollowedDeployment }
  /** A circuit-breaker rollback deployment, and the deployment it rolls back when deploybridge started that one. */
  | { type: 'rollback'; deploymentId: string; rollbackOf: string | undefined; to: string | undefined; events: string[] }
  /** The deployment deploybridge started last on an ECS service. */
  | { type: 'latest'; deploymentId: string };

export interface VersionedEntry {
  entry: JournalEntry;
  /** Incremented by every write: a write names the version it read. */
  version: number;
}

export interface DeploymentJournal {
  /** The entry under `key`, read consistently, or undefined. */
  read(key: string): Promise<VersionedEntry | undefined>;
  /**
   * Writes `entry` under `key` if the stored version is still `expected` (undefined: nothing is
   * stored). Resolves false when another invocation wrote first; rejects when the table cannot be
   * reached.
   */
  write(key: string, entry: JournalEntry, expected: number | undefined): Promise<boolean>;
}

export interface DynamoDbJournalOptions {
  tableName: string;
  region: string;
  /** Entries expire (TTL attribute `expiration`) this long after their last write. */
  ttlSeconds: number;
}
