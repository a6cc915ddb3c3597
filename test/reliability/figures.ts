import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = 'reports/reliability.json';

/**
 * Records a figure the reliability tests measured (cases generated, duplicates sent, …) in
 * reports/reliability.json, from which `npm run figures` fills the figures of the documentation
 * (scripts/figures.mjs; test/figures/ fails when they differ).
 */
export function recordFigure(name: string, value: number | string): void {
  mkdirSync('reports', { recursive: true });
  let figures: Record<string, number | string> = {};
  try {
    figures = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, number | string>;
  } catch {
    // first figure of this run
  }
  figures[name] = value;
  writeFileSync(FILE, `${JSON.stringify(figures, null, 2)}\n`);
}
