/**
 * The attempts of one notification to one channel, shared by Slack (webhook and bot token) and the
 * channels besides it (src/channels/): at most {@link DeliveryOptions.maxAttempts} attempts, each
 * with its own timeout, a doubling wait between them (or a 429's `Retry-After`), and retries only
 * inside the invocation's shared budget ({@link InvocationBudget}). What an answer means is the
 * caller's: {@link Verdict}.
 */
import { NOTIFICATION_DEFAULTS } from '../config/constants.js';
import { sleep } from './retry.js';
import { postJson, type PostResponse } from './post.js';

/**
 * The time the attempts read and spend. Production runs on the system's; tests pass a virtual
 * one, so the budget's decisions are checked without waiting for them.
 */
export interface DeliveryClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds: a wait between attempts. */
  sleep(ms: number): Promise<void>;
  /** A signal that aborts after `ms` milliseconds: one attempt's timeout. */
  timeout(ms: number): AbortSignal;
}

/** The system's time, which every notifier runs on unless a test passes its own. */
export const SYSTEM_CLOCK: DeliveryClock = { now: () => Date.now(), sleep, timeout: (ms) => AbortSignal.timeout(ms) };

export interface DeliveryOptions {
  /** Time the messages of one invocation share, from its first message: retries and `Retry-After` waits happen inside it. */
  budgetMs: number;
  /** Time allowed for one attempt. */
  attemptTimeoutMs: number;
  /** Pause before the first retry of a 5xx or network error; it doubles for the next. */
  retryDelayMs: number;
  /** Attempts per message, the first included. */
  maxAttempts: number;
  /** Where the budget's time comes from ({@link SYSTEM_CLOCK}). */
  clock: DeliveryClock;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  budgetMs: NOTIFICATION_DEFAULTS.budgetMs,
  attemptTimeoutMs: NOTIFICATION_DEFAULTS.attemptTimeoutMs,
  retryDelayMs: NOTIFICATION_DEFAULTS.retryDelayMs,
  maxAttempts: NOTIFICATION_DEFAULTS.maxAttempts,
  clock: SYSTEM_CLOCK,
};

/**
 * The budget the messages of one invocation share: it starts with the invocation's first message
 * and ends with `flush`. No retry or `Retry-After` wait ends after its deadline, so a dead channel
 * cannot hold the invocation however many messages it sends.
 *
 * @example
 * const budget = new InvocationBudget(5000);
 * const deadline = budget.deadline(); // now + 5 s, the same for every message until budget.end()
 */
export class InvocationBudget {
  private endsAt: number | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly clock: DeliveryClock = SYSTEM_CLOCK,
  ) {}

  /** Epoch milliseconds by which retries must be over (starts the budget on first use). */
  deadline(): number {
    this.endsAt ??= this.clock.now() + this.budgetMs;
    return this.endsAt;
  }

  /** The invocation is over: the next message starts a new budget. */
  end(): void {
    this.endsAt = undefined;
  }
}

/**
 * Whether to retry after a failed attempt, and after how long: at most `maxAttempts` attempts, and
 * never a wait that ends past the shared deadline. The reason says why it gave up.
 */
function nextTry(
  attempt: number,
  waitMs: number,
  deadline: number,
  options: DeliveryOptions,
  channel: string,
): { retry: true } | { retry: false; why: string } {
  if (attempt >= options.maxAttempts) return { retry: false, why: `gave up after ${attempt} attempts` };
  if (options.clock.now() + waitMs >= deadline)
    return { retry: false, why: `no time left to retry within the invocation's ${channel} budget (${options.budgetMs} ms)` };
  return { retry: true };
}

/** Time allowed for an attempt: a first attempt has its own timeout; a retry never runs past the shared deadline. */
function attemptTimeout(attempt: number, deadline: number, options: DeliveryOptions): number {
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
 * Reasons must not contain the request: URLs, tokens and signing secrets are secrets.
 */
export type Verdict<T> =
  | { kind: 'delivered'; value: T }
  | { kind: 'retry'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'give up'; reason: string };

/** How the attempts ended: `retryable` is false when an answer gave up, true when attempts or budget ran out. */
export type AttemptsOutcome<T> = { ok: true; value: T } | { ok: false; reason: string; retryable: boolean };

/**
 * Makes `attempt` until it says delivered or give up, or no retry is left (at most `maxAttempts`,
 * retries only inside `deadline`). The first attempt is always made. An attempt that throws is
 * retried like a `retry` verdict: a timeout's reason is "timed out", a network error's "network
 * error <code>". `channel` names the channel in the reason ("… within the invocation's Teams budget").
 *
 * @example
 * const outcome = await attemptWithinBudget((signal) => publish(message, signal), options, budget.deadline(), 'SNS');
 */
export async function attemptWithinBudget<T>(
  attempt: (signal: AbortSignal) => Promise<Verdict<T>>,
  options: DeliveryOptions,
  deadline: number,
  channel: string,
): Promise<AttemptsOutcome<T>> {
  for (let n = 1; ; n++) {
    let reason: string;
    let waitMs = options.retryDelayMs * 2 ** (n - 1);
    try {
      const verdict = await attempt(options.clock.timeout(attemptTimeout(n, deadline, options)));
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
    const next = nextTry(n, waitMs, deadline, options, channel);
    if (!next.retry) return { ok: false, reason: `${reason}; ${next.why}`, retryable: true };
    await options.clock.sleep(waitMs);
  }
}

/** One HTTP POST of a notification: where, what, and the channel's name for reasons. */
export interface PostRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** "Slack", "Teams", …: named in the reason when no time is left to retry. */
  channel: string;
}

/**
 * POSTs a request until `classify` says delivered or give up, or no retry is left
 * ({@link attemptWithinBudget}).
 *
 * @example
 * const outcome = await postWithinBudget({ url, body, headers: {}, channel: 'Teams' }, options, budget.deadline(), webhookVerdict);
 */
export function postWithinBudget<T>(
  request: PostRequest,
  options: DeliveryOptions,
  deadline: number,
  classify: (response: PostResponse) => Verdict<T>,
): Promise<AttemptsOutcome<T>> {
  const { url, body, headers, channel } = request;
  return attemptWithinBudget(async (signal) => classify(await postJson(url, body, signal, headers)), options, deadline, channel);
}

/**
 * What a webhook's answer means: 2xx delivered; 5xx, and 429 after its `Retry-After`, worth a retry;
 * any other status a payload or webhook that is wrong. Reasons carry the status only: the URL is a secret.
 */
export function webhookVerdict(response: PostResponse): Verdict<undefined> {
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', value: undefined };
  const reason = `HTTP ${response.status}`;
  if (response.status === 429) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(response.retryAfter) };
  if (response.status < 500) return { kind: 'give up', reason }; // 4xx other than 429: the payload or the webhook is wrong.
  return { kind: 'retry', reason };
}
