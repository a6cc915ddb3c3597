/**
 * The words of approvals: the request posted in Slack (the plan as a dry run shows it, what is
 * pinned, the triggers and who made them, the expiry, the approvers, Approve and Reject), the
 * states it is decided into, what a dry run says instead of asking, and what someone who may not
 * decide is told. Once approved, the request's message is the deployment's: its states say who
 * approved it (src/present/deployments.ts).
 */
import { shortTaskDefinition } from '../config/naming.js';
import type { ApprovalRequest, ApprovalStatus, Pinned } from '../following/journal.js';
import type { DeploymentPreview } from '../targets/contract.js';
import type { DeploymentRequest } from '../triggers/requests.js';
import { deploymentMessage } from './deployments.js';
import { formatTime, shortDigest } from './format.js';
import type { DeploymentIdentity } from './identity.js';
import { deploymentOfRequest } from './events.js';
import type { ActionButton, Facts, Mention, Notification, NotificationEvent } from './notification.js';

/** Told, on their own, to someone not in `APPROVERS` who clicked Approve or Reject. */
export const NOT_AN_APPROVER_REPLY = 'Only approvers may approve or reject deployments: nothing was changed.';

/**
 * Told, on their own, to someone whose click changed nothing: the request had been decided or had
 * ended (`undefined`: it is not known, as after its record expired).
 */
export function unchangedReply(approval: ApprovalRequest | undefined): string {
  const nothing = 'Nothing was changed:';
  if (approval === undefined) return `${nothing} this request is no longer known (requests are kept 14 days).`;
  const by =
    approval.decision === undefined
      ? ''
      : ` by ${approval.decision.by.name ?? approval.decision.by.id} at ${formatTime(approval.decision.at)}`;
  switch (approval.status) {
    case 'pending':
      return `${nothing} this request is still waiting for approval.`;
    case 'approved':
    case 'started':
      return `${nothing} this request was already approved${by}.`;
    case 'rejected':
      return `${nothing} this request was already rejected${by}.`;
    case 'expired':
      return `${nothing} this request expired at ${formatTime(approval.expiresAt)}.`;
    case 'superseded':
      return `${nothing} a later request for ${approval.service} replaced this one.`;
  }
}

/** The `action_id`s of the two buttons (src/approvals/buttons.ts recognises them). */
export interface ApprovalActionIds {
  approve: string;
  reject: string;
}

/** "in 24 h", "in 90 min": how long until `expiresAt`. */
function within(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** Why nothing is pinned: what is read only when the approved deployment runs. */
function unpinned(request: DeploymentRequest): string {
  if (request.target === 'ecs')
    return 'nothing: a restart starts new tasks of the revision the service runs when approved, which read their parameters and env files then';
  switch (request.change.kind) {
    case 'version':
      return `version ${request.change.version}`;
    case 'release':
      return 'nothing: $LATEST is published as it is when approved';
    case 'rollback':
      return 'nothing: the alias moves back to the version its description names when approved';
    case 'config_revision':
      return 'nothing: new execution environments read the configuration when approved';
    case 'zip':
      return 'nothing: the bucket keeps no versions, the artifact is read when approved';
    case 'image':
      return 'nothing: the image tag is resolved when approved';
  }
}

/** What is pinned, as one line: "revision myproject_service_api_dev:43; image sha256:3f9c1e2…", or why nothing is. */
function pinnedLine(pinned: Pinned, request: DeploymentRequest): string {
  const parts = [
    pinned.taskDefinition === undefined ? undefined : `revision ${shortTaskDefinition(pinned.taskDefinition)}`,
    pinned.imageDigest === undefined ? undefined : `image ${shortDigest(pinned.imageDigest)}`,
    pinned.artifactVersion === undefined ? undefined : `artifact version ${pinned.artifactVersion}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? unpinned(request) : parts.join('; ');
}

/** The plan as a dry run shows it: for Lambda, the versions and the calls that would be made. */
function planFacts(preview: DeploymentPreview, calls: readonly string[]): Facts {
  return preview.target === 'lambda'
    ? [
        ['Versions', `${preview.fromVersion} → ${preview.toVersion}`],
        ['Planned calls', calls.join('\n') || '(none)'],
      ]
    : [];
}

const approversMention = (approvers: readonly string[]): Mention => ({
  label: 'Approvers',
  people: approvers.map((id) => ({ id, name: undefined })),
});

/** The two buttons: Approve asks for confirmation, naming what it deploys. */
function decisionButtons(approval: ApprovalRequest, identity: DeploymentIdentity, actions: ApprovalActionIds): ActionButton[] {
  const what = pinnedLine(approval.pinned, approval.request);
  return [
    {
      text: 'Approve',
      actionId: actions.approve,
      value: approval.id,
      style: 'primary',
      confirm: {
        title: `Deploy ${approval.service}?`,
        text: `${identity.resource} will be deployed now, exactly as shown (pinned: ${what}).`,
        confirm: 'Approve and deploy',
        deny: 'Cancel',
      },
    },
    { text: 'Reject', actionId: actions.reject, value: approval.id, style: 'danger' },
  ];
}

/** The facts every state of a request shows: what it deploys and what is pinned. */
function requestFacts(approval: ApprovalRequest, identity: DeploymentIdentity, status: string): Facts {
  return [
    ['Status', status],
    ...identity.facts,
    ...planFacts(approval.preview, approval.calls),
    ['Pinned', pinnedLine(approval.pinned, approval.request)],
    ...joinedFacts(approval),
  ];
}

/** "+3 changes joined": later changes the approved deployment deploys too, since it starts after them. */
function joinedFacts(approval: ApprovalRequest): Facts {
  const joined = approval.joined?.length ?? 0;
  if (joined === 0) return [];
  const changes = `+${joined} ${joined === 1 ? 'change' : 'changes'} joined`;
  return [['Joined', `${changes} (made while this request waited: the deployment approved starts after them, so it deploys them too)`]];
}

/**
 * What a request's message reports, for the channels besides Slack: the deployment it asks for (a
 * request, or its refusal when rejected or expired).
 */
function requestEvent(
  type: 'deployment.requested' | 'deployment.superseded' | 'request.refused',
  approval: ApprovalRequest,
  identity: DeploymentIdentity,
): NotificationEvent {
  return {
    type,
    deployment: deploymentOfRequest(approval.request, identity, { eventId: approval.eventId, startedAt: approval.requestedAt }),
  };
}

/** Messages of an approval request. */
export const approvalMessages = {
  /** The request: waiting for one of `approvers`, with Approve and Reject. */
  requested(
    approval: ApprovalRequest,
    identity: DeploymentIdentity,
    approvers: readonly string[],
    actions: ApprovalActionIds,
  ): Notification {
    return {
      ...deploymentMessage(
        approval.request,
        identity,
        'warning',
        'Approval needed',
        [
          ...requestFacts(approval, identity, 'waiting for approval: nothing is deployed until an approver approves'),
          ['Requested', formatTime(approval.requestedAt)],
          ['Expires', `${formatTime(approval.expiresAt)} (in ${within(approval.requestedAt, approval.expiresAt)})`],
        ],
        requestEvent('deployment.requested', approval, identity),
      ),
      mentions: [approversMention(approvers)],
      buttons: decisionButtons(approval, identity, actions),
    };
  },

  /** The request once decided or ended: no button is left, and it says by whom, or why. */
  ended(approval: ApprovalRequest & { status: Exclude<ApprovalStatus, 'pending'> }, identity: DeploymentIdentity): Notification {
    const decided = approval.decision;
    const byMention = (label: string): Mention[] =>
      decided === undefined ? [] : [{ label, people: [decided.by], note: `at ${formatTime(decided.at)}` }];
    switch (approval.status) {
      case 'approved':
      case 'started':
        return {
          ...deploymentMessage(
            approval.request,
            identity,
            'info',
            'Approved',
            requestFacts(approval, identity, 'approved: deploying'),
            requestEvent('deployment.requested', approval, identity),
          ),
          mentions: byMention('Approved by'),
        };
      case 'rejected':
        return {
          ...deploymentMessage(
            approval.request,
            identity,
            'error',
            'Rejected',
            requestFacts(approval, identity, 'rejected: nothing deployed'),
            requestEvent('request.refused', approval, identity),
          ),
          mentions: byMention('Rejected by'),
        };
      case 'expired':
        return deploymentMessage(
          approval.request,
          identity,
          'warning',
          'Approval expired',
          requestFacts(approval, identity, `expired at ${formatTime(approval.expiresAt)} without a decision: nothing deployed`),
          requestEvent('request.refused', approval, identity),
        );
      case 'superseded':
        return deploymentMessage(
          approval.request,
          identity,
          'info',
          'Approval superseded',
          requestFacts(approval, identity, 'superseded by a later request for the same service (below): nothing deployed from this one'),
          requestEvent('deployment.superseded', approval, identity),
        );
    }
  },

  /** Dry run: the request that would be posted, without buttons (nothing is asked). */
  wouldAsk(
    request: DeploymentRequest,
    identity: DeploymentIdentity,
    preview: DeploymentPreview,
    calls: readonly string[],
    pinned: Pinned,
    approvers: readonly string[],
    expiryMinutes: number,
    eventId: string,
  ): Notification {
    return {
      ...deploymentMessage(
        request,
        identity,
        'warning',
        'Would ask for approval',
        [
          ['Status', 'dry run: approval not asked, nothing deployed'],
          ...identity.facts,
          ...planFacts(preview, calls),
          ['Pinned', pinnedLine(pinned, request)],
          ['Expires', `${expiryMinutes % 60 === 0 ? `${expiryMinutes / 60} h` : `${expiryMinutes} min`} after the request`],
        ],
        {
          type: 'deployment.requested',
          deployment: deploymentOfRequest(request, identity, { eventId, startedAt: new Date().toISOString() }),
        },
      ),
      mentions: [approversMention(approvers)],
      dryRun: true,
    };
  },
};
