/**
 * What a verified click on Approve or Reject does, in the asynchronous invocation it was handed off
 * to (src/interactions/carryOut.ts verified it and checked the approver). The decision is one
 * conditional write (./records.ts): of two concurrent clicks, or a redelivered hand-off, one
 * decides. An approved request is then moved to started in another, and the invocation that does
 * it carries the pinned deployment out through the usual path, its message the request's own. A
 * click that changes nothing tells the person who clicked why, on their own.
 */
import type { ApprovalRequest, DeploymentJournal } from '../following/journal.js';
import type { Person } from '../triggers/requests.js';
import { approvalMessages, unchangedReply } from '../present/approvals.js';
import { identify } from '../present/identity.js';
import { describeTrigger } from '../present/triggerLines.js';
import { TransientDeploymentError } from '../shared/errors.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import type { ButtonClick } from '../slack/interactions.js';
import type { Notifier } from '../slack/notifier.js';
import type { ClickActor } from '../interactions/contract.js';
import { APPROVAL_ACTIONS } from './buttons.js';
import { decideApproval, releaseStarted, startApproved } from './records.js';

/** What carrying an approved deployment out came to: over in this invocation, or to be retried (a transient failure). */
export type ApprovedRun = 'done' | 'retry';

export interface DecisionParts {
  config: { region: string };
  journal: DeploymentJournal;
  notifier: Notifier;
  log: Log;
  metrics: MetricSink;
  /** Carries the approved, pinned deployment out through the usual path (idempotency, retries, deadline, following). */
  deploy(approval: ApprovalRequest & { decision: { by: Person; at: string } }): Promise<ApprovedRun>;
  /** Tells only the person who clicked. */
  reply(click: ButtonClick, text: string): Promise<void>;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** The fields of every decision's log line: the request, the service, who decided, the times. */
function decisionFields(approval: ApprovalRequest, by: Person, requestId: string | undefined): LogFields {
  return {
    request_id: requestId,
    approval_id: approval.id,
    service: approval.service,
    event_id: approval.eventId,
    trigger: describeTrigger(approval.request.trigger),
    approver: by.id,
    approver_name: by.name,
    requested_at: approval.requestedAt,
    expires_at: approval.expiresAt,
  };
}

/**
 * The actor of the Approve and Reject buttons.
 *
 * @example
 * const actor = createDecisionActor({ config, journal, notifier, log, metrics, deploy, reply });
 * await actor(click, { requestId }); // the request approved and deployed, or rejected
 */
export function createDecisionActor(parts: DecisionParts): ClickActor {
  const { journal, notifier, log, metrics } = parts;
  const now = parts.now ?? Date.now;

  /** The request's message, replaced by what it came to (no button is left). */
  const update = async (approval: ApprovalRequest & { status: 'approved' | 'rejected' | 'expired' }) => {
    const message = approvalMessages.ended(approval, identify(approval.request, parts.config.region));
    await notifier.follow(approval.message, { state: message, standalone: message });
  };

  /** Approved → started; the invocation that moves it carries it out. A transient failure gives it back for the retry. */
  const start = async (approval: ApprovalRequest, fields: LogFields): Promise<boolean> => {
    const started = await startApproved(journal, approval.id);
    if (started?.decision === undefined) return false;
    const run = await parts.deploy({ ...started, decision: started.decision });
    if (run === 'retry') {
      await releaseStarted(journal, approval.id);
      log.warn('approved deployment not finished: the invocation fails so that Lambda retries it', fields);
      throw new TransientDeploymentError(`approved deployment of ${approval.service} not finished; retried`);
    }
    return true;
  };

  return async (click, { requestId }) => {
    const verdict = click.actionId === APPROVAL_ACTIONS.approve ? 'approve' : 'reject';
    const by: Person = { id: click.user.id, name: click.user.name };
    const outcome = await decideApproval(journal, click.value ?? '', verdict, by, new Date(now()));
    const approval = outcome.approval;
    if (approval === undefined) {
      log.warn('approval click changed nothing: no such request', { request_id: requestId, approval_id: click.value, approver: by.id });
      await parts.reply(click, unchangedReply(undefined));
      return;
    }
    const fields = decisionFields(approval, by, requestId);
    const decided = { decided_at: approval.decision?.at ?? new Date(now()).toISOString() };
    if (outcome.changed) {
      switch (approval.status) {
        case 'approved':
          metrics.count(MetricName.ApprovalsGranted);
          log.info('approval granted', { ...fields, ...decided, decision: 'approved' });
          await update({ ...approval, status: 'approved' });
          await start(approval, fields);
          return;
        case 'rejected':
          metrics.count(MetricName.ApprovalsRejected);
          log.info('approval rejected', { ...fields, ...decided, decision: 'rejected' });
          await update({ ...approval, status: 'rejected' });
          return;
        case 'expired':
          metrics.count(MetricName.ApprovalsExpired);
          log.info('approval expired', { ...fields, ...decided, decision: 'expired', clicked: verdict });
          await update({ ...approval, status: 'expired' });
          await parts.reply(click, unchangedReply(approval));
          return;
      }
    }
    // Approved, not started: the invocation that approved it failed before it could (its retry, or this click, starts it).
    if (approval.status === 'approved' && verdict === 'approve' && (await start(approval, fields))) return;
    log.info('approval click changed nothing', { ...fields, status: approval.status, clicked: verdict });
    await parts.reply(click, unchangedReply(approval));
  };
}
