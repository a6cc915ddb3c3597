import type { DeliveryClock } from '../../src/shared/delivery.js';

/**
 * Virtual time for the notification attempts ({@link DeliveryClock}): nothing waits, and the test
 * reads what the code asked for. A wait ends at once and moves the time to its end (waits that
 * overlap end at the latest of their ends, not at their sum). An attempt's timeout fires when the
 * time reaches its end: a wait moves it there, or the test says the attempt in flight ran out
 * ({@link VirtualClock.runOutAttempt}, e.g. from a webhook that never answers).
 */
export interface VirtualClock extends DeliveryClock {
  /** Each wait asked for, in milliseconds, in order. */
  readonly waits: number[];
  /** Each attempt's timeout, in milliseconds, in order. */
  readonly timeouts: number[];
  /** Milliseconds since the clock started. */
  elapsed(): number;
  /** The attempt in flight (the last timeout set) runs out of time: the time moves to its end, and it aborts. */
  runOutAttempt(): void;
}

export function virtualClock(start = Date.UTC(2026, 0, 1)): VirtualClock {
  let now = start;
  const waits: number[] = [];
  const timeouts: number[] = [];
  let armed: Array<{ endsAt: number; controller: AbortController }> = [];
  const moveTo = (time: number) => {
    now = Math.max(now, time);
    const due = armed.filter((t) => t.endsAt <= now);
    armed = armed.filter((t) => t.endsAt > now);
    for (const t of due) t.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  };
  return {
    waits,
    timeouts,
    now: () => now,
    elapsed: () => now - start,
    sleep(ms) {
      waits.push(ms);
      const endsAt = now + ms;
      return Promise.resolve().then(() => moveTo(endsAt));
    },
    timeout(ms) {
      timeouts.push(ms);
      const controller = new AbortController();
      armed.push({ endsAt: now + ms, controller });
      return controller.signal;
    },
    runOutAttempt() {
      const last = armed.at(-1);
      if (last === undefined) throw new Error('no attempt is in flight');
      moveTo(last.endsAt);
    },
  };
}
