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

/** Deploy one Lambda function: change it (or not), publish, smoke-test, move the alias. */
export interface LambdaDeployment {
  target: 'lambda';
  service: string;
  lambda: LambdaFunction;
  change: LambdaChange;
  trigger: Trigger;
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
  | { kind: 'artifact_deleted'; location: string; services: LambdaService[] };

/** One ECS event about a service of this project, as the ECS route recognised it: what the follower applies. */
export interface EcsEventFacts {
  eventId: string;
  name: EcsEventName;
  deploymentId: string | undefined;
  reason: string | undefined;
  /** The event's time (ISO 8601). */
  time: string;
  /** The service's name in the catalog, and its ECS service and cluster. */
  service: string;
  ecsService: string;
  cluster: string;
  region: string;
}

export interface Plan {
  route: RouteName;
  eventId: string;
  deployments: DeploymentRequest[];
  skipped: Skip[];
  notices: Notice[];
  /** An ECS event to follow (the ECS route): applied to the deployments table and reported after planning. */
  ecsEvent?: EcsEventFacts;
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
