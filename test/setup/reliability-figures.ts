// Vitest global setup: the reliability figures are this run's (test/reliability/figures.ts). Those
// of the last run are cleared; this run's are merged into reports/reliability.json when every test
// is over, so no two workers write that file.
import { suiteFigures } from '../reliability/figures.js';

export function setup(): () => void {
  suiteFigures.clear();
  return suiteFigures.merge;
}
