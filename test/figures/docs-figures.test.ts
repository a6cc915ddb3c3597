/**
 * Runs last (its own vitest project, after the secret scan): every figure the documentation shows
 * between `<!-- figure: NAME -->` markers is the value this run of the suite measured (recorded by
 * test/reliability/figures.ts, and merged into reports/reliability.json when the run ends), and
 * every figure the suite measures is shown somewhere. `npm run figures` writes them; run alone,
 * this test has nothing to compare with.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparable, documents, figuresIn, formatFigure, REPORT } from '../../scripts/figures.mjs';
import { suiteFigures } from '../reliability/figures.js';
import { terraformMissing } from '../terraform/terraform.js';

const shown = documents().flatMap((file) => figuresIn(readFileSync(file, 'utf8')).map((figure) => ({ file, ...figure })));
/** Measured by test/terraform, which skips itself without terraform. */
const unmeasurable = (name: string) => terraformMissing && name.startsWith('terraform_');

describe('the figures of the documentation', () => {
  // What this run recorded so far: every test that records a figure ran before this one.
  const measured = suiteFigures.read();

  it('are stated between markers in the README, docs/ and terraform/README.md', () => {
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.map((f) => f.file)).toContain('README.md');
  });

  it(`are each the value this run measured (${REPORT}; \`npm run figures\` writes them)`, () => {
    const wrong = shown
      // A figure measured on another Node.js major (node=N) is compared on that one (CI runs Node 20 first).
      .filter((figure) => !unmeasurable(figure.name) && comparable(figure))
      .flatMap(({ file, name, shown: value }) => {
        if (!(name in measured)) return [`${file}: ${name} was not measured by this run (the whole suite measures it: npm test)`];
        const expected = formatFigure(measured[name] as number | string);
        return value === expected ? [] : [`${file}: ${name} shows ${value}, this run measured ${expected} (npm run figures)`];
      });
    expect(wrong).toEqual([]);
  });

  it('include every figure the suite measures', () => {
    const names = new Set(shown.map((f) => f.name));
    expect(Object.keys(measured).filter((name) => !names.has(name))).toEqual([]);
  });
});
