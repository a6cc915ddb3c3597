/**
 * Messages about what an event caused besides a deployment: a deleted parameter, env file or Lambda
 * artifact, an invalid env file, an image waiting for its scan or refused by the scan gate; and a
 * refused manual request, a planning failure, deployments an invocation had no time to start. Each
 * with its typed event.
 */
import { resourceName, type CatalogService } from '../config/catalog.js';
import type { Notice } from '../triggers/plan.js';
import { describeEnvFileProblems } from './envFiles.js';
import { deploymentOfGatedImage } from './events.js';
import { describeFinding, describeImage, describeScanRefusal, formatFindingCounts } from './images.js';
import type { Facts, Notification } from './notification.js';
import { truncate } from '../shared/text.js';
import { describeS3Actor, unverified } from './triggerLines.js';

/** Why a deleted parameter is not redeployed, and what that means, for a service of either kind. */
export function deletedParameterConsequence(service: CatalogService): { why: string; action: string } {
  return service.kind === 'lambda'
    ? {
        why: 'new execution environments could not read it',
        action: 'not redeployed: new execution environments that read this parameter would fail',
      }
    : {
        why: 'new tasks could not start without it',
        action: 'not redeployed: new tasks that reference this parameter would fail to start',
      };
}

/** A notice as a message. */
export function noticeMessage(notice: Notice): Notification {
  switch (notice.kind) {
    case 'parameter_deleted':
      return {
        severity: 'warning',
        title: `Parameter deleted: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Parameter', notice.parameter],
          ['Action', deletedParameterConsequence(notice.service).action],
        ],
        event: { type: 'warning.parameter_deleted' },
      };
    // New tasks would fail to start on the file as it is: an error to act on, not a warning.
    case 'env_file_deleted':
      return {
        severity: 'error',
        title: `Env file deleted: ${notice.location}`,
        facts: [
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Action', 'not redeployed: new tasks of these services would fail to start until the file is restored'],
        ],
        event: { type: 'warning.env_file_deleted' },
      };
    case 'env_file_invalid':
      return {
        severity: 'error',
        title: `Env file invalid: ${notice.location}`,
        facts: [
          ...(notice.versionId === undefined ? [] : [['Version', notice.versionId] as [string, string]]),
          ['Changed by', describeS3Actor(notice.actor)],
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Problems', describeEnvFileProblems(notice.problems).join('\n')],
          [
            'Action',
            'not redeployed: ECS would not read the file as written; running tasks keep the variables they started with. Fix the file and upload it again',
          ],
        ],
        event: { type: 'warning.env_file_invalid' },
      };
    case 'image_scan_pending':
      return {
        severity: 'info',
        icon: ':hourglass_flowing_sand:',
        title: `Waiting for the image scan: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Image', `${notice.image.repository}: ${describeImage(notice.image, notice.tag)}`],
          [
            'Status',
            `scan ${notice.image.scan?.status ?? 'pending'}: deploys when ECR reports it complete with no finding at or above ${notice.gate} (ECR_SCAN_GATE)`,
          ],
        ],
        event: { type: 'deployment.requested', deployment: deploymentOfGatedImage(notice.service, notice.image, notice.tag, []) },
      };
    case 'image_refused': {
      const { refusal } = notice;
      const findings: Facts =
        refusal.kind === 'findings' && refusal.findings.length > 0
          ? [['Top findings', refusal.findings.map(describeFinding).join('\n')]]
          : [];
      const reason = describeScanRefusal(refusal, notice.gate);
      return {
        severity: 'error',
        title: `Image refused by the scan gate: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Image', `${notice.image.repository}: ${describeImage(notice.image, notice.tag)}`],
          ['Reason', reason],
          ...(notice.image.scan === undefined ? [] : [['Findings', formatFindingCounts(notice.image.scan.counts)] as [string, string]]),
          ...findings,
          [
            'Action',
            'not deployed: the service keeps running what it runs. Push a fixed image, or deploy manually (manual deploys are not gated)',
          ],
        ],
        event: { type: 'request.refused', deployment: deploymentOfGatedImage(notice.service, notice.image, notice.tag, [reason]) },
      };
    }
    case 'artifact_deleted':
      return {
        severity: 'warning',
        title: `Lambda artifact deleted: ${notice.location}`,
        facts: [
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Action', 'nothing deployed: the functions keep running their current code; restore the object before their next deploy'],
        ],
        event: { type: 'warning.artifact_deleted' },
      };
  }
}

/** A field of a refused request as it came (it may be missing or of the wrong type: that can be why it was refused). */
function requestField(detail: unknown, key: string): string | undefined {
  const value = typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>)[key] : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : truncate(JSON.stringify(value) ?? typeof value, 80);
}

/**
 * A manual request that was refused: who asked for what, from where and why (like a deployment's
 * message), beside why it was refused, so on-call can tell whom to ask.
 */
export function refusalMessage(reason: string, request: { id: string; source: string; detail: unknown }): Notification {
  const given = (key: string) => requestField(request.detail, key);
  const requestedBy = given('requested_by');
  return {
    severity: 'error',
    title: 'Manual deploy refused',
    facts: [
      ['Service', given('service') ?? NOT_GIVEN],
      ['Requested by', requestedBy === undefined ? NOT_GIVEN : unverified(requestedBy)],
      ['Source', request.source],
      ['Request reason', given('reason') ?? NOT_GIVEN],
      ['Refused because', reason],
      ['Event ID', request.id],
    ],
    event: { type: 'request.refused' },
  };
}

/** A field a refused request left out. */
const NOT_GIVEN = '(not given)';

/** A permanent AWS error while planning (e.g. the task definition family does not exist). */
export function planningFailedMessage(reason: string, eventId: string): Notification {
  return {
    severity: 'error',
    title: 'Deployment failed before it started',
    facts: [
      ['Reason', reason],
      ['Event ID', eventId],
    ],
    event: { type: 'deployment.failed' },
  };
}

/** Deployments an invocation had no time left to start: they are retried with the events that asked for them. */
export function notStartedMessage(services: readonly string[], planned: number, eventIds: readonly string[]): Notification {
  return {
    severity: 'error',
    title: `Deployments not started: ${services.length} of ${planned}`,
    facts: [
      ['Not started', services.join(', ')],
      ['Why', 'the invocation ran out of time (Lambda timeout); the invocation fails so Lambda retries the event'],
      [eventIds.length === 1 ? 'Event ID' : 'Event IDs', eventIds.join(', ')],
    ],
    event: { type: 'warning.deployments_not_started' },
  };
}
