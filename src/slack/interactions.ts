/**
 * What Slack posts when someone clicks a button of a message (a `block_actions` payload, sent as
 * the form field `payload` of an `application/x-www-form-urlencoded` body), and the ephemeral reply
 * that answers only the person who clicked, through the payload's `response_url`.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import { postJson } from '../shared/post.js';

/** A click on a button, as deploybridge reads it. */
export interface ButtonClick {
  /** The button's `action_id`: which button it is. */
  actionId: string;
  /** The button's `value` (what it acts on). */
  value: string | undefined;
  /** Who clicked: their Slack user id, and their name as Slack sent it. */
  user: { id: string; name: string | undefined };
  /** Where an ephemeral reply to them goes (valid 30 minutes). */
  responseUrl: string | undefined;
  /** The message the button is in. */
  channel: string | undefined;
  messageTs: string | undefined;
}

const bounded = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

const blockActionsSchema = lazySchema(() =>
  z.object({
    type: z.literal('block_actions'),
    user: z.object({ id: bounded(32), username: z.optional(bounded(100)), name: z.optional(bounded(100)) }),
    actions: z.array(
      z.object({ action_id: bounded(255), value: z.optional(z.string().check(z.maxLength(2000))), type: z.optional(z.string()) }),
    ),
    response_url: z.optional(bounded(1000)),
    container: z.optional(z.object({ message_ts: z.optional(bounded(40)), channel_id: z.optional(bounded(40)) })),
    channel: z.optional(z.object({ id: bounded(40) })),
    message: z.optional(z.object({ ts: z.optional(bounded(40)) })),
  }),
);

/** What a body came to: a button click, another kind of interaction (ignored), or a body that is not Slack's. */
export type InteractionPayload =
  | { kind: 'click'; click: ButtonClick }
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; reason: string };

/**
 * Reads the `payload` field of an interaction request body. Only the first action of a
 * `block_actions` payload is read: a button click carries one.
 *
 * @example
 * parseInteraction('payload=%7B%22type%22%3A%22block_actions%22%2C…'); // { kind: 'click', click: { actionId: 'deploybridge.approve', … } }
 */
export function parseInteraction(body: string): InteractionPayload {
  const field = new URLSearchParams(body).get('payload');
  if (field === null) return { kind: 'malformed', reason: 'no payload field' };
  let payload: unknown;
  try {
    payload = JSON.parse(field);
  } catch {
    return { kind: 'malformed', reason: 'the payload is not JSON' };
  }
  const type = (payload as { type?: unknown } | null)?.type;
  if (type !== 'block_actions') {
    return typeof type === 'string' ? { kind: 'other', type: type.slice(0, 40) } : { kind: 'malformed', reason: 'the payload has no type' };
  }
  const parsed = blockActionsSchema().safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    return { kind: 'malformed', reason: `block_actions payload with bad or missing ${fields.join(', ')}` };
  }
  const { user, actions, response_url: responseUrl, container, channel, message } = parsed.data;
  const action = actions[0];
  if (action === undefined) return { kind: 'malformed', reason: 'block_actions payload without an action' };
  return {
    kind: 'click',
    click: {
      actionId: action.action_id,
      value: action.value,
      user: { id: user.id, name: user.name ?? user.username },
      responseUrl,
      channel: container?.channel_id ?? channel?.id,
      messageTs: container?.message_ts ?? message?.ts,
    },
  };
}

/**
 * Whether a `response_url` is Slack's: `https://hooks.slack.com/…`, or on the Slack-compatible
 * server `SLACK_API_URL` names. A reply goes nowhere else, whatever a payload says.
 *
 * @example
 * isSlackResponseUrl('https://hooks.slack.com/actions/T0/1/abc', 'https://slack.com/api'); // true
 */
export function isSlackResponseUrl(url: string, apiUrl: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol === 'https:' && target.hostname === 'hooks.slack.com') return true;
  return target.origin === new URL(apiUrl).origin;
}

/**
 * Tells only the person who clicked (`response_type: ephemeral`; the message itself is left as it
 * is). One attempt, bounded by `timeoutMs`: an answer to Slack cannot wait for retries. Resolves
 * false when it was not delivered.
 *
 * @example
 * await replyEphemeral(click.responseUrl, 'Only approvers may approve or reject deployments.', 1000);
 */
export async function replyEphemeral(responseUrl: string, text: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await postJson(
      responseUrl,
      JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      AbortSignal.timeout(timeoutMs),
    );
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
