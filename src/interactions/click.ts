/**
 * The Function URL's answer to Slack. Slack shows the person who clicked an error unless it hears
 * back within 3 seconds, so before answering this does only what cannot be slow: check the path,
 * the method and the size, verify the signature, recognise the button, check who clicked, and hand
 * the click off to an asynchronous invocation of the function, whose answer it waits for no longer
 * than {@link INTERACTION_LIMITS}.answerWithinMs allows. Whatever AWS does, the answer leaves in time.
 *
 * A request that is not Slack's makes no AWS call (but reading the signing secret), posts nothing,
 * is counted (`InteractionsRejected`) and logged without its body.
 */
import { INTERACTION_LIMITS } from '../config/constants.js';
import { HAND_OFF_FAILED_REPLY } from '../present/interactions.js';
import { settleWithin } from '../shared/concurrency.js';
import { errorFields } from '../shared/errors.js';
import { MetricName, type Log, type LogFields, type MetricSink } from '../shared/observability.js';
import { parseInteraction } from '../slack/interactions.js';
import { checkSignedHeaders, verifySlackSignature, type SignedRequest } from '../slack/signature.js';
import { INTERACTIONS_PATH, type ButtonRules, type HandOff } from './contract.js';
import { answer, readFunctionUrlRequest, type FunctionUrlAnswer, type FunctionUrlRequest } from './http.js';

export interface ClickAnswerDeps {
  rules: ButtonRules;
  /** The signing secret (a value, or its SSM parameter read on first use and cached). */
  secret: () => Promise<string>;
  /** Starts the asynchronous invocation; resolves once Lambda has accepted it. */
  handOff: (handOff: HandOff) => Promise<void>;
  /** Tells only the person who clicked; resolves false when Slack did not take it. */
  reply: (responseUrl: string, text: string, timeoutMs: number) => Promise<boolean>;
  /** Whether a payload's `response_url` is one to reply to (Slack's own). */
  repliesTo: (url: string) => boolean;
  log: Log;
  metrics: MetricSink;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** The request's own fields for a log line: never its body or headers. */
function requestFields(request: FunctionUrlRequest): LogFields {
  return { request_id: request.requestId, source_ip: request.sourceIp, method: request.method, path: request.path };
}

/**
 * Answers one Function URL request.
 *
 * @example
 * const response = await answerFunctionUrl(event, { rules, secret, handOff, reply, repliesTo, log, metrics });
 * // { statusCode: 200, headers: { … }, body: '' }
 */
export async function answerFunctionUrl(event: unknown, deps: ClickAnswerDeps): Promise<FunctionUrlAnswer> {
  const now = deps.now ?? Date.now;
  const started = now();
  const remaining = () => INTERACTION_LIMITS.answerWithinMs - (now() - started);
  const request = readFunctionUrlRequest(event, INTERACTION_LIMITS.maxBodyBytes);
  const refuse = (status: number, reason: string, headers: Record<string, string> = {}): FunctionUrlAnswer => {
    deps.metrics.count(MetricName.InteractionsRejected);
    deps.log.warn(`interaction refused: ${reason}`, { ...requestFields(request), status, reason });
    return answer(status, status === 404 ? 'not found' : status === 405 ? 'method not allowed' : 'invalid request', headers);
  };
  if (request.path !== INTERACTIONS_PATH) return refuse(404, `no such path (${request.path})`);
  if (request.method !== 'POST') return refuse(405, `method ${request.method} is not POST`, { allow: 'POST' });
  if (request.body === undefined) {
    return request.bodyBytes > INTERACTION_LIMITS.maxBodyBytes
      ? refuse(401, `body of ${request.bodyBytes} bytes is over ${INTERACTION_LIMITS.maxBodyBytes}`)
      : refuse(401, 'no body');
  }
  const signed: SignedRequest = {
    timestamp: request.headers['x-slack-request-timestamp'],
    signature: request.headers['x-slack-signature'],
    body: request.body,
  };
  const headers = checkSignedHeaders(signed, Math.floor(now() / 1000));
  if (!headers.ok) return refuse(401, headers.reason);

  const secret = await settleWithin(deps.secret(), remaining());
  if (secret.state !== 'fulfilled') {
    // Not the requester's doing: unanswered, Slack tells the person who clicked that it failed.
    deps.log.error('interaction not verified: the signing secret could not be read in time', {
      ...requestFields(request),
      status: 503,
      ...(secret.state === 'rejected' ? errorFields(secret.error) : { waited_ms: now() - started }),
    });
    return answer(503, 'unavailable, try again');
  }
  const verdict = verifySlackSignature(secret.value, signed, Math.floor(now() / 1000));
  if (!verdict.ok) return refuse(401, verdict.reason);

  const payload = parseInteraction(request.body);
  if (payload.kind === 'malformed') return refuse(400, `signed, but not an interaction deploybridge reads: ${payload.reason}`);
  if (payload.kind === 'other') {
    deps.log.info('interaction ignored: not a button click', { ...requestFields(request), type: payload.type });
    return answer(200);
  }
  const { click } = payload;
  const fields = { ...requestFields(request), action: click.actionId, value: click.value, user: click.user.id };
  const rule = deps.rules(click.actionId);
  if (rule === undefined) {
    // A link button ("Open in ECS console") is posted here too: Slack only needs to hear back.
    deps.log.debug('interaction ignored: not a button deploybridge acts on', fields);
    return answer(200);
  }
  if (!rule.allows(click.user.id)) {
    const told = await tell(deps, click.responseUrl, rule.refusal, remaining());
    deps.log.warn('interaction refused: the user may not press this button', { ...fields, decision: 'not allowed', told });
    return answer(200);
  }
  const handOff: HandOff = {
    deploybridge: 'interaction',
    request: { timestamp: signed.timestamp as string, signature: signed.signature as string, body: request.body },
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  };
  const handedOff = await settleWithin(deps.handOff(handOff), remaining());
  if (handedOff.state === 'fulfilled') {
    deps.log.info('interaction handed off', fields);
    return answer(200);
  }
  if (handedOff.state === 'late') {
    // Sent, not yet confirmed: Slack is answered now; if it never arrives, the message does not change and a second click does it.
    deps.log.warn('interaction handed off, not confirmed in time', { ...fields, waited_ms: now() - started });
    return answer(200);
  }
  deps.metrics.count(MetricName.InteractionHandOffsFailed);
  const told = await tell(deps, click.responseUrl, HAND_OFF_FAILED_REPLY, remaining());
  deps.log.error('interaction not handed off', { ...fields, told, ...errorFields(handedOff.error) });
  return answer(200);
}

/**
 * An ephemeral reply, in what is left of the answer's time but never under half of
 * {@link INTERACTION_LIMITS}.replyTimeoutMs: the answer leaves at the latest that long after
 * `answerWithinMs`.
 */
async function tell(deps: ClickAnswerDeps, responseUrl: string | undefined, text: string, remainingMs: number): Promise<boolean> {
  if (responseUrl === undefined || !deps.repliesTo(responseUrl)) return false;
  const { replyTimeoutMs } = INTERACTION_LIMITS;
  return deps.reply(responseUrl, text, Math.min(replyTimeoutMs, Math.max(remainingMs, replyTimeoutMs / 2)));
}
