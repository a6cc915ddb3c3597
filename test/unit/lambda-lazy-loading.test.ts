/**
 * The Lambda SDK loads on first use, not at init nor with the first event (cold starts are
 * benchmarked): in the source (who imports it, and how) and in the bundle `npm run build` makes
 * (which chunk holds it, and what loads that chunk). The Lambda target's own code is small and
 * loads with the handler; it is given the SDK's commands with the client.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { chunkOf, lambdaBundle, loadedWith, sourceImports } from '../helpers/importGraph.js';

const LAMBDA_SDK = '@aws-sdk/client-lambda';
const LAMBDA_DOOR = 'src/aws/lambda.ts';

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

  it('its door (src/aws/lambda.ts) is loaded with import() only, by the clients, the target, the planning reads and the click hand-off', () => {
    // Type-only imports of it load nothing, and are allowed anywhere. The offline tools (npm start, npm run verify) may load it as they please.
    const online = (file: string) => !file.startsWith('src/local/') && !file.startsWith('src/verify/');
    expect(importers('value', (i) => i.file === LAMBDA_DOOR).filter(online)).toEqual([]);
    expect(
      importers('dynamic', (i) => i.file === LAMBDA_DOOR)
        .filter(online)
        .sort(),
    ).toEqual(['src/aws/clients.ts', 'src/entry/interactions.ts', 'src/targets/lambda/index.ts', 'src/triggers/reads/lambda.ts']);
  });

  describe('in the bundle', () => {
    let outputs: Metafile['outputs'];
    beforeAll(async () => {
      ({ outputs } = await lambdaBundle());
    });
    const isLambdaSdk = (input: string) => input.includes(`node_modules/${LAMBDA_SDK}/`) || input === LAMBDA_DOOR;

    it('nothing the entry chunk loads at init statically reaches the Lambda SDK or target', () => {
      const isLambdaCode = (input: string) => isLambdaSdk(input) || input.startsWith('src/targets/lambda/');
      const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === 'src/index.ts');
      expect(entry).toBeDefined();
      const atInit = loadedWith(outputs, entry as string);
      expect(atInit).toContain('src/index.ts');
      expect(atInit.filter(isLambdaCode)).toEqual([]);
    });

    it('nor does what the first event loads before its route (the handler and its static imports): the target, but not the SDK', () => {
      const handler = chunkOf(outputs, 'src/entry/handler.ts');
      expect(handler).toBeDefined();
      const firstEvent = loadedWith(outputs, handler as string);
      expect(firstEvent).toContain('src/targets/lambda/index.ts');
      expect(firstEvent.filter(isLambdaSdk)).toEqual([]);
    });

    it('the Lambda SDK is in the bundle, in a chunk loaded with import()', () => {
      const door = chunkOf(outputs, LAMBDA_DOOR);
      expect(door).toBeDefined();
      expect(loadedWith(outputs, door as string).some((input) => input.includes(`node_modules/${LAMBDA_SDK}/`))).toBe(true);
      const dynamicallyImported = Object.values(outputs).flatMap((o) =>
        o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
      );
      expect(dynamicallyImported).toContain(door);
    });
  });
});
