/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping results in input order.
 * `fn` is expected to settle its own errors into its result: one failure must not stop the others.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/**
 * Creates a value on first call and hands every caller, concurrent ones included, the same
 * promise: a client is created once per container however many deployments ask at once.
 *
 * @example
 * const ecs = once(async () => createEcsTarget(createEcsClient(region)));
 * await Promise.all([ecs(), ecs()]); // one target
 */
export function once<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

/** How a promise waited for with {@link settleWithin} came out. */
export type Settled<T> = { state: 'fulfilled'; value: T } | { state: 'rejected'; error: unknown } | { state: 'late' };

/**
 * Waits for `promise` at most `ms`: its value, its error, or `late` (it goes on, unwaited for). For
 * an answer that must leave in time whatever the work it waits for does.
 *
 * @example
 * const handOff = await settleWithin(invoke(), 2000); // { state: 'late' } when AWS has not answered in 2 s
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'late' }), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ state: 'fulfilled', value }),
        (error: unknown): Settled<T> => ({ state: 'rejected', error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
