/**
 * Stacks mapped when written (src/shared/stackTrace.ts): a frame in a bundle file with a source map
 * reads its source file and line, as Node prints it with --enable-source-maps; every other frame is
 * left as it is.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { errorFields } from '../../src/shared/errors.js';
import { mapStack } from '../../src/shared/stackTrace.js';

const dir = mkdtempSync(join(tmpdir(), 'deploybridge-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'chunks'));
/**
 * A chunk whose first generated line is src/config/config.ts line 10 from column 0, dependency code
 * from column 20 (unmapped), line 20 from column 40; its twelfth line is line 30.
 */
function writeChunk(name: string): string {
  const file = join(dir, 'chunks', name);
  writeFileSync(file, '// generated\n');
  writeFileSync(
    `${file}.map`,
    JSON.stringify({ version: 3, sources: ['../src/config/config.ts'], names: [], mappings: 'AASA,oB,oBAUA;;;;;;;;;;;AAUA' }),
  );
  return file;
}
const source = join(dir, 'src', 'config', 'config.ts');

describe('mapStack', () => {
  it('maps each frame in a bundle file with a map to its source line, and leaves the others', () => {
    const chunk = writeChunk('handler-AB12.mjs');
    const url = pathToFileURL(chunk).href;
    const dependency = pathToFileURL(join(dir, 'chunks', 'chunk-CD34.mjs')).href;
    const stack = [
      'Error: boom',
      `    at Vt (${url}:1:5)`,
      `    at Vu (${url}:1:20)`,
      `    at Xx (${url}:1:21)`,
      `    at Yy (${url}:1:41)`,
      `    at Yz (${url}:12:7)`,
      `    at Zz (${dependency}:1:3)`,
      '    at async Promise.all (index 0)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at ${chunk}:1:1`,
    ].join('\n');
    expect(mapStack(stack).split('\n')).toEqual([
      'Error: boom',
      `    at Vt (${source}:10:1)`,
      `    at Vu (${source}:10:1)`,
      `    at Xx (${url}:1:21)`,
      `    at Yy (${source}:20:1)`,
      `    at Yz (${source}:30:1)`,
      `    at Zz (${dependency}:1:3)`,
      '    at async Promise.all (index 0)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at ${source}:10:1`,
    ]);
  });

  it('reads a map once: a stack written later is mapped from the map already read', () => {
    const chunk = writeChunk('handler-EF56.mjs');
    const stack = `Error: boom\n    at Vt (${pathToFileURL(chunk).href}:1:41)`;
    const first = mapStack(stack);
    rmSync(`${chunk}.map`);
    expect(mapStack(stack)).toBe(first);
    expect(first).toContain('config.ts:20:1');
  });

  it('leaves a stack Node mapped already (--enable-source-maps) as it is', () => {
    const stack = `Error: boom\n    at Vt (${source}:10:1)`;
    expect(mapStack(stack)).toBe(stack);
  });
});

describe('errorFields', () => {
  it('writes the stack with its frames mapped, masked after', () => {
    const chunk = writeChunk('handler-GH78.mjs');
    const error = new Error('token xoxb-123456789012-abcdefghijkl refused');
    error.stack = `Error: ${error.message}\n    at Vt (${pathToFileURL(chunk).href}:1:5)`;
    const { error_stack } = errorFields(error) as { error_stack: string };
    expect(error_stack).toContain(`at Vt (${source}:10:1)`);
    expect(error_stack).not.toContain('xoxb-123456789012');
  });
});
