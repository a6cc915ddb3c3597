/**
 * What an event asks for: the plan a trigger makes of it (deployments, skips, notices, an ECS event
 * to follow), and the routes an event can take. Types only: what caused a deployment is
 * ./trigger.ts, what a deployment asks of its target ./requests.ts.
 */
import type { CatalogService, LambdaService } from '../config/catalog.js';
import type { ScanGateLevel } from '../config/constants.js';
import type { EnvFileProblem } from './envFile.js';
import type { DeploymentRequest } from './requests.js';
import type { ScanRefusal } from './scanGate.js';
import type { ImageSummary } from './trigger.js';

/** The routes an event can take; also the `trigger` metric dimension. */
export type RouteName = 'ecr' | 'ssm' | 's3' | 'ecs' | 'manual';

/** A service this event concerns that is deliberately not deployed. */
export interface Skip {
  service: string;
  reason: string;
  fields?: Record<string, unknown>;
}

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

/** ECS stopped a task deploybridge started for a release (`startedBy`), as the ECS route recognised it. */
export interface TaskStoppedFacts {
  eventId: string;
  /** The event's time (ISO 8601). */
  time: string;
  taskArn: string;
  cluster: string;
  startedBy: string;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  containers: Array<{ name: string; exitCode: number | undefined; reason: string | undefined }>;
}

/** ECS paused a service deployment of this project at a pause hook (`HOOK_AWAITING_ACTION`), as the ECS route recognised it. */
export interface PauseFacts {
  eventId: string;
  /** The event's time (ISO 8601). */
  time: string;
  /** The service's name in the catalog, and its ECS service and cluster. */
  service: string;
  ecsService: string;
  cluster: string;
  region: string;
  hookId: string;
  stage: string;
  serviceDeploymentArn: string;
  /** ISO 8601: when ECS stops waiting. */
  expiresAt: string | undefined;
}

export interface Plan {
  route: RouteName;
  eventId: string;
  deployments: DeploymentRequest[];
  skipped: Skip[];
  notices: Notice[];
  /** An ECS event to follow (the ECS route): applied to the deployments table and reported after planning. */
  ecsEvent?: EcsEventFacts;
  /** A task of a release stopped (the ECS route): the release moves on, after planning. */
  taskStopped?: TaskStoppedFacts;
  /** A pause hook waits for a decision (the ECS route): posted in Slack, after planning. */
  pause?: PauseFacts;
  /** The periodic check of the releases' timeouts (the ECS route). */
  releaseTimeouts?: { time: string };
  /** Set when the event is not for us (another project, an event type we do not act on). */
  ignored?: { reason: string; level: 'debug' | 'info' };
}
