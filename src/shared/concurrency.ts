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
