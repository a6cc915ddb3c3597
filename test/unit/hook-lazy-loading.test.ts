/**
 * The CloudWatch SDK loads only when a lifecycle hook checks alarms: no other route pays for it at
 * init or on its first event (cold starts are benchmarked). The hook's own code is small and loads
 * with the handler.
 */
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, lambdaBundle, loadedWith, sourceImports } from '../helpers/importGraph.js';

const CLOUDWATCH_SDK = '@aws-sdk/client-cloudwatch';
const isCloudWatchSdk = (input: string) => input.includes(`node_modules/${CLOUDWATCH_SDK}/`);

describe('lazy loading of the CloudWatch SDK (the hook’s alarm checks)', () => {
  it('@aws-sdk/client-cloudwatch is imported by src/aws/cloudwatch.ts only, and that door with import() only', () => {
    // The offline tools (npm start, npm run verify) are no part of the function: they may load it as they please.
    const offline = (file: string) => file.startsWith('src/local/') || file.startsWith('src/verify/');
    const importers = (matches: (i: { specifier: string; file?: string; kind: string }) => boolean) =>
      [...sourceImports()].filter(([file, imports]) => !offline(file) && imports.some(matches)).map(([file]) => file);
    expect(importers((i) => i.specifier === CLOUDWATCH_SDK)).toEqual(['src/aws/cloudwatch.ts']);
    expect(importers((i) => i.kind === 'value' && i.file === 'src/aws/cloudwatch.ts')).toEqual([]);
    expect(importers((i) => i.kind === 'dynamic' && i.file === 'src/aws/cloudwatch.ts').sort()).toEqual([
      'src/aws/clients.ts',
      'src/rollout/alarms.ts',
    ]);
  });

  describe('in the bundle', () => {
    let outputs: Metafile['outputs'];
    beforeAll(async () => {
      ({ outputs } = await lambdaBundle());
    });

    it('what the first event of any route loads (the handler and its static imports) holds the hook but not the CloudWatch SDK', () => {
      const handler = chunkOf(outputs, 'src/entry/handler.ts');
      expect(handler).toBeDefined();
      const firstEvent = loadedWith(outputs, handler as string);
      expect(firstEvent).toContain('src/rollout/hook.ts');
      expect(firstEvent.filter(isCloudWatchSdk)).toEqual([]);
    });

    it('the CloudWatch door is a chunk loaded with import(), and loading it loads the CloudWatch SDK', () => {
      const dynamicallyImported = Object.values(outputs).flatMap((o) =>
        o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
      );
      const door = chunkOf(outputs, 'src/aws/cloudwatch.ts');
      expect(dynamicallyImported).toContain(door);
      expect(loadedWith(outputs, door as string).some(isCloudWatchSdk)).toBe(true);
    });
  });
});
