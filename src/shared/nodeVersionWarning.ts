/**
 * The AWS SDK warns, once per process and on its first client, that its releases after January
 * 2027 need Node >= 22: nine lines on stderr, ahead of everything a command line tool prints. The
 * tools (`npm start`, `npm run verify`) hold it back and say it in one line at the end instead.
 */

/** A held warning: {@link HeldWarning.note} is its one line (if it was emitted), {@link HeldWarning.restore} ends the hold. */
export interface HeldWarning {
  note(): string | undefined;
  restore(): void;
}

/**
 * Holds the SDK's Node-version warning until `restore()`; any other warning passes through.
 *
 * @example
 * const warning = holdNodeVersionWarning();
 * try { await run(); } finally { warning.restore(); const note = warning.note(); if (note !== undefined) print(note); }
 */
export function holdNodeVersionWarning(): HeldWarning {
  const original = Reflect.get(process, 'emitWarning') as (...args: unknown[]) => void;
  let held = false;
  process.emitWarning = (...args: unknown[]): void => {
    const warning = args[0];
    const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
    if (text.startsWith('NodeVersionSupportWarning')) {
      held = true;
      return;
    }
    Reflect.apply(original, process, args);
  };
  return {
    note: () =>
      held
        ? `note: the AWS SDK says its releases after January 2027 need Node >= 22; this is Node ${process.version} (the function runs on nodejs22.x)`
        : undefined,
    restore: () => {
      Reflect.set(process, 'emitWarning', original);
    },
  };
}
