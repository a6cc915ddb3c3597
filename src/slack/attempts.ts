/**
 * The attempts of one Slack request, shared by the webhook (`notifier.ts`) and the bot token
 * (`bot.ts`): at most {@link SlackSendOptions.maxAttempts} attempts, each with its
 * own timeout, a doubling wait between them (or a 429's `Retry-After`), and retries only inside
 * the invocation's shared budget. What an answer means is the caller's: {@link Verdict}.
 */
import { sleep } from '../shared/retry.js';
import { postJson, type PostResponse } from './post.js';

/**
 * The time the attempts read and spend. Production runs on the system's; tests pass a virtual one,
 * so the budget's decisions are checked without waiting for them.
 */
export interface SlackClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds: a wait between attempts. */
  sleep(ms: number): Promise<void>;
  /** A signal that aborts after `ms` milliseconds: one attempt's timeout. */
  timeout(ms: number): AbortSignal;
}

/** The system's time, which every notifier runs on unless a test passes its own. */
export const SYSTEM_CLOCK: SlackClock = { now: () => Date.now(), sleep, timeout: (ms) => AbortSignal.timeout(ms) };

export interface SlackSendOptions {
  /** Time the messages of one invocation share, from its first message: retries and `Retry-After` waits happen inside it. */
  budgetMs: number;
  /** Time allowed for one HTTP attempt. */
  attemptTimeoutMs: number;
  /** Pause before the first retry of a 5xx or network error; it doubles for the next. */
  retryDelayMs: number;
  /** Attempts per message, the first included. */
  maxAttempts: number;
  /** Where the budget's time comes from ({@link SYSTEM_CLOCK}). */
  clock: SlackClock;
}

/**
 * Whether to retry after a failed attempt, and after how long: at most `maxAttempts` attempts, and
 * never a wait that ends past the shared deadline. The reason says why it gave up.
 */
export function nextTry(
  attempt: number,
  waitMs: number,
  deadline: number,
  options: SlackSendOptions,
): { retry: true } | { retry: false; why: string } {
  if (attempt >= options.maxAttempts) return { retry: false, why: `gave up after ${attempt} attempts` };
  if (options.clock.now() + waitMs >= deadline)
    return { retry: false, why: `no time left to retry within the invocation's Slack budget (${options.budgetMs} ms)` };
  return { retry: true };
}

/** Time allowed for an attempt: a first attempt has its own timeout; a retry never runs past the shared deadline. */
export function attemptTimeout(attempt: number, deadline: number, options: SlackSendOptions): number {
  return attempt === 1 ? options.attemptTimeoutMs : Math.max(1, Math.min(options.attemptTimeoutMs, deadline - options.clock.now()));
}

/** Seconds of a `Retry-After` header, as milliseconds; `undefined` if absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * What one answer means: delivered (with what the caller reads from it), worth another attempt
 * (after `retryAfterMs` instead of the doubling wait, when given), or a failure no retry mends.
 * Reasons must not contain the request: the URL and the token are secrets.
 */
export type Verdict<T> =
  | { kind: 'delivered'; value: T }
  | { kind: 'retry'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'give up'; reason: string };

/** How the attempts ended: `retryable` is false when an answer gave up, true when attempts or budget ran out. */
export type AttemptsOutcome<T> = { ok: true; value: T } | { ok: false; reason: string; retryable: boolean };

/**
 * POSTs `body` until `classify` says delivered or give up, or no retry is left (see {@link nextTry}).
 * The first attempt is always made. A timeout or network error is retried like a `retry` verdict;
 * its reason is "timed out" or "network error <code>".
 *
 * @example
 * const outcome = await postWithinBudget(url, body, {}, options, budget.deadline(), (response) =>
 *   response.status === 200 ? { kind: 'delivered', value: undefined } : { kind: 'give up', reason: `HTTP ${response.status}` });
 */
export async function postWithinBudget<T>(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SlackSendOptions,
  deadline: number,
  classify: (response: PostResponse) => Verdict<T>,
): Promise<AttemptsOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let waitMs = options.retryDelayMs * 2 ** (attempt - 1);
    try {
      const response = await postJson(url, body, options.clock.timeout(attemptTimeout(attempt, deadline, options)), headers);
      const verdict = classify(response);
      if (verdict.kind === 'delivered') return { ok: true, value: verdict.value };
      if (verdict.kind === 'give up') return { ok: false, reason: verdict.reason, retryable: false };
      reason = verdict.reason;
      waitMs = verdict.retryAfterMs ?? waitMs;
    } catch (error) {
      const e = error as { name?: string; code?: string; cause?: { code?: string } };
      reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? 'timed out'
          : `network error ${e.code ?? e.cause?.code ?? e.name ?? 'unknown'}`;
    }
    const next = nextTry(attempt, waitMs, deadline, options);
    if (!next.retry) return { ok: false, reason: `${reason}; ${next.why}`, retryable: true };
    await options.clock.sleep(waitMs);
  }
}
