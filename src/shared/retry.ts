/**
 * Retrying with exponential backoff inside a deadline: the deployer retries whole deployments
 * with it, and targets retry one call that met a conflict.
 */

export interface RetryPolicy {
  /** First delay; doubles each retry (base, 2×base, 4×base, …). */
  baseMs: number;
  maxRetries: number;
  /** Epoch milliseconds: no retry is started whose backoff would end past it. */
  deadline: number;
  shouldRetry(error: unknown): boolean;
  /** Called before each backoff (`retry` counts from 1). */
  onRetry(retry: number, delayMs: number, error: unknown): void;
}

export type Attempted<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number; retryable: boolean };

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it succeeds, the error is not worth retrying, the retries are used up, or
 * the next backoff would end past the deadline. Never throws: the last error is returned.
 *
 * @example
 * const outcome = await withRetries({ baseMs: 5000, maxRetries: 2, deadline, shouldRetry: isRetryableAwsError, onRetry }, () => send());
 * if (!outcome.ok) report(outcome.error);
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (attempt: number) => Promise<T>): Promise<Attempted<T>> {
  for (let n = 1; ; n++) {
    try {
      return { ok: true, value: await attempt(n), attempts: n };
    } catch (error) {
      const retryable = policy.shouldRetry(error);
      const delay = policy.baseMs * 2 ** (n - 1);
      if (!(retryable && n <= policy.maxRetries && Date.now() + delay < policy.deadline))
        return { ok: false, error, attempts: n, retryable };
      policy.onRetry(n, delay, error);
      await sleep(delay);
    }
  }
}
