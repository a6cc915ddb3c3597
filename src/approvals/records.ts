/**
 * Approval requests in the deployments table: one record per request, holding everything needed to
 * carry the deployment out later exactly as it was shown (the pinned request), and a pointer per
 * deployment target to its latest request, so a later request supersedes an earlier one. Every
 * change is a conditional write of the version read (src/following/records.ts, `change`): two
 * concurrent clicks, or a redelivered one, decide once.
 *
 * A request moves pending → approved → started, or pending → rejected, expired or superseded; no
 * other move exists.
 */
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { change, type Decision } from '../following/records.js';
import { TransientDeploymentError } from '../shared/errors.js';
import type { ApprovalRequest, DeploymentJournal, JournalEntry, MessageRef } from '../following/journal.js';
import type { Person } from '../triggers/requests.js';

/** The table's keys of approvals. */
export const approvalKeys = {
  request: (id: string) => `approval#${id}`,
  /** The latest request for one deployment target (`ecs:cluster/service`, `lambda:function`). */
  latest: (target: string) => `approval-target#${target}`,
};

const entryOf = (approval: ApprovalRequest): JournalEntry => ({ type: 'approval', approval });
const approvalOf = (entry: JournalEntry | undefined): ApprovalRequest | undefined =>
  entry?.type === 'approval' ? entry.approval : undefined;

/**
 * Reads a request.
 *
 * @example
 * await readApproval(journal, 'a1b2c3d4e5f6a7b8c9d0'); // { id, status: 'pending', … } or undefined
 */
export async function readApproval(journal: DeploymentJournal, id: string): Promise<ApprovalRequest | undefined> {
  return approvalOf((await journal.read(approvalKeys.request(id)))?.entry);
}

/**
 * Records a new request, unless one with its id exists (a redelivered event): resolves with the
 * request as stored and whether this call created it.
 *
 * @example
 * const { approval, created } = await recordApproval(journal, request);
 */
export async function recordApproval(
  journal: DeploymentJournal,
  approval: ApprovalRequest,
): Promise<{ approval: ApprovalRequest; created: boolean }> {
  let existing: ApprovalRequest | undefined;
  const created = await change(journal, approvalKeys.request(approval.id), (current) => {
    existing = approvalOf(current);
    return current === undefined ? { entry: entryOf(approval), result: true } : undefined;
  });
  return created === true ? { approval, created: true } : { approval: existing ?? approval, created: false };
}

/**
 * Changes a request if `decide` says how (undefined: leave it). Resolves with the request after the
 * change, or undefined when there is none or `decide` declined.
 */
async function changeApproval(
  journal: DeploymentJournal,
  id: string,
  decide: (approval: ApprovalRequest) => ApprovalRequest | undefined,
): Promise<ApprovalRequest | undefined> {
  return change(journal, approvalKeys.request(id), (current): Decision<ApprovalRequest> => {
    const before = approvalOf(current);
    const after = before === undefined ? undefined : decide(before);
    return after === undefined ? undefined : { entry: entryOf(after), result: after };
  });
}

/**
 * Makes `id` the latest request for its target, after `replaced` has run for the one it replaces
 * (to supersede it): the pointer moves only once that is done, so a request is never left pending
 * behind a later one, whatever fails or races. Two requests made at once end with the one written
 * last, the other superseded. Asked again for the same request (a retry), it does nothing.
 *
 * @example
 * await replaceLatest(journal, 'ecs:myproject_service_api_dev', 'a1b2…', async (previous) => supersede(previous));
 */
export async function replaceLatest(
  journal: DeploymentJournal,
  target: string,
  id: string,
  replaced: (previous: string) => Promise<void>,
): Promise<void> {
  const key = approvalKeys.latest(target);
  for (let attempt = 1; attempt <= FOLLOW_DEFAULTS.writeAttempts; attempt++) {
    const current = await journal.read(key);
    const previous = current?.entry.type === 'approval-latest' ? current.entry.approvalId : undefined;
    if (previous === id) return;
    if (previous !== undefined) await replaced(previous);
    if (await journal.write(key, { type: 'approval-latest', approvalId: id }, current?.version)) return;
  }
  throw new TransientDeploymentError(`deployments table: ${key} kept changing under ${FOLLOW_DEFAULTS.writeAttempts} attempts to write it`);
}

/** What a decision on a request came to. */
export type DecisionOutcome =
  /** The decision was recorded: the request after it. */
  | { changed: true; approval: ApprovalRequest }
  /** Nothing changed: the request was no longer pending (as it stands now), or is unknown. */
  | { changed: false; approval: ApprovalRequest | undefined };

/**
 * Records an approver's decision: pending → approved or rejected, in one conditional write; a
 * request past its expiry becomes expired instead. A request that is no longer pending is left as
 * it is (two clicks, a redelivered hand-off).
 *
 * @example
 * await decideApproval(journal, id, 'approve', { id: 'U0APPROVER', name: 'alice' }, new Date()); // { changed: true, approval: { status: 'approved', … } }
 */
export async function decideApproval(
  journal: DeploymentJournal,
  id: string,
  verdict: 'approve' | 'reject',
  by: Person,
  now: Date,
): Promise<DecisionOutcome> {
  let seen: ApprovalRequest | undefined;
  const after = await changeApproval(journal, id, (approval) => {
    seen = approval;
    if (approval.status !== 'pending') return undefined;
    if (now.getTime() > Date.parse(approval.expiresAt)) return { ...approval, status: 'expired' };
    return { ...approval, status: verdict === 'approve' ? 'approved' : 'rejected', decision: { by, at: now.toISOString() } };
  });
  return after === undefined ? { changed: false, approval: seen } : { changed: true, approval: after };
}

/**
 * Approved → started, in one conditional write: of the invocations that try, one wins and deploys.
 * Undefined when the request is not (or no longer) approved.
 *
 * @example
 * const started = await startApproved(journal, id); // { status: 'started', … }: this invocation deploys it
 */
export async function startApproved(journal: DeploymentJournal, id: string): Promise<ApprovalRequest | undefined> {
  return changeApproval(journal, id, (approval) => (approval.status === 'approved' ? { ...approval, status: 'started' } : undefined));
}

/**
 * Started → approved again: the deployment could not be carried out in this invocation (a transient
 * failure), so the invocation's retry may start it.
 */
export async function releaseStarted(journal: DeploymentJournal, id: string): Promise<void> {
  await changeApproval(journal, id, (approval) => (approval.status === 'started' ? { ...approval, status: 'approved' } : undefined));
}

/**
 * Pending → superseded by `by`; undefined when the request was no longer pending.
 *
 * @example
 * await supersedeApproval(journal, 'f9e8…', 'a1b2…');
 */
export async function supersedeApproval(journal: DeploymentJournal, id: string, by: string): Promise<ApprovalRequest | undefined> {
  return changeApproval(journal, id, (approval) =>
    approval.status === 'pending' ? { ...approval, status: 'superseded', supersededBy: by } : undefined,
  );
}

/**
 * Pending → expired, when its expiry has passed; undefined otherwise.
 */
export async function expireApproval(journal: DeploymentJournal, id: string, now: Date): Promise<ApprovalRequest | undefined> {
  return changeApproval(journal, id, (approval) =>
    approval.status === 'pending' && now.getTime() > Date.parse(approval.expiresAt) ? { ...approval, status: 'expired' } : undefined,
  );
}

/** Remembers where the request's message is. */
export async function attachApprovalMessage(journal: DeploymentJournal, id: string, message: MessageRef): Promise<void> {
  await changeApproval(journal, id, (approval) => (approval.message?.ts === message.ts ? undefined : { ...approval, message }));
}

/**
 * The latest request for a deployment target, as its pointer names it; undefined when there is none.
 *
 * @example
 * await readLatestApproval(journal, 'ecs:myproject_cluster_dev/myproject_service_api_dev'); // { id, status: 'pending', … }
 */
export async function readLatestApproval(journal: DeploymentJournal, target: string): Promise<ApprovalRequest | undefined> {
  const pointer = (await journal.read(approvalKeys.latest(target)))?.entry;
  return pointer?.type === 'approval-latest' ? readApproval(journal, pointer.approvalId) : undefined;
}

/**
 * Adds later changes' events to a request still pending and not expired at `now`, if `accepts` still
 * says so of it as stored; resolves with the request after the change, or undefined when it is no
 * longer pending (decided, expired, superseded) or declined them.
 *
 * @example
 * await joinApproval(journal, 'a1b2…', ['push-3'], new Date(), (pending) => carriesAll(carried(pending.request), what));
 */
export async function joinApproval(
  journal: DeploymentJournal,
  id: string,
  eventIds: readonly string[],
  now: Date,
  accepts: (pending: ApprovalRequest) => boolean,
): Promise<ApprovalRequest | undefined> {
  return changeApproval(journal, id, (approval) =>
    approval.status === 'pending' && now.getTime() <= Date.parse(approval.expiresAt) && accepts(approval)
      ? { ...approval, joined: [...new Set([...(approval.joined ?? []), ...eventIds])] }
      : undefined,
  );
}
