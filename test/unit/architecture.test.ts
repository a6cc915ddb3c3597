/**
 * The shape of src/: the flow reads in one direction (event → router → handler → catalog → plan →
 * deployer → target → present/ → Slack), so the import graph has no cycle, and the deployer knows
 * targets only through their contract.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceFiles, sourceImports } from '../helpers/importGraph.js';

/**
 * Every relative import of each file under src/ (value, type-only and dynamic: a cycle through a
 * type is still a cycle for a reader), as the file it names. TypeScript's parser, not the bundle's
 * graph: esbuild drops type-only imports before it resolves them.
 */
const graph = new Map(
  [...sourceImports()].map(([file, imports]) => [file, imports.flatMap((i) => (i.file === undefined ? [] : [i.file]))]),
);

/** The cycles of the graph, each as the path that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      found.push([...stack.slice(stack.indexOf(file)), file]);
      return;
    }
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('architecture', () => {
  it('every relative import resolves to a file under src/', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${file} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('the import graph of src/ has no cycle (type-only and dynamic imports included)', () => {
    expect(cycles()).toEqual([]);
  });

  it('the deployer reaches targets only through their contract', () => {
    const targetImports = [...graph]
      .filter(([file]) => file.startsWith('src/deploy/'))
      .flatMap(([file, imports]) => imports.filter((target) => target.startsWith('src/targets/')).map((target) => `${file} → ${target}`));
    expect(targetImports.length).toBeGreaterThan(0);
    expect(targetImports.filter((line) => !line.endsWith(' → src/targets/contract.ts'))).toEqual([]);
  });

  it('the deployer (src/deploy/) does not branch on a kind of target: no kind named, no `.target` compared or switched on', () => {
    const deployer = sourceFiles('src/deploy');
    expect(deployer).toEqual(expect.arrayContaining(['src/deploy/deployer.ts', 'src/deploy/reporter.ts', 'src/deploy/batch/merge.ts']));
    for (const file of deployer) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code.match(/['"`](?:ecs|lambda)['"`]|\.target\s*[!=]==?|switch\s*\([^)]*\.target\s*\)/gi) ?? [], file).toEqual([]);
    }
  });

  it('triggers plan without the deployments table: nothing under src/triggers/ imports src/following/', () => {
    const following = [...graph].flatMap(([file, imports]) =>
      file.startsWith('src/triggers/') ? imports.filter((target) => target.startsWith('src/following/')).map((t) => `${file} → ${t}`) : [],
    );
    expect(following).toEqual([]);
  });

  it('the preflight (src/verify/) is an operator tool, not part of the Lambda: src/index.ts does not reach it', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const next of graph.get(file) ?? []) visit(next);
    };
    visit('src/index.ts');
    expect(reached.size).toBeGreaterThan(20);
    expect([...reached].filter((file) => file.startsWith('src/verify/'))).toEqual([]);
  });

  it('targets write no Slack wording and have no dry-run branch', () => {
    for (const file of sourceFiles('src/targets')) {
      expect(
        graph.get(file)?.filter((target) => target.startsWith('src/slack/') || target.startsWith('src/present/')),
        file,
      ).toEqual([]);
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/dryRun|DRY_RUN/);
    }
  });
});
