/** How the reliability figures reach reports/reliability.json (test/reliability/figures.ts), on a directory of its own. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { figureStore } from './figures.js';

describe('reliability figures', () => {
  let root: string;
  const report = () => JSON.parse(readFileSync(join(root, 'reliability.json'), 'utf8')) as unknown;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'deploybridge-figures-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('figures recorded by separate writers are all read during the run, and all in the report once it is merged', () => {
    // Two workers (two stores on one directory), each with figures of its own.
    const worker1 = figureStore(root);
    const worker2 = figureStore(root);
    worker1.record('duplicates_sent', 8);
    worker2.record('faults_injected', 22);
    worker1.record('deployments_made_for_duplicates', 0);
    worker1.record('duplicates_sent', 9);
    expect(existsSync(join(root, 'reliability.json'))).toBe(false);
    expect(worker2.read()).toEqual({ duplicates_sent: 9, deployments_made_for_duplicates: 0, faults_injected: 22 });

    figureStore(root).merge();
    expect(report()).toEqual({ deployments_made_for_duplicates: 0, duplicates_sent: 9, faults_injected: 22 });
  });

  it('a new run starts with neither the figures nor the report of the last one, and one that records none writes none', () => {
    const store = figureStore(root);
    store.record('secrets_leaked', 0);
    store.merge();
    writeFileSync(join(root, 'reliability.json'), JSON.stringify({ hostile_cases_generated: 2750 }));
    store.clear();
    expect(store.read()).toEqual({});
    store.merge();
    expect(existsSync(join(root, 'reliability.json'))).toBe(false);
  });

  it('refuses a figure name that is not a plain key', () => {
    expect(() => figureStore(root).record('../escape', 1)).toThrow(/snake_case/);
  });
});
