/**
 * The Function URL must answer Slack within 3 seconds, cold starts included: what its handler loads
 * before it answers is checked in the bundle `npm run build` makes.
 */
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaBundle } from '../helpers/importGraph.js';

describe('the Function URL path, in the bundle', () => {
  let outputs: Metafile['outputs'];
  beforeAll(async () => {
    ({ outputs } = await lambdaBundle());
  });

  /** The inputs of `chunk` and of every chunk it imports statically, transitively: what loading it loads. */
  const loadedWith = (chunk: string): string[] => {
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const imported of outputs[name]?.imports ?? [])
        if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(chunk);
    return [...loaded].flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}));
  };

  it('loads no deployment code before it answers: no deployer, target, trigger, follower, nor any SDK client (the hand-off’s loads with the first click)', () => {
    const chunk = Object.keys(outputs).find((name) => Object.keys(outputs[name]?.inputs ?? {}).includes('src/entry/interactions.ts'));
    expect(chunk).toBeDefined();
    const loaded = loadedWith(chunk as string);
    expect(loaded).toContain('src/interactions/click.ts');
    expect(
      loaded.filter((input) => /^src\/(deploy|targets|triggers|following)\//.test(input) || input.includes('@aws-sdk/client-')),
    ).toEqual([]);
  });
});
