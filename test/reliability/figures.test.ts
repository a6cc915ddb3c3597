/** How the reliability figures reach reports/reliability.json (test/reliability/figures.ts), on a directory of its own. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { figureStore } from './figures.js';

describe('reliability figures', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'deploybridge-figures-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('figures recorded by separate writers are all in the report after the merge, beside those of an earlier run', () => {
    writeFileSync(join(root, 'reliability.json'), JSON.stringify({ hostile_cases_generated: 2750, duplicates_sent: 1 }));
    // Two workers (two stores on one directory), each with figures of its own.
    const worker1 = figureStore(root);
    const worker2 = figureStore(root);
    worker1.record('duplicates_sent', 9);
    worker2.record('faults_injected', 22);
    worker1.record('deployments_made_for_duplicates', 0);
    expect(JSON.parse(readFileSync(join(root, 'reliability.json'), 'utf8'))).toEqual({ hostile_cases_generated: 2750, duplicates_sent: 1 });

    figureStore(root).merge();
    expect(JSON.parse(readFileSync(join(root, 'reliability.json'), 'utf8'))).toEqual({
      hostile_cases_generated: 2750,
      duplicates_sent: 9,
      deployments_made_for_duplicates: 0,
      faults_injected: 22,
    });
  });

  it('a new run starts without the figures of the last one, and a run that recorded none leaves the report alone', () => {
    const store = figureStore(root);
    store.record('secrets_leaked', 0);
    store.merge();
    store.clear();
    expect(store.read()).toEqual({ secrets_leaked: 0 });
    writeFileSync(join(root, 'reliability.json'), 'not rewritten');
    store.merge();
    expect(readFileSync(join(root, 'reliability.json'), 'utf8')).toBe('not rewritten');
  });

  it('refuses a figure name that is not a plain key', () => {
    expect(() => figureStore(root).record('../escape', 1)).toThrow(/snake_case/);
  });
});
