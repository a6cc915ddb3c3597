/**
 * Slack with a bot token (Web API `chat.postMessage`, `chat.update`): one message per deployment,
 * replaced as the deployment moves on, so the channel shows one line per deployment in its current
 * colour, and details (why tasks failed, a rollback) as replies in its thread (`thread_ts`).
 *
 * The token is a secret like the webhook URL: it travels only in the Authorization header and
 * never appears in a log line, an error or a message. Slack answers API errors with HTTP 200 and
 * `{"ok": false, "error": "channel_not_found"}`; those are failures too.
 */
import type { MessageRef } from '../following/journal.js';
import { MetricName } from '../shared/observability.js';
import type { Notification } from '../present/notification.js';
import { buildSlackPayload } from './messages.js';
import { InvocationBudget, postWithinBudget, retryAfterMs, type AttemptsOutcome, type Verdict } from '../shared/delivery.js';
import type { PostResponse } from '../shared/post.js';
import { DEFAULT_SLACK_SEND_OPTIONS, type Notifier, type NotifierContext, type SlackSendOptions } from './notifier.js';

/** Where the token comes from: a fixed value, or a (cached) secret read on first use. */
export type TokenSource = () => Promise<string>;

/** Where the bot posts. */
interface SlackBotTarget {
  token: TokenSource;
  /** The channel id (`SLACK_CHANNEL`). */
  channel: string;
  /** `SLACK_API_URL`, e.g. https://slack.com/api. */
  apiUrl: string;
}

type ApiMethod = 'chat.postMessage' | 'chat.update';
/** `value` is where the message is, when Slack says; `retryable` is false when no retry could mend the failure. */
type ApiOutcome = AttemptsOutcome<MessageRef | undefined>;

/** Slack's error codes that may pass on a retry; every other one will not. */
const TRANSIENT_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** What one answer of the Web API means. Reasons carry Slack's error code or the HTTP status, never the request. */
function verdictOf(response: PostResponse): Verdict<MessageRef | undefined> {
  const { status, body } = response;
  if (status === 429) return { kind: 'retry', reason: 'HTTP 429', retryAfterMs: retryAfterMs(response.retryAfter) };
  if (status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { kind: 'give up', reason: `HTTP ${status}` };
  let answer: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return { kind: 'give up', reason: 'the answer is not JSON' };
  }
  if (answer.ok !== true) {
    const code = typeof answer.error === 'string' && /^[a-z0-9_]{1,64}$/.test(answer.error) ? answer.error : 'unknown_error';
    const reason = `Slack error ${code}`;
    return TRANSIENT_SLACK_ERRORS.has(code) ? { kind: 'retry', reason } : { kind: 'give up', reason };
  }
  const message =
    typeof answer.channel === 'string' && typeof answer.ts === 'string' ? { channel: answer.channel, ts: answer.ts } : undefined;
  return { kind: 'delivered', value: message };
}

/**
 * One Web API call, retrying 5xx, network errors, transient Slack errors and 429 (after
 * `Retry-After`) under the webhook's policy ({@link postWithinBudget}): at most `maxAttempts`
 * attempts, retries only inside the invocation's shared budget (`deadline`).
 */
async function call(
  target: SlackBotTarget,
  method: ApiMethod,
  payload: Record<string, unknown>,
  options: SlackSendOptions,
  deadline: number,
): Promise<ApiOutcome> {
  let token: string;
  try {
    token = await target.token();
  } catch (error) {
    return { ok: false, reason: `bot token unavailable (${(error as Error).name})`, retryable: false };
  }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' };
  return postWithinBudget(
    { url: `${target.apiUrl}/${method}`, body: JSON.stringify(payload), headers, channel: 'Slack' },
    options,
    deadline,
    verdictOf,
  );
}

/**
 * Sends notifications with a Slack bot token.
 *
 * @example
 * const notifier = createSlackBotNotifier({ token: async () => token, channel: 'C0123456789', apiUrl: 'https://slack.com/api' }, context);
 * const message = await notifier.open(started); // { channel: 'C0123456789', ts: '1712345678.000100' }
 */
export function createSlackBotNotifier(
  target: SlackBotTarget,
  context: NotifierContext,
  options: Partial<SlackSendOptions> = {},
): Notifier {
  const settings: SlackSendOptions = { ...DEFAULT_SLACK_SEND_OPTIONS, ...options };
  const budget = new InvocationBudget(settings.budgetMs, settings.clock);
  const pending: Array<Promise<unknown>> = [];
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.push(promise);
    return promise;
  };
  const failed = (notification: Notification, method: ApiMethod, reason: string) => {
    context.metrics.count(MetricName.NotificationsFailed);
    context.log.warn('slack notification failed', { title: notification.title, service: notification.service, method, error: reason });
  };
  const send = async (notification: Notification, method: ApiMethod, where: Record<string, string>): Promise<ApiOutcome> => {
    const outcome = await call(target, method, { ...where, ...buildSlackPayload(notification, context) }, settings, budget.deadline());
    if (outcome.ok) context.log.debug('slack notification sent', { title: notification.title, service: notification.service, method });
    return outcome;
  };
  const post = async (notification: Notification, thread?: MessageRef): Promise<MessageRef | undefined> => {
    const outcome = await send(notification, 'chat.postMessage', {
      channel: thread?.channel ?? target.channel,
      ...(thread === undefined ? {} : { thread_ts: thread.ts }),
    });
    if (outcome.ok) return outcome.value;
    failed(notification, 'chat.postMessage', outcome.reason);
    return undefined;
  };
  return {
    notify(notification) {
      void track(post(notification));
    },
    open: (notification) => track(post(notification)),
    reply: (thread, notification) => track(post(notification, thread)),
    follow: (message, update) =>
      track(
        (async () => {
          if (message === undefined) {
            // The first message is on its way (or was never posted): a routine step waits for the next one.
            if (update.routine) return undefined;
            return post(update.standalone);
          }
          const updated = await send(update.state, 'chat.update', { channel: message.channel, ts: message.ts });
          if (!updated.ok) {
            failed(update.state, 'chat.update', updated.reason);
            // The message cannot be updated (deleted, too old): say it in a new one rather than not at all.
            return updated.retryable ? message : post(update.standalone);
          }
          if (update.reply !== undefined) await post(update.reply, message);
          return message;
        })(),
      ),
    async flush() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
      budget.end();
    },
  };
}
