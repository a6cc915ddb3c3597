import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Every TypeScript source under src/, as [path, text]. */
function sources(dir = 'src'): Array<[string, string]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [[path, readFileSync(path, 'utf8')] as [string, string]] : [];
  });
}

/** Static import statements that load code at start-up (type-only imports are erased). */
function staticImports(text: string): string[] {
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);
}

/** Specifiers loaded on first use with `import()`. */
function dynamicImports(text: string): string[] {
  return [...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] as string);
}

describe('lazy loading of the Lambda SDK (cold starts are benchmarked)', () => {
  it('@aws-sdk/client-lambda is imported by src/aws/lambda.ts only, never dynamically', () => {
    const importers = sources()
      .filter(([, text]) => text.includes("'@aws-sdk/client-lambda'"))
      .map(([path]) => path);
    expect(importers).toEqual(['src/aws/lambda.ts']);
    for (const [, text] of sources()) expect(text).not.toMatch(/import\(\s*'@aws-sdk\/client-lambda'/);
  });

  it('the Lambda target module is loaded by the targets registry with import(), never statically', () => {
    const isTargetModule = (path: string, spec: string) =>
      path.startsWith('src/targets/') ? spec === './lambda/index.js' : spec.endsWith('targets/lambda/index.js');
    const staticImporters = sources()
      .filter(([path, text]) => staticImports(text).some((spec) => isTargetModule(path, spec)))
      .map(([path]) => path);
    const dynamicImporters = sources()
      .filter(([path, text]) => dynamicImports(text).some((spec) => isTargetModule(path, spec)))
      .map(([path]) => path);
    expect(staticImporters).toEqual([]);
    expect(dynamicImporters).toEqual(['src/targets/registry.ts']);
  });

  it('in the bundle, nothing the entry chunk loads at init statically reaches the Lambda SDK or target', async () => {
    const result = await build({
      entryPoints: { index: 'src/index.ts' },
      outdir: 'dist-lazy-check',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === 'src/index.ts');
    expect(entry).toBeDefined();
    // Everything loaded before the handler runs: the entry and its static imports, transitively.
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const imported of outputs[name]?.imports ?? [])
        if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(entry as string);
    const inputs = [...loaded].flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}));
    expect(
      inputs.filter(
        (input) => input.includes('@aws-sdk/client-lambda') || input.startsWith('src/targets/lambda/') || input === 'src/aws/lambda.ts',
      ),
    ).toEqual([]);
    // …while the Lambda target is in the bundle, in a chunk of its own.
    expect(Object.values(outputs).some((output) => Object.keys(output.inputs).includes('src/targets/lambda/index.ts'))).toBe(true);
  });
});
