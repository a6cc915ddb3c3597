/**
 * The rollout's buttons (src/rollout/): Continue and Roll back of a paused deployment, Roll back of
 * a followed deployment in progress, as the interaction mechanism knows them: only the configured
 * approvers may press them. Light on purpose: it is read before Slack is answered, and by the App
 * of every route (a followed deployment's message carries Roll back).
 */
import { ACTION_PREFIX, type ButtonRules } from './contract.js';
import { NOT_A_DECIDER_REPLY } from '../present/interactions.js';

/** The `action_id`s: a pause's buttons carry the pause's id, Roll back of a deployment its ECS deployment id. */
export const ROLLOUT_ACTIONS = {
  continue: `${ACTION_PREFIX}hook.continue`,
  rollback: `${ACTION_PREFIX}hook.rollback`,
  stop: `${ACTION_PREFIX}rollback`,
} as const;

const ALL: readonly string[] = Object.values(ROLLOUT_ACTIONS);

/**
 * The rules of the rollout buttons.
 *
 * @example
 * rolloutRules(['U0APPROVER'])('deploybridge.hook.continue')?.allows('U0SOMEONE'); // false
 */
export function rolloutRules(approvers: readonly string[]): ButtonRules {
  const rule = { allows: (userId: string) => approvers.includes(userId), refusal: NOT_A_DECIDER_REPLY };
  return (actionId) => (ALL.includes(actionId) ? rule : undefined);
}
