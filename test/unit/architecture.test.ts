/**
 * The shape of src/: the flow reads in one direction (event → router → trigger → plan → deployer →
 * target → follower → present/ → Slack), so the import graph has no cycle, src/ keeps only its
 * entry file at its root and no file a reader cannot take in at once, and the deployer knows
 * targets only through their contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { createAwsTargets } from '../../src/targets/registry.js';
import { parseImports, sourceFiles, sourceImports, type ModuleImport } from '../helpers/importGraph.js';

/** The longest a file under src/ may be. */
const MAX_LINES = 450;

/** The kinds of target the registry knows (creating it loads no target: each is made on first use). */
const KINDS = Object.keys(createAwsTargets({} as AwsClients));

/** The words of an identifier: `EcsRollout` → ecs, rollout; `LAMBDA_TARGET` → lambda, target. */
const words = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_]+/)
    .map((w) => w.toLowerCase());

/**
 * Where a file of the deployer (src/deploy/) knows a kind of target, one line each: an import of a
 * target module other than the contract, of a kind's SDK door (src/aws/lambda.ts) or client, or
 * of a name that names a kind (`EcsRollout`, `LambdaProgress`); a kind named in the code (`'ecs'`, a
 * property `.lambda`); a comparison of, or a switch on, a `.target`. The invocation's own Lambda
 * context (`aws-lambda`'s `Context`, `lambdaContext`) is not a kind of target.
 */
function kindLeaks(file: string, text: string): string[] {
  const leaks: string[] = [];
  const imports: ModuleImport[] = parseImports(text, file);
  for (const i of imports) {
    const target = i.specifier.startsWith('.')
      ? new URL(i.specifier, `file:///${file}`).pathname.slice(1).replace(/\.js$/, '.ts')
      : undefined;
    if (target?.startsWith('src/targets/') && target !== 'src/targets/contract.ts') leaks.push(`imports ${target}`);
    if (target?.startsWith('src/aws/') && words(target.slice('src/aws/'.length, -'.ts'.length)).some((w) => KINDS.includes(w)))
      leaks.push(`imports ${target}`);
    if (KINDS.some((kind) => i.specifier.startsWith(`@aws-sdk/client-${kind}`))) leaks.push(`imports ${i.specifier}`);
    for (const { name } of i.names) if (words(name).some((w) => KINDS.includes(w))) leaks.push(`imports ${name}`);
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const isTarget = (node: ts.Node) => ts.isPropertyAccessExpression(node) && node.name.text === 'target';
  const at = (node: ts.Node) => `${node.getText(source)} (line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`;
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && KINDS.includes(node.text.toLowerCase()))
      leaks.push(`names a kind: ${at(node)}`);
    if (ts.isPropertyAccessExpression(node) && KINDS.includes(node.name.text)) leaks.push(`reads a kind's field: ${at(node)}`);
    if (
      ts.isBinaryExpression(node) &&
      [
        ts.SyntaxKind.EqualsEqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsEqualsToken,
        ts.SyntaxKind.EqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsToken,
      ].includes(node.operatorToken.kind) &&
      (isTarget(node.left) || isTarget(node.right))
    )
      leaks.push(`compares a target: ${at(node)}`);
    if (ts.isSwitchStatement(node) && isTarget(node.expression)) leaks.push(`switches on a target: ${at(node.expression)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return leaks;
}

/**
 * Every relative import of each file under src/ (value, type-only and dynamic: a cycle through a
 * type is still a cycle for a reader), as the file it names. TypeScript's parser, not the bundle's
 * graph: esbuild drops type-only imports before it resolves them.
 */
const graph = new Map(
  [...sourceImports()].map(([file, imports]) => [file, imports.flatMap((i) => (i.file === undefined ? [] : [i.file]))]),
);

/** The cycles of an import graph (file → the files it imports), each as the path that closes it. */
function cycles(of: ReadonlyMap<string, readonly string[]>): string[][] {
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
    for (const next of of.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of of.keys()) visit(file);
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
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle check finds a cycle closed by a type-only import or by an import()', () => {
    const files: Record<string, string> = {
      'src/a.ts': "import { b } from './b.js';",
      'src/b.ts': "import type { A } from './a.js';\nexport const b = 1;",
      'src/c.ts': "export const c = () => import('./d/d.js');",
      'src/d/d.ts': "import { c } from '../c.js';",
      'src/e.ts': "import { b } from './b.js';",
    };
    const parsed = new Map(
      Object.entries(files).map(([file, text]) => [
        file,
        parseImports(text, file).map((i) => new URL(i.specifier, `file:///${file}`).pathname.slice(1).replace(/\.js$/, '.ts')),
      ]),
    );
    expect(cycles(parsed)).toEqual([
      ['src/a.ts', 'src/b.ts', 'src/a.ts'],
      ['src/c.ts', 'src/d/d.ts', 'src/c.ts'],
    ]);
  });

  it('src/ keeps only its entry file at its root; every other file is in the folder of its concept', () => {
    expect(
      readdirSync('src', { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name),
    ).toEqual(['index.ts']);
  });

  it(`no file under src/ is longer than ${MAX_LINES} lines`, () => {
    const files = sourceFiles('src');
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it('the deployer reaches targets only through their contract', () => {
    const targetImports = [...graph]
      .filter(([file]) => file.startsWith('src/deploy/'))
      .flatMap(([file, imports]) => imports.filter((target) => target.startsWith('src/targets/')).map((target) => `${file} → ${target}`));
    expect(targetImports.length).toBeGreaterThan(0);
    expect(targetImports.filter((line) => !line.endsWith(' → src/targets/contract.ts'))).toEqual([]);
  });

  it('the deployer (src/deploy/) knows no kind of target: it imports none, names none, and does not branch on one', () => {
    expect(KINDS).toEqual(['ecs', 'lambda']);
    const deployer = sourceFiles('src/deploy');
    expect(deployer).toEqual(expect.arrayContaining(['src/deploy/deployer.ts', 'src/deploy/reporter.ts', 'src/deploy/batch/merge.ts']));
    for (const file of deployer) expect(kindLeaks(file, readFileSync(file, 'utf8')), file).toEqual([]);
  });

  it('the check above finds a kind of target imported, named or branched on in the deployer', () => {
    const file = 'src/deploy/deployer.ts';
    const code = readFileSync(file, 'utf8');
    // Each leak as found in the deployer with one line added, at its top or first in deploy().
    const leaks = (added: string, where: 'top' | 'in deploy()' = 'in deploy()') =>
      kindLeaks(
        file,
        where === 'top' ? `${added}\n${code}` : code.replace(/(private async deploy\([^)]*\)[^{]*\{\n)/, (m) => `${m}    ${added}\n`),
      ).map((leak) => leak.replace(/ \(line \d+\)$/, ''));
    expect(code).toMatch(/private async deploy\(/);
    expect(leaks("import { createEcsTarget } from '../targets/ecs.js';", 'top')).toEqual([
      'imports src/targets/ecs.ts',
      'imports createEcsTarget',
    ]);
    expect(leaks("import type { EcsRollout } from '../targets/outcomes.js';", 'top')).toEqual([
      'imports src/targets/outcomes.ts',
      'imports EcsRollout',
    ]);
    expect(leaks("import type { LambdaDeployment } from '../triggers/requests.js';", 'top')).toEqual(['imports LambdaDeployment']);
    expect(leaks("import type { LambdaClient } from '../aws/lambda.js';", 'top')).toEqual([
      'imports src/aws/lambda.ts',
      'imports LambdaClient',
    ]);
    expect(leaks("import { UpdateServiceCommand } from '@aws-sdk/client-ecs';", 'top')).toEqual(['imports @aws-sdk/client-ecs']);
    expect(leaks("if (request.target === 'ecs') return undefined as never;")).toEqual([
      "compares a target: request.target === 'ecs'",
      "names a kind: 'ecs'",
    ]);
    expect(leaks('if (this.parts.targets.lambda === undefined) return undefined as never;')).toEqual([
      "reads a kind's field: this.parts.targets.lambda",
    ]);
    expect(leaks('switch (request.target) { default: }')).toEqual(['switches on a target: request.target']);
    expect(leaks('const kind = `lambda`;')).toEqual(['names a kind: `lambda`']);
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
