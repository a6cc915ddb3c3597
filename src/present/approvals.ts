/**
 * The words of approvals: the request posted in Slack, its decided states, and what someone who
 * may not decide is told.
 */

/** Told, on their own, to someone not in `APPROVERS` who clicked Approve or Reject. */
export const NOT_AN_APPROVER_REPLY = 'Only approvers may approve or reject deployments: nothing was changed.';
