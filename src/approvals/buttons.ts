/**
 * The two buttons of an approval request, as the interaction mechanism (src/interactions/) knows
 * them: who may press them. Light on purpose: it is read before Slack is answered.
 */
import { ACTION_PREFIX, type ButtonRules } from '../interactions/contract.js';
import { NOT_AN_APPROVER_REPLY } from '../present/approvals.js';

/** The `action_id`s of the Approve and Reject buttons; their `value` is the request's id. */
export const APPROVAL_ACTIONS = { approve: `${ACTION_PREFIX}approve`, reject: `${ACTION_PREFIX}reject` } as const;

/**
 * The rules of the approval buttons: only the configured approvers may press them.
 *
 * @example
 * approvalRules(['U0APPROVER'])('deploybridge.approve')?.allows('U0SOMEONE'); // false
 */
export function approvalRules(approvers: readonly string[]): ButtonRules {
  const rule = { allows: (userId: string) => approvers.includes(userId), refusal: NOT_AN_APPROVER_REPLY };
  return (actionId) => (actionId === APPROVAL_ACTIONS.approve || actionId === APPROVAL_ACTIONS.reject ? rule : undefined);
}
