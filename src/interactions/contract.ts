/**
 * Buttons in Slack, as one small mechanism: a click is verified, recognised by its `action_id`,
 * checked against who may press that button, handed off to an asynchronous invocation of the
 * function, and there verified again and carried out once. A feature adds a button by giving its
 * rule (who may press it, cheap: it is asked before Slack is answered) and its actor (what the
 * click does, loaded only in the asynchronous invocation).
 */
import type { ButtonClick } from '../slack/interactions.js';

/** The `action_id`s of deploybridge's own buttons start with this; any other button (a link) is not acted on. */
export const ACTION_PREFIX = 'deploybridge.';

/** The path Slack posts interactions to (the Slack app's Interactivity Request URL ends with it). */
export const INTERACTIONS_PATH = '/slack/interactions';

/** Who may press a button, and what anyone else is told. */
export interface ButtonRule {
  allows(userId: string): boolean;
  refusal: string;
}

/** The rule of a button by its `action_id`; undefined: not a button deploybridge acts on. */
export type ButtonRules = (actionId: string) => ButtonRule | undefined;

/** What a verified click from someone allowed does; it must change things once however often it runs (a redelivered hand-off, two clicks). */
export type ClickActor = (click: ButtonClick, context: { requestId: string | undefined }) => Promise<void>;

/** The actor of a button by its `action_id`, loaded on first use. */
export type ClickActors = (actionId: string) => Promise<ClickActor | undefined>;

/**
 * The event of the asynchronous invocation a click is handed off to: the Slack request exactly as
 * it arrived (its two signing headers and raw body), verified again before anything is done.
 */
export interface HandOff {
  deploybridge: 'interaction';
  request: { timestamp: string; signature: string; body: string };
  /** The Function URL request's id, so both invocations' log lines can be put together. */
  requestId?: string;
}

/**
 * Whether an invocation's event claims to be a hand-off. A claim only: what it carries is verified.
 *
 * @example
 * isHandOffEvent({ deploybridge: 'interaction', request: { … } }); // true
 */
export function isHandOffEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { deploybridge?: unknown }).deploybridge === 'interaction';
}
