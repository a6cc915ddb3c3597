/**
 * The import graph of the code, for the tests that check its shape (test/unit/architecture.test.ts,
 * test/unit/lambda-lazy-loading.test.ts) and what the Lambda needs (test/terraform/source.ts).
 * Two real parsers, each for what it knows:
 *
 * - **The source graph** (TypeScript's own parser): every import of every file, with its kind:
 *   `value` (an import or re-export that loads the module), `type` (`import type`, `export type`,
 *   `typeof import(…)`: erased, loads nothing) and `dynamic` (`import()`), and the names it binds.
 *   The cycle check needs type-only imports too, and esbuild never sees them: it drops them
 *   before it resolves anything.
 * - **The bundle graph** (esbuild's metafile): the files a bundle really contains, resolved as the
 *   build resolves them, dynamic imports included and type-only ones not, and which chunk loads
 *   which, statically (`import-statement`) or on first use (`dynamic-import`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import type * as Ts from 'typescript';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** How a module is imported. */
export type ImportKind = 'value' | 'type' | 'dynamic';

/** A name an import or re-export binds: `import { name as local }`, `export { name as local } from`. */
export interface ImportedName {
  name: string;
  local: string;
  /** `import type { … }`, `import { type name }`: erased. */
  typeOnly: boolean;
}

export interface ModuleImport {
  /** As written: `'../deploy/deployer.js'`, `'@aws-sdk/client-lambda'`. */
  specifier: string;
  kind: ImportKind;
  /** Named bindings only (`{ … }`); a default or namespace import binds none here. */
  names: ImportedName[];
  /** For a relative specifier, the file it names (relative to the repository, `.js` read as `.ts`). */
  file?: string;
}

// The parsers load on first use: a test that reads the source graph from the cache loads neither.
const load = createRequire(import.meta.url);
let typescript: typeof Ts | undefined;

/** Every import of a TypeScript source text, in order, by TypeScript's parser. */
function parse(text: string, fileName: string): ModuleImport[] {
  typescript ??= load('typescript') as typeof Ts;
  const ts = typescript;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ModuleImport[] = [];
  const namesOf = (elements: ReadonlyArray<Ts.ImportSpecifier | Ts.ExportSpecifier>, typeOnly: boolean) =>
    elements.map((e) => ({ name: (e.propertyName ?? e.name).text, local: e.name.text, typeOnly: typeOnly || e.isTypeOnly }));
  const visit = (node: Ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause?.isTypeOnly === true;
      const bindings = clause?.namedBindings;
      // With verbatimModuleSyntax, `import { type A } from 'a'` still loads 'a': only `import type` is erased.
      found.push({
        specifier: node.moduleSpecifier.text,
        kind: typeOnly ? 'type' : 'value',
        names: bindings !== undefined && ts.isNamedImports(bindings) ? namesOf(bindings.elements, typeOnly) : [],
      });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      found.push({
        specifier: node.moduleSpecifier.text,
        kind: node.isTypeOnly ? 'type' : 'value',
        names: clause !== undefined && ts.isNamedExports(clause) ? namesOf(clause.elements, node.isTypeOnly) : [],
      });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = node.moduleReference.expression;
      if (ts.isStringLiteral(spec)) found.push({ specifier: spec.text, kind: node.isTypeOnly ? 'type' : 'value', names: [] });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [spec] = node.arguments;
      if (spec === undefined || !ts.isStringLiteralLike(spec)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        throw new Error(`${fileName}:${line + 1}: import() of a computed specifier cannot be followed; import a string literal`);
      }
      found.push({ specifier: spec.text, kind: 'dynamic', names: [] });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, kind: 'type', names: [] });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/* ------------------------------------------------------------------------------------------------
 * The source graph
 * ---------------------------------------------------------------------------------------------- */

/** Every .ts file under `dir` (relative to the repository), in a stable order. */
export function sourceFiles(dir = 'src'): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    })
    .sort();
}

/**
 * Parsed imports are kept in .tmp/import-graph/, by the hash of the text parsed and of the parser
 * (this file and the typescript version): a run parses only what changed since the last one.
 * Entries are written whole, then renamed into place, so parallel workers never read half of one.
 */
const CACHE_DIR = join(REPO_ROOT, '.tmp', 'import-graph');
const PARSER = createHash('sha256')
  .update(readFileSync(new URL(import.meta.url), 'utf8'))
  .update(readFileSync(join(REPO_ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8'))
  .digest('hex');

/**
 * Every import of a TypeScript source text, in order (`fileName` names it in errors). An
 * `import()` of anything but a string literal cannot be followed, and is refused.
 *
 * @example
 * parseImports("import { type A, b as c } from './x.js';"); // [{ specifier: './x.js', kind: 'value', names: [{ name: 'A', local: 'A', typeOnly: true }, { name: 'b', local: 'c', typeOnly: false }] }]
 */
export function parseImports(text: string, fileName = 'module.ts'): ModuleImport[] {
  const key = createHash('sha256').update(PARSER).update('\0').update(text).digest('hex');
  const entry = join(CACHE_DIR, `${key}.json`);
  try {
    return JSON.parse(readFileSync(entry, 'utf8')) as ModuleImport[];
  } catch {
    const imports = parse(text, fileName);
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${entry}.${process.pid}-${threadId}.tmp`;
    writeFileSync(partial, JSON.stringify(imports));
    renameSync(partial, entry);
    return imports;
  }
}

/** The file a relative specifier names, relative to the repository (`./x.js` is `./x.ts`); undefined for a package. */
function fileOf(importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  return join(dirname(importer), specifier).replace(/\.js$/, '.ts');
}

const graphs = new Map<string, Map<string, ModuleImport[]>>();

/**
 * Every import of every .ts file under `dir` (keys relative to the repository: `src/index.ts`),
 * relative ones with the file they name.
 *
 * @example
 * sourceImports().get('src/index.ts'); // [{ specifier: './entry/handler.js', kind: 'value', names: [...], file: 'src/entry/handler.ts' }]
 */
export function sourceImports(dir = 'src'): Map<string, ModuleImport[]> {
  let graph = graphs.get(dir);
  if (graph === undefined) {
    graph = new Map(
      sourceFiles(dir).map((file) => {
        const imports = parseImports(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
        return [file, imports.map((i) => ({ ...i, file: fileOf(file, i.specifier) }))];
      }),
    );
    graphs.set(dir, graph);
  }
  return graph;
}

/* ------------------------------------------------------------------------------------------------
 * The bundle graph
 * ---------------------------------------------------------------------------------------------- */

/**
 * The source files a bundle of `entry` contains, relative to the repository: `entry` and every
 * file it reaches through value and dynamic imports, as esbuild resolves them. Packages are left
 * out of the build (they cannot import the code back), which keeps it to a few milliseconds.
 */
export function bundledSources(entry = join(REPO_ROOT, 'src', 'index.ts')): string[] {
  const { buildSync } = load('esbuild') as typeof Esbuild;
  const { metafile } = buildSync({
    entryPoints: [entry],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    splitting: true,
    outdir: join(REPO_ROOT, '.tmp', 'import-graph-bundle'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs)
    .map((input) => relative(REPO_ROOT, resolve(REPO_ROOT, input)))
    .sort();
}

/**
 * The Lambda's bundle as `npm run build` makes it (build.mjs's settings: the SDK bundled, a chunk
 * per `import()`), without writing it: its metafile. Takes about a second.
 */
export async function lambdaBundle(): Promise<Esbuild.Metafile> {
  const [{ build }, { bundleOptions }] = await Promise.all([import('esbuild'), import('../../build.mjs')]);
  const result = await build({
    ...bundleOptions,
    entryPoints: { index: 'src/index.ts' },
    absWorkingDir: REPO_ROOT,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir: join(REPO_ROOT, '.tmp', 'import-graph-bundle'),
    write: false,
    sourcemap: false,
    minify: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/**
 * The source inputs of `chunk` and of every chunk it imports statically, transitively: what loading
 * it loads (a chunk loaded with `import()` is not).
 *
 * @example
 * loadedWith(outputs, chunkOf(outputs, 'src/entry/handler.ts') as string); // ['src/entry/handler.ts', 'src/entry/app.ts', …]
 */
export function loadedWith(outputs: Esbuild.Metafile['outputs'], chunk: string): string[] {
  const loaded = new Set<string>();
  const visit = (name: string) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const imported of outputs[name]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(chunk);
  return [...loaded].flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}));
}

/** The chunk that holds the source `input`, if one does. */
export function chunkOf(outputs: Esbuild.Metafile['outputs'], input: string): string | undefined {
  return Object.keys(outputs).find((name) => Object.keys(outputs[name]?.inputs ?? {}).includes(input));
}
