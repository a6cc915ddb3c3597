/**
 * Figures the reliability tests measure (cases generated, duplicates sent, lines scanned, …), for
 * the documentation: `npm test` leaves this run's in reports/reliability.json, one key per figure,
 * from which `npm run figures` fills the figures of the docs (scripts/figures.mjs; test/figures/
 * fails when they differ).
 *
 * Test files run in parallel workers, so no worker rewrites a shared file: each figure is written
 * to a file of its own under reports/figures/ (written whole, then renamed into place, so a reader
 * never sees half a file), and test/setup/reliability-figures.ts merges them into
 * reports/reliability.json when the run ends. During the run, {@link figureStore}'s `read()` gives
 * the figures recorded so far (test/figures/ runs after every test that records one).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

export type Figures = Record<string, number | string>;

/**
 * The figures kept under `root`: `<root>/figures/<name>.json` (a file per figure) while the run
 * lasts, `<root>/reliability.json` (all of them) once it is over.
 *
 * @example
 * const figures = figureStore('reports');
 * figures.record('duplicates_sent', 9); // reports/figures/duplicates_sent.json
 * figures.merge(); // reports/reliability.json: { …, "duplicates_sent": 9 }
 */
export function figureStore(root: string) {
  const report = join(root, 'reliability.json');
  const dir = join(root, 'figures');
  const recorded = (): string[] => {
    try {
      return readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .sort();
    } catch {
      return []; // no figure recorded in this run
    }
  };
  /** Writes `text` to `file` whole: a reader sees no file or the whole of it, never a part. */
  const replace = (file: string, text: string) => {
    const partial = `${file}.${process.pid}-${threadId}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  };
  const read = (): Figures =>
    Object.fromEntries(
      recorded().map((file) => [
        file.slice(0, -'.json'.length),
        (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { value: number | string }).value,
      ]),
    );
  return {
    report,
    /** Records a figure of this run (a later value of the same figure replaces it). */
    record: (name: string, value: number | string): void => {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`a figure's name is snake_case (a JSON key and a file name): ${name}`);
      mkdirSync(dir, { recursive: true });
      replace(join(dir, `${name}.json`), JSON.stringify({ value }));
    },
    /** The figures this run recorded so far, by name. */
    read,
    /** Writes the report from {@link read} once every test of the run is over (none when no figure was recorded). */
    merge: (): void => {
      if (recorded().length > 0) replace(report, `${JSON.stringify(read(), null, 2)}\n`);
    },
    /** Starts a run: neither the figures nor the report of the last one are left. */
    clear: (): void => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(report, { force: true });
    },
  };
}

/** The suite's figures: reports/reliability.json. */
export const suiteFigures = figureStore('reports');

/** Records a figure the reliability tests measured (see {@link figureStore}). */
export const recordFigure = suiteFigures.record;
