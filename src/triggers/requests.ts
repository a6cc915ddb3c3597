/**
 * What a deployment asks of its target, by kind: redeploy or restart an ECS service, or change,
 * publish and release a Lambda function; and what makes two requests one deployment when a batch
 * merges them. Adding a kind of target: its request here, beside the others.
 */
import type { LambdaFunction } from '../config/catalog.js';
import type { EcsNames } from '../config/naming.js';
import { eventTriggers, type Trigger } from './trigger.js';

/** A Slack user, as a click names them. */
export interface Person {
  id: string;
  name: string | undefined;
}

/**
 * The decision a deployment carries out (src/approvals/): whose, when, and the request's Slack
 * message (channel and ts, as src/following/journal.ts's MessageRef), which becomes the
 * deployment's message.
 */
export interface Approval {
  /** The approval request's id (its record in the deployments table). */
  id: string;
  by: Person;
  /** ISO 8601. */
  at: string;
  message: { channel: string; ts: string } | undefined;
}

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

/**
 * The resource a deployment changes: requests with the same key are one deployment when a batch
 * merges them.
 *
 * @example
 * deploymentKey(restartOfApi); // 'ecs:myproject_cluster_dev/myproject_service_api_dev'
 */
export function deploymentKey(request: DeploymentRequest): string {
  return request.target === 'ecs'
    ? `ecs:${request.ecs.cluster}/${request.ecs.service}`
    : `lambda:${request.lambda.functionName}:${request.lambda.alias ?? ''}`;
}

/**
 * Which of the requests for one resource a merged deployment carries out (the highest; among
 * equals, the latest): an image (ECS: the revision the ECR path read; Lambda: the image update),
 * then a Lambda zip, then a restart, which any of the others brings about anyway.
 *
 * @example
 * changeRank(pushOfApi) > changeRank(restartOfApi); // true
 */
export function changeRank(request: DeploymentRequest): number {
  if (request.target === 'ecs') return request.trigger.kind === 'ecr' ? 2 : 1;
  return request.change.kind === 'image' ? 3 : request.change.kind === 'zip' ? 2 : 1;
}

/**
 * What an ECS deployment puts in place besides new tasks: the task definition it names and the
 * image digests it was asked to run. Another deployment stands in for it only if that one carries
 * as much (see {@link carriesAll}).
 */
export interface Carried {
  revision: string | undefined;
  /** Sorted. */
  digests: string[];
  /**
   * False when no other deployment may stand in for it: people asked for this one (a manual
   * deploy), or what it carries cannot be told (a push without a digest).
   */
  replaceable: boolean;
}

/**
 * What an ECS deployment carries (a merged one: every push it answers, each of which it runs or
 * supersedes by a later push of the same tag).
 *
 * @example
 * carried(restartOfApi); // { revision: undefined, digests: [], replaceable: true }
 * carried(pushOfApi); // { revision: 'arn:…:task-definition/myproject_service_api_dev:42', digests: ['sha256:3f9c…'], replaceable: true }
 */
export function carried(request: EcsDeployment): Carried {
  const digests = new Set<string>();
  let replaceable = true;
  for (const trigger of eventTriggers(request.trigger)) {
    if (trigger.kind === 'manual') {
      replaceable = false;
      for (const image of trigger.images ?? []) digests.add(image.digest);
    } else if (trigger.kind === 'ecr') {
      if (trigger.digest === undefined) replaceable = false;
      else digests.add(trigger.digest);
    }
  }
  return { revision: request.taskDefinition, digests: [...digests].sort(), replaceable };
}

/**
 * Whether a deployment carrying `by` puts in place everything `what` carries: the same revision (or
 * `what` names none) and every digest of `what`. Never for what no other deployment may stand in for.
 *
 * @example
 * carriesAll(carried(pushOfApi), carried(restartOfApi)); // true: the push's deployment also restarts
 * carriesAll(carried(restartOfApi), carried(pushOfApi)); // false: the restart does not carry the pushed digest
 */
export function carriesAll(by: Carried, what: Carried): boolean {
  return (
    what.replaceable && (what.revision === undefined || what.revision === by.revision) && what.digests.every((d) => by.digests.includes(d))
  );
}
