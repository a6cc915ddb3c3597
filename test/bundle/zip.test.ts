/**
 * The deployable zip as build.mjs writes it: the bundle's files byte for byte, the same zip for the
 * same code, and source maps that still give each frame of deploybridge's code its file and line in
 * the stacks deploybridge writes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, bundleFiles, LAMBDA_ENTRY_POINTS, zipBundle } from '../../build.mjs';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploybridge-zip-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the deployable zip', () => {
  it('holds every file of the bundle, byte for byte, and is the same zip when built again', async () => {
    const out = join(dir, 'lambda');
    await buildBundle(out, { entryPoints: LAMBDA_ENTRY_POINTS, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
    const zip = zipBundle(out);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(bundleFiles(out).sort());
    expect(Object.keys(files)).toContain('index.mjs');
    expect(Object.keys(files).filter((name) => name.endsWith('.mjs.map')).length).toBeGreaterThan(0);
    for (const [name, data] of Object.entries(files)) expect(Buffer.from(data).equals(readFileSync(join(out, name))), name).toBe(true);
    expect(Buffer.from(zipBundle(out)).equals(Buffer.from(zip))).toBe(true);
  }, 120_000);

  it('a logged error’s stack reads its file and line in src/, as Node maps it with --enable-source-maps', async () => {
    const out = join(dir, 'probe');
    const contents = [
      "import { configErrorStack } from './test/bundle/probes.ts';",
      'process.stdout.write(JSON.stringify(await configErrorStack()));',
    ].join('\n');
    await buildBundle(out, {
      stdin: { contents, resolveDir: process.cwd(), sourcefile: 'probe-entry.ts', loader: 'ts' },
      outfile: join(out, 'probe.mjs'),
    });
    const probe = async (flags: string[]) =>
      JSON.parse((await promisify(execFile)(process.execPath, [...flags, join(out, 'probe.mjs')], { encoding: 'utf8' })).stdout) as {
        stack: string;
        logged: string;
      };
    const source = readFileSync('src/config/config.ts', 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('throw new ConfigError(read.problems)')) + 1;
    expect(line).toBeGreaterThan(0);
    // As Lambda runs it (no flag): V8's own stack names the bundle, the logged one the source. The
    // function's name is the minified one (Node prints the name V8 knows) and the column is not
    // kept, printed as 1 (bench/sourcemap.mjs).
    const plain = await probe([]);
    expect(plain.stack.split('\n')[1]).toMatch(/\(file:.*\/probe\.mjs:\d+:\d+\)$/);
    expect(plain.logged.split('\n')[1]).toMatch(new RegExp(`^\\s+at \\S+ \\(/.*/src/config/config\\.ts:${line}:1\\)$`));
    // Node's own mapping of the same frame, with the flag: the same text.
    const mapped = await probe(['--enable-source-maps']);
    expect(plain.logged.split('\n')[1]).toBe(mapped.stack.split('\n')[1]);
  }, 120_000);
});
