/** Where the repository, the module and its example are. */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const MODULE_DIR = join(REPO_ROOT, 'terraform');
export const EXAMPLE_DIR = join(MODULE_DIR, 'examples', 'complete');
