/**
 * The lifecycle hook's checks and the CloudWatch SDK load only when ECS invokes the hook: no other
 * route pays for them at init or on its first event (cold starts are benchmarked). The hook's lines
 * in a deployment's thread and the pause buttons' actor are small and load with the handler.
 */
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, lambdaBundle, loadedWith, sourceImports } from '../helpers/importGraph.js';

const CLOUDWATCH_SDK = '@aws-sdk/client-cloudwatch';
const HOOK_CHECKS = ['src/rollout/hook.ts', 'src/rollout/smoke.ts', 'src/rollout/alarms.ts', 'src/aws/cloudwatch.ts'];
const isHookCode = (input: string) => input.includes(`node_modules/${CLOUDWATCH_SDK}/`) || HOOK_CHECKS.includes(input);

describe('lazy loading of the lifecycle hook', () => {
  it('@aws-sdk/client-cloudwatch is imported by src/aws/cloudwatch.ts only; the door is loaded by the hook or with import() only', () => {
    // The offline tools (npm start, npm run verify) are no part of the function: they may load it as they please.
    const offline = (file: string) => file.startsWith('src/local/') || file.startsWith('src/verify/');
    const importers = (matches: (i: { specifier: string; file?: string; kind: string }) => boolean) =>
      [...sourceImports()].filter(([file, imports]) => !offline(file) && imports.some(matches)).map(([file]) => file);
    expect(importers((i) => i.specifier === CLOUDWATCH_SDK)).toEqual(['src/aws/cloudwatch.ts']);
    expect(importers((i) => i.kind === 'value' && i.file === 'src/aws/cloudwatch.ts')).toEqual(['src/rollout/alarms.ts']);
    expect(importers((i) => i.kind === 'value' && i.file === 'src/rollout/hook.ts')).toEqual([]);
  });

  describe('in the bundle', () => {
    let outputs: Metafile['outputs'];
    beforeAll(async () => {
      ({ outputs } = await lambdaBundle());
    });

    it('what the first event of any route loads (the handler and its static imports) holds none of it', () => {
      const handler = chunkOf(outputs, 'src/entry/handler.ts');
      expect(handler).toBeDefined();
      const firstEvent = loadedWith(outputs, handler as string);
      expect(firstEvent).toContain('src/entry/app.ts');
      expect(firstEvent.filter(isHookCode)).toEqual([]);
    });

    it('the hook is a chunk loaded with import(), and loading it loads the CloudWatch SDK', () => {
      const dynamicallyImported = Object.values(outputs).flatMap((o) =>
        o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
      );
      const hook = chunkOf(outputs, 'src/rollout/hook.ts');
      expect(dynamicallyImported).toContain(hook);
      expect(loadedWith(outputs, hook as string).some((input) => input.includes(`node_modules/${CLOUDWATCH_SDK}/`))).toBe(true);
    });
  });
});
