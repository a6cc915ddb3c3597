/**
 * The deployments table, as the code sees it: a small versioned key-value store. What deploybridge
 * starts is recorded here so that ECS's later events can be told apart (a circuit-breaker rollback
 * completing is not a success) and reported in the deployment's own Slack thread. Types only: the
 * DynamoDB store is src/following/dynamodb.ts (loaded on first use), the in-memory one src/following/store.ts.
 */
import type { RouteName } from '../triggers/plan.js';
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
  /** The release whose step it is (RELEASE_CONFIG): its end moves the release on. */
  release?: ReleaseStepRef;
  /** An approver clicked Roll back while it was in progress (StopServiceDeployment, ROLLBACK). */
  stoppedBy?: { by: Person; at: string };
  /** The rollout check of the lifecycle hook that failed (ECS then rolls it back). */
  checkFailed?: { stage: string; problems: string[]; at: string };
  /** The thread line of its lifecycle hook's bake, updated at each call. */
  bakeLine?: MessageRef;
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

/** A step of a release: the release's id and the step's index. */
export interface ReleaseStepRef {
  id: string;
  step: number;
}

/** Where a step of a release stands. */
export type ReleaseStepState = 'waiting' | 'running' | 'done' | 'failed' | 'not_started';

interface ReleaseStepCommon {
  /** The service (catalog name) the step is for. */
  service: string;
  /** The steps it waits for (indices). */
  after: number[];
  state: ReleaseStepState;
  /** The event whose invocation started it: a retry of that event finishes a start it left undone. */
  startedFor?: string;
  /** ISO 8601: when it started, when it is reported failed if nothing is heard of it, when it ended. */
  startedAt?: string;
  deadline?: string;
  finishedAt?: string;
  /** Why it failed, or why it was not started. */
  reason?: string;
}

/** Where a container of a task writes its logs (`awslogs`). */
export interface ContainerLogs {
  group: string;
  /** `awslogs-stream-prefix`: without one, the stream is not named after the task. */
  prefix: string | undefined;
  region: string;
}

/** How a container of a stopped task ended. */
export interface ContainerExit {
  name: string;
  exitCode: number | undefined;
  reason: string | undefined;
}

/** A one-off task run before a service deploys (a database migration). */
export interface ReleaseTaskStep extends ReleaseStepCommon {
  kind: 'task';
  family: string;
  container: string | undefined;
  command: string[] | undefined;
  timeoutMinutes: number;
  /** RunTask's `startedBy` (at most 36 characters): names the release and the step, so ECS's event about the task finds them. */
  startedBy: string;
  /** Known once it runs: the task, the revision run, the containers whose exit decides, where they log. */
  taskArn?: string;
  taskDefinition?: string;
  decisive?: string[];
  logs?: Record<string, ContainerLogs>;
  /** How it stopped. */
  stopped?: { stopCode: string | undefined; stoppedReason: string | undefined; containers: ContainerExit[] };
}

/** A deployment of a service, held until the steps before it are done. */
export interface ReleaseDeployStep extends ReleaseStepCommon {
  kind: 'deploy';
  /** What the deployer is given when it starts: the change's request, event, time and route. */
  order: { request: DeploymentRequest; eventId: string; triggeredAt: string; route: RouteName };
  /** The ECS deployment UpdateService started. */
  deploymentId?: string;
}

export type ReleaseStep = ReleaseTaskStep | ReleaseDeployStep;

/** One change (one event, or one merged batch) deployed in order: its steps, each waiting for the ones before it. */
export interface ReleaseRecord {
  /** 16 hex characters, from the change's event and services: a redelivered event finds its release. */
  id: string;
  /** The event of the change. */
  eventId: string;
  region: string;
  cluster: string;
  /** ISO 8601: the change's event, and when the release started. */
  triggeredAt: string;
  startedAt: string;
  steps: ReleaseStep[];
  /** Its Slack message (bot token), updated as its steps move on. */
  message?: MessageRef;
}

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

/** Where a pause hook stands (src/rollout/pauseRecords.ts moves it on): awaiting → deciding → continued or rolled back, or timed out. */
export type PauseStatus = 'awaiting' | 'deciding' | 'continued' | 'rolled_back' | 'timed_out' | 'failed';

/** What a person asked of a paused service deployment (ContinueServiceDeployment's `action`). */
export type PauseAction = 'CONTINUE' | 'ROLLBACK';

/** A pause hook of an ECS service deployment waiting for Continue or Roll back (ECS's `HOOK_AWAITING_ACTION`). */
export interface PauseHook {
  /** From the service deployment and the hook: the same for a redelivered event. */
  id: string;
  status: PauseStatus;
  /** The catalog's service, its ECS service, cluster and region. */
  service: string;
  ecsService: string;
  cluster: string;
  region: string;
  stage: string;
  hookId: string;
  serviceDeploymentArn: string;
  /** ISO 8601: when ECS stops waiting and takes the hook's timeout action. */
  expiresAt: string | undefined;
  timeoutAction: string | undefined;
  /** The service revision under test, and the traffic weights requested of it (percent), where DescribeServiceDeployments said. */
  revision: string | undefined;
  weights: { test: number | undefined; production: number | undefined };
  /** The deployment deploybridge follows on the service, whose thread the message is in. */
  deploymentId: string | undefined;
  /** Whether the message carries Continue and Roll back (approvals configured). */
  buttons: boolean;
  message?: MessageRef;
  /** Who decided what, when, and the hand-off that carries it out (its retry carries it out again). */
  decision?: { by: Person; at: string; action: PauseAction; requestId: string | undefined };
  /** Why ECS did not take the decision. */
  failure?: string;
}

/** A Roll back clicked on a deployment deploybridge follows (StopServiceDeployment, stopType ROLLBACK). */
export interface StopRequest {
  deploymentId: string;
  /** `unreached`: ECS could not be reached; anyone may click again. */
  status: 'stopping' | 'stopped' | 'failed' | 'unreached';
  by: Person;
  at: string;
  requestId: string | undefined;
  serviceDeploymentArn?: string;
  failure?: string;
}

/** What one key of the table holds. */
export type JournalEntry =
  /** A deployment deploybridge started (key: its ECS deployment id). */
  | { type: 'deployment'; deployment: FollowedDeployment }
  /** A circuit-breaker rollback deployment, and the deployment it rolls back when deploybridge started that one. */
  | { type: 'rollback'; deploymentId: string; rollbackOf: string | undefined; to: string | undefined; events: string[] }
  /** The deployment deploybridge started last on an ECS service. */
  | { type: 'latest'; deploymentId: string }
  /** A release: a change whose services deploy in order (RELEASE_CONFIG). */
  | { type: 'release'; release: ReleaseRecord }
  /** The releases not yet over, which the periodic check of timeouts reads. */
  | { type: 'open_releases'; ids: string[] }
  /** Who deploys a target next, and since when. */
  | { type: 'claim'; claim: ServiceClaim }
  /** A deployment waiting for an approver (src/approvals/). */
  | { type: 'approval'; approval: ApprovalRequest }
  /** The latest approval request of a deployment target: a later one supersedes it. */
  | { type: 'approval-latest'; approvalId: string }
  /** A pause hook waiting for a decision in Slack (src/rollout/). */
  | { type: 'pause'; pause: PauseHook }
  /** A Roll back asked for in Slack of a deployment deploybridge follows. */
  | { type: 'stop'; stop: StopRequest };

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
