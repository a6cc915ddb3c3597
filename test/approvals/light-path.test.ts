/**
 * The Function URL must answer Slack within 3 seconds, cold starts included: what its handler loads
 * before answering is checked in the bundle, as the cold-start benchmarks build it.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the Function URL path', () => {
  it('loads no deployment code before it answers: no deployer, target, trigger, follower, nor any SDK client (the hand-off’s loads with the first click)', async () => {
    const result = await build({
      entryPoints: { interactions: 'src/entry/interactions.ts' },
      outdir: 'dist-interactions-check',
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
    const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === 'src/entry/interactions.ts');
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const imported of outputs[name]?.imports ?? [])
        if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(entry as string);
    const inputs = [...loaded].flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}));
    expect(inputs).toContain('src/interactions/click.ts');
    expect(
      inputs.filter((input) => /^src\/(deploy|targets|triggers|following)\//.test(input) || input.includes('@aws-sdk/client-')),
    ).toEqual([]);
  });
});
