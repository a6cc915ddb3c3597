/**
 * What an approval pins: the deployment as it will be carried out once approved, decided when the
 * request is made, so that what an approver approves is what is deployed. A task definition given
 * by family becomes the revision it resolves to now (a revision registered later is not deployed);
 * a Lambda artifact is the S3 object version of its event. A Lambda image keeps its tag: updated by
 * digest, the function would run an image pinned by digest, which no later push redeploys (see
 * src/triggers/ecr.ts); the digest the push carried is pinned as what must be deployed, and the
 * target says so when the tag resolves to another one. What cannot be pinned is said: a restart
 * starts new tasks of the revision the service runs when approved, which read their parameters and
 * env files then.
 */
import type { Pinned } from '../following/journal.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import { deployedTrigger } from '../triggers/trigger.js';

/** The revision (ARN) a family resolves to now: its latest ACTIVE one (`DescribeTaskDefinition`). */
export type LatestRevision = (family: string) => Promise<string>;

/** A task definition named by its revision: an ARN, or `family:revision`. */
const isRevision = (taskDefinition: string) => taskDefinition.startsWith('arn:') || /:\d+$/.test(taskDefinition);

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
  if (change.kind === 'image' && change.pushedDigest !== undefined) return { request, pinned: { imageDigest: change.pushedDigest } };
  if (change.kind === 'zip' && change.versionId !== undefined) return { request, pinned: { artifactVersion: change.versionId } };
  return { request, pinned: {} };
}
