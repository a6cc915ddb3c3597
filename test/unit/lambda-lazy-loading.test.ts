/**
 * The Lambda SDK and the Lambda target load on first use, not at init (cold starts are
 * benchmarked): in the source (who imports them, and how) and in the bundle `npm run build` makes
 * (which chunk holds them, and what loads that chunk).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { chunkOf, lambdaBundle, loadedWith, sourceImports } from '../helpers/importGraph.js';

const LAMBDA_SDK = '@aws-sdk/client-lambda';
const LAMBDA_TARGET = 'src/targets/lambda/index.ts';

/** The files under src/ with an import of `kind` that matches. */
function importers(kind: 'value' | 'type' | 'dynamic' | 'any', matches: (i: { specifier: string; file?: string }) => boolean): string[] {
  return [...sourceImports()]
    .filter(([, imports]) => imports.some((i) => (kind === 'any' || i.kind === kind) && matches(i)))
    .map(([file]) => file);
}
const isLambdaSdk = (i: { specifier: string }) => i.specifier === LAMBDA_SDK || i.specifier.startsWith(`${LAMBDA_SDK}/`);

describe('lazy loading of the Lambda SDK (cold starts are benchmarked)', () => {
  it('@aws-sdk/client-lambda is imported by src/aws/lambda.ts only, never dynamically', () => {
    expect(importers('any', isLambdaSdk)).toEqual(['src/aws/lambda.ts']);
    expect(importers('dynamic', isLambdaSdk)).toEqual([]);
  });

  it('the Lambda target module is loaded by the targets registry with import(), never statically', () => {
    // Type-only imports of it load nothing, and are allowed anywhere.
    expect(importers('value', (i) => i.file === LAMBDA_TARGET)).toEqual([]);
    expect(importers('dynamic', (i) => i.file === LAMBDA_TARGET)).toEqual(['src/targets/registry.ts']);
  });

  describe('in the bundle', () => {
    let outputs: Metafile['outputs'];
    beforeAll(async () => {
      ({ outputs } = await lambdaBundle());
    });
    const isLambdaCode = (input: string) =>
      input.includes(`node_modules/${LAMBDA_SDK}/`) || input.startsWith('src/targets/lambda/') || input === 'src/aws/lambda.ts';

    it('nothing the entry chunk loads at init statically reaches the Lambda SDK or target', () => {
      const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === 'src/index.ts');
      expect(entry).toBeDefined();
      const atInit = loadedWith(outputs, entry as string);
      expect(atInit).toContain('src/index.ts');
      expect(atInit.filter(isLambdaCode)).toEqual([]);
    });

    it('nor does what the first event loads before its route: the handler and its static imports', () => {
      const handler = chunkOf(outputs, 'src/entry/handler.ts');
      expect(handler).toBeDefined();
      const firstEvent = loadedWith(outputs, handler as string);
      expect(firstEvent).toContain('src/entry/app.ts');
      expect(firstEvent.filter(isLambdaCode)).toEqual([]);
    });

    it('the Lambda target and the Lambda SDK are in the bundle, in a chunk loaded with import()', () => {
      const target = chunkOf(outputs, LAMBDA_TARGET);
      expect(target).toBeDefined();
      expect(loadedWith(outputs, target as string).some((input) => input.includes(`node_modules/${LAMBDA_SDK}/`))).toBe(true);
      const dynamicallyImported = Object.values(outputs).flatMap((o) =>
        o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
      );
      expect(dynamicallyImported).toContain(target);
    });
  });
});
