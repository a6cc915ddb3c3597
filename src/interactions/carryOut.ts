/**
 * The asynchronous invocation a click was handed off to. Its event is untrusted input like any
 * other: anyone allowed to invoke the function could send one. So the Slack request it carries is
 * verified again (signature, replay window), the button recognised and the person checked again,
 * and only then is the click carried out by the button's actor, which changes things once.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import { errorFields } from '../shared/errors.js';
import { MetricName, type Log, type MetricSink } from '../shared/observability.js';
import { parseInteraction } from '../slack/interactions.js';
import { verifySlackSignature } from '../slack/signature.js';
import type { ButtonRules, ClickActors } from './contract.js';
import { INTERACTION_LIMITS } from '../config/constants.js';

export interface CarryOutDeps {
  rules: ButtonRules;
  actors: ClickActors;
  secret: () => Promise<string>;
  log: Log;
  metrics: MetricSink;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** What a hand-off came to: carried out, or refused (and why). */
export type CarryOutResult = { status: 'carried out'; action: string } | { status: 'refused'; reason: string };

const handOffSchema = lazySchema(() =>
  z.object({
    deploybridge: z.literal('interaction'),
    request: z.object({
      timestamp: z.string().check(z.maxLength(20)),
      signature: z.string().check(z.maxLength(100)),
      body: z.string().check(z.maxLength(INTERACTION_LIMITS.maxBodyBytes)),
    }),
    requestId: z.optional(z.string().check(z.maxLength(100))),
  }),
);

/**
 * Verifies and carries out one handed-off click. A refusal is logged and counted and ends the
 * invocation normally (retrying it could not make it pass); what the actor throws fails it, so
 * Lambda retries what may pass.
 *
 * @example
 * await carryOutHandOff(event, { rules, actors, secret, log, metrics }); // { status: 'carried out', action: 'deploybridge.approve' }
 */
export async function carryOutHandOff(event: unknown, deps: CarryOutDeps): Promise<CarryOutResult> {
  const now = deps.now ?? Date.now;
  const parsed = handOffSchema().safeParse(event);
  const requestId = parsed.success ? parsed.data.requestId : undefined;
  const refuse = (reason: string, fields: Record<string, unknown> = {}): CarryOutResult => {
    deps.metrics.count(MetricName.InteractionsRejected);
    deps.log.warn(`hand-off refused: ${reason}`, { request_id: requestId, reason, ...fields });
    return { status: 'refused', reason };
  };
  if (!parsed.success) return refuse('not a hand-off deploybridge sends');
  const { request } = parsed.data;
  const verdict = verifySlackSignature(await deps.secret(), request, Math.floor(now() / 1000));
  if (!verdict.ok) return refuse(verdict.reason);
  const payload = parseInteraction(request.body);
  if (payload.kind !== 'click') return refuse('not a button click');
  const { click } = payload;
  const fields = { action: click.actionId, value: click.value, user: click.user.id };
  const rule = deps.rules(click.actionId);
  if (rule === undefined) return refuse('not a button deploybridge acts on', fields);
  if (!rule.allows(click.user.id)) return refuse('the user may not press this button', fields);
  const actor = await deps.actors(click.actionId);
  if (actor === undefined) return refuse('not a button deploybridge acts on', fields);
  try {
    await actor(click, { requestId });
  } catch (error) {
    deps.log.error('interaction not carried out: it is retried', { request_id: requestId, ...fields, ...errorFields(error) });
    throw error;
  }
  return { status: 'carried out', action: click.actionId };
}
