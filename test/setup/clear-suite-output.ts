// Vitest global setup: the secret scan (test/secret-scan/) reads only what this run produced.
import { rmSync } from 'node:fs';
import { SUITE_OUTPUT_DIR } from '../helpers/suiteOutput.js';

export function setup(): void {
  rmSync(SUITE_OUTPUT_DIR, { recursive: true, force: true });
}
