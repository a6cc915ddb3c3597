/**
 * Stack traces that name deploybridge's source files, mapped when they are written.
 *
 * The bundle ships a source map of its own code beside each chunk that has any (build.mjs). Node
 * could apply them itself (`--enable-source-maps`), but then every cold start reads and indexes the
 * map of each module it loads, for the rare stack that is ever written: measured on the manual
 * route, 12 ms of CPU and 4.6 MB of memory on Node 20, 9 ms and 6 MB on Node 22. So the stacks
 * deploybridge writes (a logged error's, a failed invocation's) are mapped here instead: each frame
 * in a bundle file with a map reads `…/src/…ts:line`, as Node prints it with the flag, and a map
 * is read the first time a stack needs it. A frame in dependency code (no map, or no mapping at
 * that position) stays as it is.
 */
import { readFileSync } from 'node:fs';
import type { SourceMap, SourceMapPayload, SourceMapping } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A frame's location in a bundle file: `file:///var/task/chunks/handler-X.mjs:1:2345` or a plain path. */
const BUNDLE_LOCATION = /(file:\/\/\/[^\s()]+?\.mjs|\/[^\s():]+?\.mjs):(\d+):(\d+)/g;

/** The map of each bundle file asked for so far; `undefined`: it has none (or it cannot be read). */
const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      // Loaded here, not imported: node:module is a builtin no other code of a cold start loads.
      const { SourceMap } = process.getBuiltinModule('node:module');
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      map = undefined; // dependency code only: build.mjs writes no map for it
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/**
 * The stack with each frame in deploybridge's bundled code mapped to its source file and line.
 *
 * @example
 * mapStack('Error: x\n    at Vt (file:///var/task/chunks/handler-AB12.mjs:1:20931)');
 * // 'Error: x\n    at Vt (/var/task/src/config/config.ts:394:1)'
 */
export function mapStack(stack: string): string {
  return stack.replace(BUNDLE_LOCATION, (location: string, where: string, line: string, column: string) => {
    const file = where.startsWith('file:') ? fileURLToPath(where) : where;
    // A position in dependency code has a mapping without a source (bench/sourcemap.mjs).
    const entry: Partial<SourceMapping> = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1) ?? {};
    const { originalSource, originalLine = 0, originalColumn = 0 } = entry;
    if (originalSource === undefined) return location;
    // Sources are relative to the map, as esbuild writes them; Node resolves them the same way and
    // prints a path, not a URL.
    return `${resolve(dirname(file), originalSource)}:${originalLine + 1}:${originalColumn + 1}`;
  });
}
