/**
 * What an approval pins: the deployment as it will be carried out once approved, decided when the
 * request is made, so that what an approver approves is what is deployed. A task definition given
 * by family becomes the revision it resolves to now (a revision registered later is not deployed);
 * a Lambda image pushed by tag is deployed by the digest that push carried; a Lambda artifact by
 * the S3 object version of its event. What cannot be pinned is said: a restart starts new tasks of
 * the revision the service runs when approved, which read their parameters and env files then.
 */
import type { Pinned } from '../following/journal.js';
import { deployedTrigger, type DeploymentRequest } from '../triggers/plan.js';

/** The revision (ARN) a family resolves to now: its latest ACTIVE one (`DescribeTaskDefinition`). */
export type LatestRevision = (family: string) => Promise<string>;

/** A task definition named by its revision: an ARN, or `family:revision`. */
const isRevision = (taskDefinition: string) => taskDefinition.startsWith('arn:') || /:\d+$/.test(taskDefinition);

/** `repository@sha256:…` for `repository:tag` (or a URI already by digest). */
function byDigest(imageUri: string, digest: string): string {
  const at = imageUri.indexOf('@');
  if (at >= 0) return `${imageUri.slice(0, at)}@${digest}`;
  const slash = imageUri.lastIndexOf('/');
  const colon = imageUri.lastIndexOf(':');
  return `${colon > slash ? imageUri.slice(0, colon) : imageUri}@${digest}`;
}

/**
 * The request to carry out when approved, and what it pins, as people read it.
 *
 * @example
 * await pinRequest(manualDeploy, async (family) => `arn:aws:ecs:…:task-definition/${family}:43`);
 * // { request: { …, taskDefinition: 'arn:aws:ecs:…:task-definition/myproject_service_api_dev:43' }, pinned: { taskDefinition: '…:43' } }
 */
export async function pinRequest(
  request: DeploymentRequest,
  latestRevision: LatestRevision,
): Promise<{ request: DeploymentRequest; pinned: Pinned }> {
  const trigger = deployedTrigger(request.trigger);
  const pushed = trigger.kind === 'ecr' ? trigger.digest : undefined;
  if (request.target === 'ecs') {
    const { taskDefinition } = request;
    if (taskDefinition === undefined) return { request, pinned: {} };
    const revision = isRevision(taskDefinition) ? taskDefinition : await latestRevision(taskDefinition);
    return {
      request: { ...request, taskDefinition: revision },
      pinned: { taskDefinition: revision, ...(pushed === undefined ? {} : { imageDigest: pushed }) },
    };
  }
  const { change } = request;
  if (change.kind === 'image' && change.pushedDigest !== undefined) {
    return {
      request: { ...request, change: { ...change, imageUri: byDigest(change.imageUri, change.pushedDigest) } },
      pinned: { imageDigest: change.pushedDigest },
    };
  }
  if (change.kind === 'zip' && change.versionId !== undefined) return { request, pinned: { artifactVersion: change.versionId } };
  return { request, pinned: {} };
}
