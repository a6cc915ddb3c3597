import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addProfile,
  medianTimeline,
  outputContents,
  STAMPS_GLOBAL,
  stampedModule,
  positiveWholeNumber,
  type CpuProfile,
  accountFiles,
  BUDGETS,
  evaluate,
  formatMarkdownTable,
  formatTable,
  idealFanoutMs,
  interleave,
  median,
  quantile,
  staticClosure,
  type Metafile,
} from '../../bench/lib.mjs';

const meta: Metafile = {
  outputs: {
    'dist/index.mjs': {
      bytes: 100,
      entryPoint: 'src/index.ts',
      imports: [
        { path: 'dist/chunks/shared.mjs', kind: 'import-statement' },
        { path: 'dist/chunks/route.mjs', kind: 'dynamic-import' },
        { path: 'node:http', kind: 'import-statement', external: true },
      ],
      inputs: { 'src/index.ts': { bytesInOutput: 90 } },
    },
    'dist/chunks/shared.mjs': {
      bytes: 50,
      imports: [{ path: 'dist/chunks/leaf.mjs', kind: 'import-statement' }],
      inputs: { 'node_modules/zod/v4/core/schemas.js': { bytesInOutput: 45 } },
    },
    'dist/chunks/leaf.mjs': { bytes: 10, imports: [], inputs: { 'src/triggers/plan.ts': { bytesInOutput: 8 } } },
    'dist/chunks/route.mjs': {
      bytes: 300,
      entryPoint: 'src/targets/ecs.ts',
      imports: [{ path: 'dist/chunks/shared.mjs', kind: 'import-statement' }],
      inputs: {
        'node_modules/@aws-sdk/client-ecs/dist-es/ECSClient.js': { bytesInOutput: 200 },
        'node_modules/@smithy/core/dist-es/index.js': { bytesInOutput: 60 },
        'src/targets/ecs.ts': { bytesInOutput: 30 },
      },
    },
  },
};

describe('bench statistics', () => {
  it('takes medians and interpolated quantiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(() => median([])).toThrow(/empty/);
  });

  it('interleaves: every round runs every variant once, reproducibly for a seed', () => {
    const order = interleave(['bare', 'init', 'ecs'], 20, 7);
    expect(order).toHaveLength(60);
    for (let round = 0; round < 20; round++) expect([...order.slice(round * 3, round * 3 + 3)].sort()).toEqual(['bare', 'ecs', 'init']);
    expect(interleave(['bare', 'init', 'ecs'], 20, 7)).toEqual(order);
    expect(interleave(['bare', 'init', 'ecs'], 20, 8)).not.toEqual(order);
  });
});

describe('bundle accounting from the esbuild metafile', () => {
  it('follows static imports only: a dynamic import is loaded later, by the route that needs it', () => {
    expect([...staticClosure(meta, 'dist/index.mjs')].sort()).toEqual(['dist/chunks/leaf.mjs', 'dist/chunks/shared.mjs', 'dist/index.mjs']);
    expect([...staticClosure(meta, 'dist/chunks/route.mjs')].sort()).toEqual([
      'dist/chunks/leaf.mjs',
      'dist/chunks/route.mjs',
      'dist/chunks/shared.mjs',
    ]);
  });

  it('sums bytes and tells SDK code apart', () => {
    const init = accountFiles(meta, staticClosure(meta, 'dist/index.mjs'));
    expect(init.bytes).toBe(160);
    expect(init.sdkBytes).toBe(0);
    expect(init.packages).toEqual({ 'src/index.ts': 90, zod: 45, 'src/triggers/plan.ts': 8 });
    const route = accountFiles(meta, ['dist/chunks/route.mjs']);
    expect(route.sdkBytes).toBe(260);
    expect(route.packages['@aws-sdk/client-ecs']).toBe(200);
    expect(route.clients).toEqual(['ecs']);
  });
});

describe('fan-out ideal and budgets', () => {
  it('counts whole waves of concurrent deployments', () => {
    expect(idealFanoutMs({ services: 50, concurrency: 10, callsPerService: 1, delayMs: 100 })).toBe(500);
    expect(idealFanoutMs({ services: 51, concurrency: 10, callsPerService: 1, delayMs: 100 })).toBe(600);
    expect(idealFanoutMs({ services: 50, concurrency: 10, callsPerService: 2, delayMs: 100 })).toBe(1000);
    // The env file read and compared before any deployment starts.
    expect(idealFanoutMs({ services: 50, concurrency: 10, callsPerService: 1, delayMs: 100, planningCalls: 3 })).toBe(800);
  });

  it('passes figures within the budgets and flags those above, or missing', () => {
    const fine = {
      initRatio: 1.3,
      routeToFloorRatio: 1.2,
      routeToNaiveFloorRatio: 0.95,
      firstWriteCpuToFloorRatio: 1.2,
      firstWriteCpuToNaiveFloorRatio: 0.95,
      routeToFloorWallRatio: 1.2,
      zipBytes: 200 * 1024,
      initCodeBytes: 50 * 1024,
      heaviestRss: 50 * 1024 * 1024,
      duplicateSdkPackages: 0,
      ecsRouteSdkBytes: 0,
      routesWithOtherClients: 0,
      fanoutCallsPerService: 1,
      fanoutOtherCalls: 3,
      burstBatchUpdates: 3,
      applyMaxDeploymentsPerService: 1,
    };
    const within = evaluate(fine);
    expect(within.filter((c) => c.kind === 'budget').every((c) => c.ok)).toBe(true);
    // Over the target, within the budget: reported, not failed.
    expect(within.find((c) => c.kind === 'target' && c.name === 'slowest SDK route over its SDK floor, wall time')?.ok).toBe(false);
    const over = evaluate({
      ...fine,
      initRatio: BUDGETS.initRatio + 0.01,
      routeToFloorRatio: BUDGETS.routeToFloorRatio + 0.01,
      initCodeBytes: undefined,
      ecsRouteSdkBytes: 10,
      routesWithOtherClients: 1,
      fanoutCallsPerService: 0.5,
      burstBatchUpdates: 4,
      applyMaxDeploymentsPerService: 3,
    });
    expect(over.filter((c) => c.kind === 'budget' && !c.ok).map((c) => c.name)).toEqual([
      'init-only ratio',
      'slowest SDK route over its SDK floor, CPU time',
      'code loaded at init',
      'SDK code loaded by the ecs route',
      'routes loading an SDK client they do not use',
      'AWS calls per service in the fan-out',
      'UpdateService calls of the 30-event burst as one batch (one per service)',
      'UpdateService calls per service of 250 parameter changes as three SQS batches, two at once (DEPLOYMENTS_TABLE)',
    ]);
    // Counts are exact: fewer deployments than services is as wrong as more.
    expect(
      evaluate({ ...fine, burstBatchUpdates: 2 })
        .filter((c) => !c.ok && c.kind === 'budget')
        .map((c) => c.name),
    ).toEqual(['UpdateService calls of the 30-event burst as one batch (one per service)']);
  });

  it('formats aligned text and Markdown tables', () => {
    const rows = [
      ['variant', 'ms'],
      ['bare', '31.6'],
      ['route ecs', '105.0'],
    ];
    expect(formatTable(rows).split('\n')).toEqual(['variant       ms', '---------  -----', 'bare        31.6', 'route ecs  105.0']);
    expect(formatMarkdownTable(rows).split('\n')[1]).toBe('|---|---:|');
  });
});

describe('addProfile: a CPU profile added up by row', () => {
  // (root) -> main -> [load -> compile], [send]; samples: compile, compile, send, main (10 µs apart, from 1000).
  const frame = (functionName: string) => ({ functionName, url: '', lineNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2] },
      { id: 2, callFrame: frame('main'), children: [3, 5] },
      { id: 3, callFrame: frame('load'), children: [4] },
      { id: 4, callFrame: frame('compile') },
      { id: 5, callFrame: frame('send') },
    ],
    startTime: 1000,
    samples: [4, 4, 5, 2],
    timeDeltas: [10, 10, 10, 10],
  };
  const totals = (options: { inclusive: boolean; untilUs: number | undefined }) => {
    const sums = new Map<string, number>();
    addProfile(profile, sums, (f) => f.functionName, options);
    return Object.fromEntries(sums);
  };

  it('self time goes to the frame each sample was in', () => {
    expect(totals({ inclusive: false, untilUs: undefined })).toEqual({ compile: 20, send: 10, main: 10 });
  });

  it('inclusive time goes to every frame on the stack, once', () => {
    expect(totals({ inclusive: true, untilUs: undefined })).toEqual({ '(root)': 40, main: 40, load: 20, compile: 20, send: 10 });
  });

  it('samples after the cut are left out', () => {
    expect(totals({ inclusive: false, untilUs: 1020 })).toEqual({ compile: 20 });
  });
});

describe('positiveWholeNumber: the number of an option', () => {
  it('takes a whole number from 1, and says which option needs one otherwise', () => {
    expect(positiveWholeNumber('--runs', '20')).toBe(20);
    for (const text of ['0', '-1', '2.5', 'many', undefined])
      expect(() => positiveWholeNumber('--runs', text)).toThrow('--runs needs a positive whole number');
  });
});

describe('the timeline of a cold start (bench:stack --timeline)', () => {
  const stamps = () => (globalThis as Record<string, unknown>)[STAMPS_GLOBAL] as Array<[string, number]>;
  afterEach(() => {
    delete (globalThis as Record<string, unknown>)[STAMPS_GLOBAL];
  });

  it('stamps a module when it starts and when it ends, around its own code, imports and exports kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stamped-'));
    try {
      const code = `import { sep } from 'node:path';\nglobalThis.${STAMPS_GLOBAL}.push(['its own code', 0]);\nexport const separator = sep;`;
      writeFileSync(join(dir, 'a.mjs'), stampedModule(code, 'chunks/a.mjs'));
      const module = (await import(pathToFileURL(join(dir, 'a.mjs')).href)) as { separator: string };
      expect(module.separator).toBe('/');
      expect(stamps().map(([label]) => label)).toEqual(['chunks/a.mjs starts', 'its own code', 'chunks/a.mjs ends']);
      const [started, ended] = [stamps()[0]?.[1] ?? 0, stamps()[2]?.[1] ?? 0];
      expect(started).toBeGreaterThan(0);
      expect(ended).toBeGreaterThanOrEqual(started);
      // The process's CPU time in milliseconds: what bench/child.mjs reports its requests at.
      const cpu = process.cpuUsage();
      expect(ended).toBeLessThanOrEqual((cpu.user + cpu.system) / 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what bench/child.mjs reports, by the same name', () => {
    expect(readFileSync(new URL('../../bench/child.mjs', import.meta.url), 'utf8')).toContain(
      `const stamps = globalThis.${STAMPS_GLOBAL};`,
    );
  });

  it('takes the median of each stamp over the samples that have it, in the order of those medians', () => {
    const timeline = medianTimeline([
      [
        ['index starts', 30],
        ['handler starts', 50],
        ['first write', 100],
      ],
      [
        ['index starts', 34],
        ['handler starts', 46],
        ['first write', 90],
      ],
      [
        ['index starts', 32],
        ['first write', 95],
        ['retry', 60],
      ],
    ]);
    expect(timeline).toEqual([
      { label: 'index starts', ms: 32 },
      { label: 'handler starts', ms: 48 },
      { label: 'retry', ms: 60 },
      { label: 'first write', ms: 95 },
    ]);
  });

  it('names what an output holds by its largest packages and src/ folders', () => {
    expect(outputContents(meta, 'dist/chunks/shared.mjs')).toBe('zod');
    expect(outputContents(meta, 'dist/chunks/none.mjs')).toBe('');
    const chunk: Metafile = {
      outputs: {
        'dist/chunks/c.mjs': {
          bytes: 45,
          imports: [],
          inputs: {
            'node_modules/@smithy/core/dist-es/a.js': { bytesInOutput: 15 },
            'src/config/config.ts': { bytesInOutput: 10 },
            'src/config/catalog.ts': { bytesInOutput: 10 },
            'node_modules/zod/v4/core/core.js': { bytesInOutput: 5 },
            'node_modules/@middy/core/index.js': { bytesInOutput: 0 },
            'src/entry/app.ts': { bytesInOutput: 6 },
          },
        },
      },
    };
    expect(outputContents(chunk, 'dist/chunks/c.mjs')).toBe('src/config, @smithy/core, src/entry');
    expect(outputContents(chunk, 'dist/chunks/c.mjs', 5)).toBe('src/config, @smithy/core, src/entry, zod');
  });
});
