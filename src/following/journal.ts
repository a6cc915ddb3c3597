/**
 * The deployments table, as the code sees it: a small versioned key-value store. What deploybridge
 * starts is recorded here so that ECS's later events can be told apart (a circuit-breaker rollback
 * completing is not a success) and reported in the deployment's own Slack thread. Types only: the
 * DynamoDB store is src/following/dynamodb.ts (loaded on first use), the in-memory one src/following/store.ts.
 */
import type { DeploymentPreview } from '../targets/contract.js';
import type { Approval, Carried, DeploymentRequest, Person } from '../triggers/requests.js';
import type { Trigger } from '../triggers/trigger.js';

/** Where a deployment's first Slack message was posted (bot token), so later steps update it and reply in its thread. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** Where a deployment deploybridge started stands. */
type DeploymentStatus = 'in_progress' | 'completed' | 'failed' | 'superseded';

/** A circuit-breaker rollback of a failed ECS deployment. */
export interface Rollback {
  /** The rollback's own ECS deployment. */
  deploymentId: string;
  /** The deployment ECS rolls back to, and its revision (the one the service ran before, when ECS's id is not recorded). */
  to: string | undefined;
  toTaskDefinition: string | undefined;
  status: 'in_progress' | 'completed' | 'failed';
}

interface FollowedCommon {
  /** ECS: the deployment id `UpdateService` returned; Lambda: `lambda:{function}:{event id}`. */
  id: string;
  /** The service's name in the catalog. */
  service: string;
  /** The AWS resource: ECS service or function name. */
  resource: string;
  region: string;
  trigger: Trigger;
  eventId: string;
  /** When the trigger happened (its event's time) and when deploybridge started the deployment (ISO 8601). */
  triggeredAt: string;
  startedAt: string;
  /** Its first Slack message (bot token only). */
  message?: MessageRef;
  status: DeploymentStatus;
  finishedAt?: string;
  /** Ids of the events already applied to it: a redelivered event changes nothing. */
  events: string[];
  /** Changes of later batches or events it covers: they began before it did, and it deployed them (./claims.ts). */
  covered?: number;
  /** Who approved it, when approvals are on. */
  approval?: Approval;
}

/** An ECS deployment deploybridge started, followed through ECS's own events. */
export interface FollowedEcsDeployment extends FollowedCommon {
  target: 'ecs';
  cluster: string;
  /** The revision deployed (ARN) and the one the service ran before. */
  taskDefinition: string;
  previousTaskDefinition: string | undefined;
  /** What ECS said when it failed. */
  failure?: string;
  rollback?: Rollback;
  /** The deployment that replaced it before it finished; `trigger` is undefined when deploybridge did not start it. */
  supersededBy?: { deploymentId: string; trigger: Trigger | undefined };
}

/** A Lambda deployment: it finishes inside the invocation that started it. */
interface FollowedLambdaDeployment extends FollowedCommon {
  target: 'lambda';
  alias: string | undefined;
  fromVersion: string | undefined;
  toVersion: string | undefined;
}

/** A deployment deploybridge started, as the deployments table keeps it. */
export type FollowedDeployment = FollowedEcsDeployment | FollowedLambdaDeployment;

/**
 * Who deploys a target next, and since when (./claims.ts): a deployment claims its target before
 * its first write to AWS, with one conditional write, so of the invocations racing for it one wins.
 */
export type ServiceClaim = {
  /** This claim among the target's claims (a random UUID): only its holder settles it. */
  id: string;
  /** ISO 8601: when it was claimed, before its deployment's first write to AWS, so before any task it starts. */
  startedAt: string;
  /** What its deployment carries besides new tasks: a later change that carries more is not covered by it. */
  carried: Carried;
} /** Its deployment is being started; its holder's invocation ends by `leaseEndsAt` (ISO 8601), and a claim still starting then was abandoned. */ & (
  | { state: 'starting'; leaseEndsAt: string }
  /** Its deployment started: the record under `deploymentId` says whether it still covers what began before it. */
  | { state: 'started'; deploymentId: string }
  /** Its deployment did not start: nothing is claimed. */
  | { state: 'released' }
);

/** Where an approval request stands (src/approvals/records.ts moves it on). */
export type ApprovalStatus = 'pending' | 'approved' | 'started' | 'rejected' | 'expired' | 'superseded';

/** What was pinned at request time, as people check it: what the approved deployment deploys, exactly. */
export interface Pinned {
  /** ECS: the task-definition revision (ARN). */
  taskDefinition?: string;
  /** The image digest the trigger pushed, when there is one. */
  imageDigest?: string;
  /** Lambda: the S3 object version of the artifact, or the image by digest. */
  artifactVersion?: string;
}

/** One approval request, as the deployments table keeps it. */
export interface ApprovalRequest {
  /** Derived from the events and the target: a redelivered event finds its request. */
  id: string;
  status: ApprovalStatus;
  service: string;
  /** The deployment to carry out when approved, pinned (a revision ARN instead of a family, an image by digest). */
  request: DeploymentRequest;
  pinned: Pinned;
  /** What a dry run showed: the preview and the calls that would change AWS. */
  preview: DeploymentPreview;
  calls: string[];
  /** The event that asked for it (a merged deployment's triggers carry every event id). */
  eventId: string;
  /** ISO 8601: the trigger's event, the request, its expiry. */
  triggeredAt: string;
  requestedAt: string;
  expiresAt: string;
  /** The request's Slack message, once posted: it becomes the deployment's message. */
  message?: MessageRef;
  /** Who approved or rejected it, and when (ISO 8601). */
  decision?: { by: Person; at: string };
  /** The request that replaced it. */
  supersededBy?: string;
  /**
   * Events of later changes that joined it while it was pending (in later batches, carrying nothing
   * it does not): the deployment an approver approves starts after them, so it deploys them too.
   */
  joined?: string[];
}

/** What one key of the table holds. */
export type JournalEntry =
  /** A deployment deploybridge started (key: its ECS deployment id). */
  | { type: 'deployment'; deployment: FollowedDeployment }
  /** A circuit-breaker rollback deployment, and the deployment it rolls back when deploybridge started that one. */
  | { type: 'rollback'; deploymentId: string; rollbackOf: string | undefined; to: string | undefined; events: string[] }
  /** The deployment deploybridge started last on an ECS service. */
  | { type: 'latest'; deploymentId: string }
  /** Who deploys a target next, and since when. */
  | { type: 'claim'; claim: ServiceClaim }
  /** A deployment waiting for an approver (src/approvals/). */
  | { type: 'approval'; approval: ApprovalRequest }
  /** The latest approval request of a deployment target: a later one supersedes it. */
  | { type: 'approval-latest'; approvalId: string };

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
