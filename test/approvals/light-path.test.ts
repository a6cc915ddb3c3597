/**
 * The Function URL must answer Slack within 3 seconds, cold starts included: what its handler loads
 * before it answers is checked in the bundle `npm run build` makes.
 */
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, lambdaBundle, loadedWith } from '../helpers/importGraph.js';

describe('the Function URL path, in the bundle', () => {
  let outputs: Metafile['outputs'];
  beforeAll(async () => {
    ({ outputs } = await lambdaBundle());
  });

  it('loads no deployment code before it answers: no deployer, target, trigger, follower, nor any SDK client (the hand-off’s loads with the first click)', () => {
    const chunk = chunkOf(outputs, 'src/entry/interactions.ts');
    expect(chunk).toBeDefined();
    const loaded = loadedWith(outputs, chunk as string);
    expect(loaded).toContain('src/interactions/click.ts');
    expect(
      loaded.filter((input) => /^src\/(deploy|targets|triggers|following)\//.test(input) || input.includes('@aws-sdk/client-')),
    ).toEqual([]);
  });
});
