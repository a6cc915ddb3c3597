// Vitest global setup: the figures test/figures/ compares with the documentation are this run's.
import { rmSync } from 'node:fs';
import { REPORT } from '../../scripts/figures.mjs';

export function setup(): void {
  rmSync(REPORT, { force: true });
}
