/** The import parsers the shape tests rely on (test/helpers/importGraph.ts), on small texts of their own. */
import { describe, expect, it } from 'vitest';
import { parseImports, sourceImports } from './importGraph.js';

const imports = (text: string) => parseImports(text).map(({ specifier, kind }) => `${kind} ${specifier}`);

describe('import graph: the parser', () => {
  it('tells value, type-only and dynamic imports apart, re-exports included', () => {
    const text = [
      "import { a, type B, c as d } from './values.js';",
      "import type { T } from '@aws-sdk/client-lambda';",
      "import './side-effect.js';",
      "import * as ns from './namespace.js';",
      "export { e as f } from './reexported.js';",
      "export type { G } from './reexported-type.js';",
      "export * from './everything.js';",
      "type M = typeof import('./type-query.js');",
      'export async function load() {',
      "  return (await import('./lazy.js')).run(a, d, ns);",
      '}',
    ].join('\n');
    expect(imports(text)).toEqual([
      'value ./values.js',
      'type @aws-sdk/client-lambda',
      'value ./side-effect.js',
      'value ./namespace.js',
      'value ./reexported.js',
      'type ./reexported-type.js',
      'value ./everything.js',
      'type ./type-query.js',
      'dynamic ./lazy.js',
    ]);
  });

  it('names what each binds, and which names are types only', () => {
    const [values, types, reexport] = parseImports(
      [
        "import { a, type B, c as d } from './values.js';",
        "import type { T, U as V } from 'pkg';",
        "export { UpdateServiceCommand as Update } from '@aws-sdk/client-ecs';",
      ].join('\n'),
    );
    expect(values?.names).toEqual([
      { name: 'a', local: 'a', typeOnly: false },
      { name: 'B', local: 'B', typeOnly: true },
      { name: 'c', local: 'd', typeOnly: false },
    ]);
    expect(types?.names).toEqual([
      { name: 'T', local: 'T', typeOnly: true },
      { name: 'U', local: 'V', typeOnly: true },
    ]);
    expect(reexport?.names).toEqual([{ name: 'UpdateServiceCommand', local: 'Update', typeOnly: false }]);
  });

  it('reads code, not comments or strings', () => {
    const text = [
      "// import { x } from './commented.js';",
      "/* export * from './block-commented.js'; */",
      'const text = "import(\'./in-a-string.js\')";',
      "const template = `from './in-a-template.js'`;",
    ].join('\n');
    expect(imports(text)).toEqual([]);
  });

  it('refuses an import() it cannot follow', () => {
    expect(() => parseImports("const name = './x.js';\nawait import(name);", 'src/lazy.ts')).toThrow(
      'src/lazy.ts:2: import() of a computed specifier cannot be followed',
    );
  });
});

describe('import graph: src/', () => {
  it('has every .ts file of src/, and resolves relative imports to the files they name', () => {
    const graph = sourceImports();
    expect(graph.get('src/index.ts')).toEqual([
      { specifier: 'aws-lambda', kind: 'type', names: [{ name: 'Context', local: 'Context', typeOnly: true }], file: undefined },
      {
        specifier: './interactions/functionUrlEvent.js',
        kind: 'value',
        names: [{ name: 'isFunctionUrlEvent', local: 'isFunctionUrlEvent', typeOnly: false }],
        file: 'src/interactions/functionUrlEvent.ts',
      },
      { specifier: './entry/interactions.js', kind: 'dynamic', names: [], file: 'src/entry/interactions.ts' },
      { specifier: './entry/handler.js', kind: 'dynamic', names: [], file: 'src/entry/handler.ts' },
    ]);
    expect([...graph.keys()].filter((file) => !file.startsWith('src/') || !file.endsWith('.ts'))).toEqual([]);
    expect(graph.size).toBeGreaterThan(50);
  });
});
