/**
 * docs/architecture.md is true to the tree: its folder table has one row per folder of src/, the
 * main file of each (the first its row names) opens with a paragraph, and every path the page names exists, a file named in a row by its name alone (`deployer.ts`) in that
 * row's folder, a path under a concept (`triggers/requests.ts`) under src/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineCode, prose } from './markdown.js';

const PAGE = 'docs/architecture.md';
/** Top-level folders of the repository a path may start with; anything else with a "/" is under src/. */
const REPO_FOLDERS = /^(?:src|test|terraform|events|bench|docs|scripts|\.ci)\//;

/** Every folder under src/ (`src/deploy/batch/`), with a trailing slash. */
function sourceFolders(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [`${join(dir, entry.name)}/`, ...sourceFolders(join(dir, entry.name))])
    .sort();
}

/** The rows of the folder table: the folder of the first cell, and the code spans of the others. */
function folderRows(text: string): Array<{ folder: string; named: string[] }> {
  return prose(text)
    .split('\n')
    .filter((line) => /^\| `src\//.test(line))
    .map((line) => {
      const [, first = '', ...rest] = line.split(/(?<!\\)\|/);
      return { folder: inlineCode(first)[0] ?? '', named: rest.flatMap((cell) => inlineCode(cell)) };
    });
}

/** What a code span names as a path, from a row of `folder` (or outside the table): undefined when it is not a path. */
function pathOf(code: string, folder: string | undefined): string | undefined {
  if (REPO_FOLDERS.test(code)) return code;
  if (/^[\w.-]+(?:\/[\w.-]+)+\/?$/.test(code)) return `src/${code}`;
  if (folder !== undefined && /^[\w-]+\.(?:ts|mjs|json)$/.test(code)) return `${folder}${code}`;
  return undefined;
}

/** Every path the page names, each as the repository path it resolves to. */
function namedPaths(text: string): string[] {
  const inRows = folderRows(text).flatMap(({ folder, named }) => [folder, ...named].flatMap((code) => pathOf(code, folder) ?? []));
  const outside = inlineCode(
    prose(text)
      .split('\n')
      .filter((line) => !line.startsWith('|'))
      .join('\n'),
  ).flatMap((code) => pathOf(code, undefined) ?? []);
  return [...inRows, ...outside];
}

describe('docs/architecture.md', () => {
  const text = readFileSync(PAGE, 'utf8');

  it('has one row per folder of src/, in its folder table', () => {
    const folders = folderRows(text).map((row) => row.folder);
    expect([...folders].sort()).toEqual(sourceFolders());
    expect(new Set(folders).size).toBe(folders.length);
  });

  it("opens each folder's main file (the first file its row names) with a paragraph saying what it holds", () => {
    const unexplained = folderRows(text).flatMap(({ folder, named }) => {
      const main = named.map((code) => pathOf(code, folder)).find((path) => path?.startsWith(folder) && path.endsWith('.ts'));
      if (main === undefined) return [`${folder}: names no file of its own`];
      const header = /^\/\*\*\n((?: \*.*\n)+) \*\//.exec(readFileSync(main, 'utf8'))?.[1] ?? '';
      return header.split('\n').length > 2 ? [] : [`${main}: no header paragraph`];
    });
    expect(unexplained).toEqual([]);
  });

  it('names only paths that exist', () => {
    const paths = namedPaths(text);
    // The table names every folder and more than a hundred files; the prose names paths too.
    expect(paths.length).toBeGreaterThan(100);
    expect(paths).toEqual(
      expect.arrayContaining(['src/deploy/batch/merge.ts', 'src/targets/lambda/release.ts', 'src/triggers/requests.ts']),
    );
    expect(paths.filter((path) => !existsSync(path))).toEqual([]);
  });

  it('reads a name in a row as a file of that row’s folder, and a path under a concept as under src/', () => {
    expect(pathOf('deployer.ts', 'src/deploy/')).toBe('src/deploy/deployer.ts');
    expect(pathOf('triggers/requests.ts', undefined)).toBe('src/triggers/requests.ts');
    expect(pathOf('test/unit/architecture.test.ts', 'src/deploy/')).toBe('test/unit/architecture.test.ts');
    expect(pathOf('onStarted', 'src/following/')).toBeUndefined();
    expect(pathOf('npm run verify', undefined)).toBeUndefined();
    const broken = `| Folder | What | Files |\n|---|---|---|\n| \`src/deploy/\` | running | \`deployer.ts\`, \`runner.ts\` |\n\nSee \`targets/nowhere.ts\`.\n`;
    expect(namedPaths(broken).filter((path) => !existsSync(path))).toEqual(['src/deploy/runner.ts', 'src/targets/nowhere.ts']);
  });
});
