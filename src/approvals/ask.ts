/**
 * Asking for approval, in place of starting: with `APPROVERS`, the deployer hands each deployment
 * whose reads are done (what a dry run shows) to this gate, which pins it (./pin.ts), records the
 * request in the deployments table (./records.ts), posts it in Slack with Approve and Reject, and
 * supersedes the pending request of the same target. Asked twice for the same events and target
 * (a redelivered event), it finds its request and asks nothing again. A pending request stands for
 * its target as a deployment's claim does (src/following/claims.ts): the deployment it asks for
 * starts only once approved, after every change made meanwhile, so a later ECS change that carries
 * nothing it does not (a newer image digest, another revision, a manual deploy) joins it instead of
 * asking again. A dry run says what it would ask, and asks nothing.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { ApprovalRequest, DeploymentJournal } from '../following/journal.js';
import { approvalMessages } from '../present/approvals.js';
import type { DeploymentIdentity } from '../present/identity.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import type { Notifier } from '../slack/notifier.js';
import type { DeploymentPreview } from '../targets/contract.js';
import { carried, carriesAll, type DeploymentRequest } from '../triggers/requests.js';
import { APPROVAL_ACTIONS } from './buttons.js';
import { pinRequest, type LatestRevision } from './pin.js';
import { attachApprovalMessage, joinApproval, readLatestApproval, recordApproval, replaceLatest, supersedeApproval } from './records.js';

/** A deployment whose reads are done, as the deployer puts it to approvers. */
export interface AskedDeployment {
  request: DeploymentRequest;
  /** The event whose change it deploys, and when that happened (ISO 8601). */
  eventId: string;
  triggeredAt: string;
  identity: DeploymentIdentity;
  /** Its log fields. */
  fields: LogFields;
  /** Its metrics (its route's). */
  metrics: MetricSink;
  /** What a dry run shows: the preview and the calls that would change AWS. */
  preview: DeploymentPreview;
  calls: readonly string[];
}

/** What asking came to: the request is in Slack (asked now, or already), or it could not be posted (to retry). */
export type AskOutcome = { status: 'asked'; approvalId: string } | { status: 'not posted'; approvalId: string };

/** Puts deployments to approvers instead of starting them. */
export interface ApprovalGate {
  ask(deployment: AskedDeployment): Promise<AskOutcome>;
  /** Dry run: what would be asked, said in the log and Slack; nothing is recorded or asked. */
  wouldAsk(deployment: AskedDeployment): Promise<void>;
}

export interface ApprovalGateParts {
  config: Pick<Config, 'approvers' | 'approvalExpiryMinutes'>;
  journal: DeploymentJournal;
  notifier: Notifier;
  log: Log;
  /** Resolves a family to its latest ACTIVE revision, to pin it. */
  latestRevision: LatestRevision;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** The events a deployment answers (a merged deployment answers each of its own). */
const eventIdsOf = (deployment: AskedDeployment) =>
  deployment.request.trigger.kind === 'merged' ? deployment.request.trigger.eventIds : [deployment.eventId];

/** The target a request is for: a later request for the same one supersedes it. */
const targetOf = (deployment: AskedDeployment) => `${deployment.request.target}:${deployment.identity.resource}`;

/** The id of the request of these events for this target: the same for a redelivered event. */
function approvalId(deployment: AskedDeployment): string {
  const key = `${[...eventIdsOf(deployment)].sort().join(',')}|${targetOf(deployment)}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

/**
 * The gate on the deployments table and Slack.
 *
 * @example
 * const gate = createApprovalGate({ config, journal, notifier, log, latestRevision });
 * await gate.ask({ request, eventId, triggeredAt, identity, fields, metrics, preview, calls }); // { status: 'asked', approvalId: '…' }
 */
export function createApprovalGate(parts: ApprovalGateParts): ApprovalGate {
  const { config, journal, notifier, log } = parts;
  const now = parts.now ?? Date.now;

  /** Posts the request and remembers where; false when Slack did not take it (the notifier counted and logged why). */
  const post = async (approval: ApprovalRequest, deployment: AskedDeployment): Promise<boolean> => {
    const message = await notifier.open(approvalMessages.requested(approval, deployment.identity, config.approvers, APPROVAL_ACTIONS));
    if (message === undefined) return false;
    await attachApprovalMessage(journal, approval.id, message);
    return true;
  };

  /** The pending request `previous` is superseded by `approval`: its message loses its buttons and says so. */
  const supersede = async (previous: string, approval: ApprovalRequest, deployment: AskedDeployment): Promise<void> => {
    const superseded = await supersedeApproval(journal, previous, approval.id);
    if (superseded === undefined) return;
    log.info('approval superseded', {
      ...deployment.fields,
      approval_id: superseded.id,
      decision: 'superseded',
      superseded_by: approval.id,
      requested_at: superseded.requestedAt,
      decided_at: approval.requestedAt,
    });
    const ended = approvalMessages.ended({ ...superseded, status: 'superseded' }, deployment.identity);
    await notifier.follow(superseded.message, { state: ended, standalone: ended, routine: true });
  };

  /**
   * Joins the target's pending request when it carries all `request` (pinned) carries; undefined
   * when there is none to join. Its message then says how many changes joined it.
   */
  const join = async (deployment: AskedDeployment, request: DeploymentRequest, id: string, at: number): Promise<AskOutcome | undefined> => {
    if (request.target !== 'ecs') return undefined;
    const what = carried(request);
    if (!what.replaceable) return undefined;
    const latest = await readLatestApproval(journal, targetOf(deployment));
    // Its own request (a redelivered event) is found as before; one no longer pending is replaced as before.
    if (latest === undefined || latest.id === id || latest.status !== 'pending') return undefined;
    const eventIds = eventIdsOf(deployment);
    const fields = { ...deployment.fields, approval_id: latest.id };
    const joinedBefore = new Set(latest.joined ?? []);
    if (eventIds.every((eventId) => joinedBefore.has(eventId))) {
      log.info('approval already requested for this event', { ...fields, status: latest.status });
      return { status: 'asked', approvalId: latest.id };
    }
    const covers = (pending: ApprovalRequest) => pending.request.target === 'ecs' && carriesAll(carried(pending.request), what);
    const joined = await joinApproval(journal, latest.id, eventIds, new Date(at), covers);
    if (joined === undefined) return undefined;
    log.info('approval joined: later changes wait for the pending request instead of asking again', {
      ...fields,
      joined_events: eventIds.filter((eventId) => !joinedBefore.has(eventId)),
      changes_joined: joined.joined?.length ?? 0,
      requested_at: joined.requestedAt,
    });
    const state = approvalMessages.requested(joined, deployment.identity, config.approvers, APPROVAL_ACTIONS);
    await notifier.follow(joined.message, { state, standalone: state, routine: true });
    return { status: 'asked', approvalId: joined.id };
  };

  return {
    async ask(deployment) {
      const requestedAt = now();
      const { request, pinned } = await pinRequest(deployment.request, parts.latestRevision);
      const joined = await join(deployment, request, approvalId(deployment), requestedAt);
      if (joined !== undefined) return joined;
      const fresh: ApprovalRequest = {
        id: approvalId(deployment),
        status: 'pending',
        service: request.service,
        request,
        pinned,
        preview: deployment.preview,
        calls: [...deployment.calls],
        eventId: deployment.eventId,
        triggeredAt: deployment.triggeredAt,
        requestedAt: new Date(requestedAt).toISOString(),
        expiresAt: new Date(requestedAt + config.approvalExpiryMinutes * 60_000).toISOString(),
      };
      const { approval, created } = await recordApproval(journal, fresh);
      const fields = { ...deployment.fields, approval_id: approval.id };
      if (!created) {
        // Asked before for these events: nothing is asked again; what a failed invocation left undone is done.
        log.info('approval already requested for this event', { ...fields, status: approval.status });
        if (approval.status !== 'pending') return { status: 'asked', approvalId: approval.id };
      } else {
        deployment.metrics.count(MetricName.ApprovalsRequested);
        log.info('approval requested', {
          ...fields,
          decision: 'requested',
          requested_at: approval.requestedAt,
          expires_at: approval.expiresAt,
          approvers: config.approvers,
          pinned,
        });
      }
      if (approval.message === undefined && !(await post(approval, deployment))) {
        log.error('approval request not posted: the invocation fails so that it is posted on its retry', fields);
        return { status: 'not posted', approvalId: approval.id };
      }
      // Also on a redelivery: a retry completes what a failed invocation left (the pointer moves only once the earlier one is superseded).
      await replaceLatest(journal, targetOf(deployment), approval.id, (previous) => supersede(previous, approval, deployment));
      return { status: 'asked', approvalId: approval.id };
    },

    async wouldAsk(deployment) {
      const { request, pinned } = await pinRequest(deployment.request, parts.latestRevision);
      log.info('dry run: approval not asked', { ...deployment.fields, dry_run: true, approvers: config.approvers, pinned });
      notifier.notify(
        approvalMessages.wouldAsk(
          request,
          deployment.identity,
          deployment.preview,
          deployment.calls,
          pinned,
          config.approvers,
          config.approvalExpiryMinutes,
          deployment.eventId,
        ),
      );
    },
  };
}
