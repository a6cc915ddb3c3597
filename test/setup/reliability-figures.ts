// Vitest global setup: the reliability figures of this run (see test/reliability/figures.ts) are
// merged into reports/reliability.json when every test is over, so no two workers write that file.
import { suiteFigures } from '../reliability/figures.js';

export function setup(): () => void {
  suiteFigures.clear();
  return suiteFigures.merge;
}
