/**
 * A promise the test settles: concurrent steps happen in the order the test says, not in the
 * order some sleep makes likely.
 *
 * @example
 * const entered = deferred();
 * const release = deferred();
 * const deploy = async () => { entered.resolve(); await release.promise; return 'done'; };
 */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
