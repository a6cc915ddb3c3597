/**
 * What the person who clicked a button is told on their own (Slack's ephemeral replies), when the
 * click does nothing.
 */

/** A verified click that could not be passed on to the function's asynchronous invocation. */
export const HAND_OFF_FAILED_REPLY =
  'deploybridge could not act on your click: it could not pass it on (see its log). Nothing was changed; please click again in a moment.';

/** Told, on their own, to someone not in `APPROVERS` who clicked Continue or Roll back. */
export const NOT_A_DECIDER_REPLY = 'Only approvers may continue or roll back deployments: nothing was changed.';
