/**
 * The vocabulary of a deployment, shared by handlers, the deployer, targets and the presenter:
 * what an event asks for (a {@link Plan} of {@link DeploymentRequest}s, skips and {@link Notice}s)
 * and what a deployment came to (previews, outcomes). Types only: no wording, no AWS.
 */
import type { CatalogService, LambdaFunction, LambdaService } from '../config/catalog.js';
import type { ScanGateLevel } from '../config/constants.js';
import type { EnvFileDiff, EnvFileProblem } from './envFile.js';
import type { EcsNames } from '../config/naming.js';

/** The routes an event can take; also the `trigger` metric dimension. */
export type RouteName = 'ecr' | 'ssm' | 's3' | 'ecs' | 'manual';

/** An ECR image's scan: its status and the number of findings per severity. */
export interface ImageScan {
  /** ECR's scan status (`COMPLETE`, `IN_PROGRESS`, `ACTIVE`, `FAILED`, …). */
  status: string;
  description: string | undefined;
  counts: Partial<Record<string, number>>;
}

/** An ECR image as `DescribeImages` tells it. */
export interface ImageSummary {
  repository: string;
  digest: string;
  /** Every tag of the image (the digest), the pushed one included. */
  tags: string[];
  sizeBytes: number | undefined;
  /** ISO 8601. */
  pushedAt: string | undefined;
  /** `undefined` when nothing scans the image (no scan on push, no enhanced scanning). */
  scan: ImageScan | undefined;
}

/** One finding of an image scan, as people recognise it: "CVE-2024-1234 (openssl 3.0.1)". */
export interface ScanFinding {
  severity: string;
  name: string;
  package: string | undefined;
}

/** What changed in an env file, by variable name: values are never carried. */
export type EnvFileChange =
  | ({ kind: 'diff'; previousVersionId: string } & EnvFileDiff)
  /** The object has no earlier version: every variable is new. */
  | { kind: 'new_file'; added: string[] }
  /** Nothing to compare with: the bucket is not versioned, or the previous version could not be found or read. */
  | { kind: 'not_compared'; reason: 'unversioned' | 'previous_not_listed' | 'read_failed' };

/** What one event asked for, with the detail people need to recognise it, and who did it when AWS says. */
export type EventTrigger =
  | {
      kind: 'ecr';
      repository: string;
      tag: string;
      digest: string | undefined;
      /** The push itself, or (with the scan gate) the completion of its scan. */
      via?: 'push' | 'scan';
      /** The image as ECR describes it, when it could be read. */
      image?: ImageSummary;
      /** The scan gate the image passed (`ECR_SCAN_GATE`). */
      gate?: ScanGateLevel;
    }
  | { kind: 'ssm'; parameter: string; operation: string; actor?: string; parameterVersion?: number }
  | { kind: 's3'; bucket: string; key: string; versionId: string | undefined; operation: string; actor?: string; envFile?: EnvFileChange }
  | {
      kind: 'manual';
      source: string;
      reason: string | undefined;
      account: string | undefined;
      requestedBy: string | undefined;
      images?: ImageSummary[];
    };

/**
 * Several events of one SQS batch that asked for a deployment of the same target, deployed once
 * (src/deploy/batch/merge.ts): a burst of changes makes one rollout, not one per change.
 */
export interface MergedTrigger {
  kind: 'merged';
  /** The trigger whose change is deployed: an image push when there is one, otherwise the latest change. */
  deployed: EventTrigger;
  /** Every trigger the deployment answers, `deployed` included, in event-time order. */
  triggers: EventTrigger[];
  /** Every event it answers, `deployed`'s included: the idempotency guard records each. */
  eventIds: string[];
}

/** What caused a deployment: one event, or several of a batch merged into one deployment. */
export type Trigger = EventTrigger | MergedTrigger;

/**
 * Redeploy one ECS service: new tasks of a task definition (a bare family means its latest ACTIVE
 * revision), or, without one, a restart: new tasks of the revision the service runs now.
 */
export interface EcsDeployment {
  target: 'ecs';
  service: string;
  ecs: EcsNames;
  /** Absent for a restart: the service keeps its task definition (a pin, a circuit-breaker rollback). */
  taskDefinition?: string;
  trigger: Trigger;
  /** Set when an approver approved it (`APPROVERS`): it is carried out as pinned, and says who approved it. */
  approval?: Approval;
}

/** What a Lambda deployment changes before it publishes (or, for `version` and `rollback`, instead of publishing). */
export type LambdaChange =
  /** `UpdateFunctionCode` with the image the function is configured with, so the pushed tag is resolved again. */
  | { kind: 'image'; imageUri: string; pushedDigest: string | undefined }
  /** `UpdateFunctionCode` from an S3 zip. */
  | { kind: 'zip'; bucket: string; key: string; versionId: string | undefined }
  /** `UpdateFunctionConfiguration` setting `DEPLOYBRIDGE_CONFIG_REVISION`, which starts fresh execution environments. */
  | { kind: 'config_revision'; revision: string }
  /** No change: publish what `$LATEST` already holds and move the alias to it. */
  | { kind: 'release' }
  /** No change: move the alias to a version that is already published. */
  | { kind: 'version'; version: string }
  /** No change: move the alias back to the version recorded in its description. */
  | { kind: 'rollback' };

/** A Slack user, as a click names them. */
export interface Person {
  id: string;
  name: string | undefined;
}

/**
 * The decision a deployment carries out (src/approvals/): whose, when, and the request's Slack
 * message, which becomes the deployment's message.
 */
export interface Approval {
  /** The approval request's id (its record in the deployments table). */
  id: string;
  by: Person;
  /** ISO 8601. */
  at: string;
  message: MessageRef | undefined;
}

/** Deploy one Lambda function: change it (or not), publish, smoke-test, move the alias. */
export interface LambdaDeployment {
  target: 'lambda';
  service: string;
  lambda: LambdaFunction;
  change: LambdaChange;
  trigger: Trigger;
  /** Set when an approver approved it (`APPROVERS`): it is carried out as pinned, and says who approved it. */
  approval?: Approval;
}

export type DeploymentRequest = EcsDeployment | LambdaDeployment;
export type TargetKind = DeploymentRequest['target'];

/** A service this event concerns that is deliberately not deployed. */
export interface Skip {
  service: string;
  reason: string;
  fields?: Record<string, unknown>;
}

/** Why the scan gate refuses an image. */
export type ScanRefusal =
  /** Nothing scans the image, so nothing would ever vouch for it. */
  | { kind: 'not_configured' }
  /** The scan ended without findings to judge (`FAILED`, `UNSUPPORTED_IMAGE`, …) or cannot complete in an ECR event. */
  | { kind: 'unusable'; status: string; description: string | undefined }
  /** Findings at or above the gate: their counts, by severity. */
  | { kind: 'findings'; blocking: Partial<Record<string, number>>; findings: ScanFinding[] };

/** The ECS events that are reported. */
export type EcsEventName =
  | 'SERVICE_DEPLOYMENT_IN_PROGRESS'
  | 'SERVICE_DEPLOYMENT_COMPLETED'
  | 'SERVICE_DEPLOYMENT_FAILED'
  | 'SERVICE_TASK_START_IMPAIRED';

/** Something an event is reported for besides deployments. Its wording is the presenter's. */
export type Notice =
  /** A parameter of a service was deleted: nothing is redeployed. */
  | { kind: 'parameter_deleted'; service: CatalogService; parameter: string }
  /** An env file was deleted: the services that read it are not redeployed. */
  | { kind: 'env_file_deleted'; location: string; services: CatalogService[] }
  /** An env file ECS would reject or mangle: the services that read it are not redeployed. */
  | {
      kind: 'env_file_invalid';
      location: string;
      versionId: string | undefined;
      actor: string | undefined;
      services: CatalogService[];
      problems: readonly EnvFileProblem[];
    }
  /** The scan gate waits for the pushed image's scan; its completion event deploys it. */
  | { kind: 'image_scan_pending'; service: CatalogService; image: ImageSummary; tag: string; gate: ScanGateLevel }
  /** The scan gate refuses the image: nothing is deployed. */
  | { kind: 'image_refused'; service: CatalogService; image: ImageSummary; tag: string; gate: ScanGateLevel; refusal: ScanRefusal }
  /** A Lambda artifact was deleted: its functions keep their code. */
  | { kind: 'artifact_deleted'; location: string; services: LambdaService[] }
  /**
   * ECS reports a deployment's state or a service action, for a deployment deploybridge has no
   * record of (started by someone else, or no DEPLOYMENTS_TABLE).
   */
  | {
      kind: 'ecs_event';
      event: EcsEventName;
      service: string;
      ecsService: string;
      cluster: string;
      region: string;
      deploymentId: string | undefined;
      reason: string | undefined;
      /** The deployment is a circuit-breaker rollback (`to`: the deployment it rolls back to), starting or, when recorded, completed. */
      rollback?: { phase: 'started' | 'completed'; to: string | undefined };
      /** Why tasks failed, on a failure or impaired task start (best effort). */
      evidence?: FailureEvidence;
    }
  /** A deployment deploybridge started moved on: `deployment` is its record after the step. */
  | { kind: 'deployment_step'; deployment: FollowedEcsDeployment; step: DeploymentStep; evidence?: FailureEvidence };

export interface Plan {
  route: RouteName;
  eventId: string;
  deployments: DeploymentRequest[];
  skipped: Skip[];
  notices: Notice[];
  /** Set when the event is not for us (another project, an event type we do not act on). */
  ignored?: { reason: string; level: 'debug' | 'info' };
}

/**
 * The trigger whose change a deployment deploys: the trigger itself, or a merged one's `deployed`
 * (what its metrics are dimensioned by).
 *
 * @example
 * deployedTrigger({ kind: 'merged', deployed: push, triggers: [parameterChange, push], eventIds: ['e1', 'e2'] }); // push
 */
export function deployedTrigger(trigger: Trigger): EventTrigger {
  return trigger.kind === 'merged' ? trigger.deployed : trigger;
}

export function emptyPlan(route: RouteName, eventId: string): Plan {
  return { route, eventId, deployments: [], skipped: [], notices: [] };
}

export function ignoredPlan(route: RouteName, eventId: string, reason: string, level: 'debug' | 'info' = 'info'): Plan {
  return { ...emptyPlan(route, eventId), ignored: { reason, level } };
}

/* ---- what a deployment came to ----------------------------------------------------------- */

/** What an ECS deployment will deploy, known before any change. */
export interface EcsPreview {
  target: 'ecs';
  /** Absent for a restart, which keeps the revision the service runs. */
  taskDefinition: string | undefined;
}

/** What a Lambda deployment starts from and goes to, known from its reads. */
export interface LambdaPreview {
  target: 'lambda';
  functionName: string;
  alias: string | undefined;
  /** The version the alias points to now (`$LATEST` without an alias). */
  fromVersion: string;
  /** The version it will point to; {@link NEW_VERSION} when it is yet to be published. */
  toVersion: string;
}

/** Shown instead of the number of a version that is yet to be published. */
export const NEW_VERSION = '(new version)';

export type DeploymentPreview = EcsPreview | LambdaPreview;

/** An ECS rollout that started: its completion is reported later, from ECS's own events. */
export interface EcsRollout {
  target: 'ecs';
  /** The task definition ECS resolved (the ARN of a revision). */
  taskDefinition: string;
  /** The new PRIMARY deployment. */
  deploymentId: string | undefined;
  /** The revision the service ran before (the ACTIVE deployment with the most running tasks), when ECS says. */
  previousTaskDefinition: string | undefined;
  /** Deployments that were still rolling out when this one replaced them (ECS: ACTIVE, rollout not completed). */
  supersedes: string[];
}

/** What a deployment's smoke test came to. */
export type SmokeTestOutcome = 'passed' | 'not_configured' | 'skipped';

/** A Lambda deployment that finished. */
export interface LambdaRelease {
  target: 'lambda';
  functionName: string;
  alias: string | undefined;
  /** The version the alias pointed to before (or `$LATEST` without an alias). */
  fromVersion: string;
  /** The version the alias points to now (or `$LATEST`). */
  toVersion: string;
  smokeTest: SmokeTestOutcome;
  /** Why nothing moved, or that the alias moved back. */
  note?: 'already_published' | 'already_on_version' | 'rolled_back';
  /** For an image update: the image Lambda resolved, and the digests when the tag moved on since the push. */
  image?: { configured: string; resolved: string; movedOn?: { resolvedDigest: string; pushedDigest: string } };
}

/** Where a failed Lambda deployment got to, so people know what traffic sees now. */
export interface LambdaProgress {
  target: 'lambda';
  fromVersion: string | undefined;
  /** A version published for this deployment (or the one a promote or rollback was moving to). */
  toVersion: string | undefined;
  /** `$LATEST` already holds the change (it cannot be taken back without an alias). */
  latestChanged: boolean;
}

/** What one attempt at a deployment came to. */
export type TargetOutcome =
  /** The change is made and runs on (ECS: a rollout that completes later). */
  | { status: 'started'; result: EcsRollout }
  /** The deployment finished inside the invocation (Lambda). */
  | { status: 'succeeded'; result: LambdaRelease }
  /** It failed; `cause` is the error, `progress` says where it got to when the target knows. */
  | { status: 'failed'; cause: unknown; retryable: boolean; progress?: LambdaProgress };

/* ---- following a deployment to its outcome ----------------------------------------------- */

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

/** What happened to a followed deployment. */
export type DeploymentStep =
  | { kind: 'rolling_out' }
  | { kind: 'completed'; durationMs: number }
  | { kind: 'failed'; reason: string | undefined }
  | { kind: 'start_impaired' }
  | { kind: 'rolling_back' }
  | { kind: 'rolled_back'; durationMs: number }
  | { kind: 'rollback_failed'; reason: string | undefined }
  | { kind: 'superseded' };

/** A task of the service that stopped, as ECS describes it. */
export interface StoppedTask {
  taskArn: string;
  /** A service's tasks are started by their deployment: `ecs-svc/…`. */
  startedBy: string | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  stoppedAt: string | undefined;
  containers: Array<{ name: string; reason: string | undefined; exitCode: number | undefined }>;
}

/** What ECS can tell about why tasks failed: recently stopped tasks and the service's latest events. */
export interface FailureEvidence {
  /** Most relevant first: tasks of the deployment, then the latest. */
  stoppedTasks: StoppedTask[];
  /** Newest first. */
  serviceEvents: Array<{ createdAt: string | undefined; message: string }>;
  /** Reads that failed or ran out of time (best effort: the notification goes out anyway). */
  unavailable: string[];
}
