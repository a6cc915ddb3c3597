/**
 * The bench's figures of a cold start against its SDK floors: the time to the first AWS write,
 * ratios paired by interleaved round, and the check that the bundle holds one copy of the SDK.
 */
import { describe, expect, it } from 'vitest';
import { BUDGETS, duplicateSdkPackages, evaluate, firstWriteMs, pairedRatio } from '../../bench/lib.mjs';

describe('time to the first AWS write', () => {
  it('is the first write request’s arrival less the process start; reads before it do not count', () => {
    const calls = [
      { target: 'DescribeTaskDefinition', arrived: 130 },
      { target: 'UpdateService', arrived: 190 },
      { target: 'UpdateService', arrived: 170 },
    ];
    expect(firstWriteMs(calls, 20)).toBe(150);
    expect(firstWriteMs([{ target: 'UpdateFunctionCode', arrived: 90 }], 40)).toBe(50);
  });

  it('is undefined for a route that writes nothing (ECS events are only reported)', () => {
    expect(firstWriteMs([{ target: 'DescribeParameters', arrived: 50 }], 0)).toBeUndefined();
    expect(firstWriteMs([], 0)).toBeUndefined();
  });
});

describe('paired ratios', () => {
  it('take the median of the per-round ratios, so a slow round slows both sides and cancels out', () => {
    // Round 2 ran while the machine was busy: both of its samples are slow, and its ratio is still about the others'.
    expect(pairedRatio([200, 400, 210], [100, 380, 200])).toBeCloseTo(1.05);
    expect(pairedRatio([110, 220, 330], [100, 200, 300])).toBeCloseTo(1.1);
  });

  it('refuse samples that are not of the same rounds', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/paired ratio of 2 and 1 samples/);
    expect(() => pairedRatio([], [])).toThrow();
  });
});

describe('one copy of the SDK in a bundle', () => {
  it('names a package bundled from two directories (a client pinned to another version)', () => {
    const meta = {
      inputs: {
        'node_modules/@smithy/core/dist-es/index.js': {},
        'node_modules/@smithy/core/dist-es/submodules/client/index.js': {},
        'node_modules/@aws-sdk/client-ssm/node_modules/@smithy/core/dist-es/index.js': {},
        'node_modules/@aws-sdk/core/dist-es/index.js': {},
        'src/aws/ecs.ts': {},
      },
    };
    expect(duplicateSdkPackages(meta)).toEqual([
      '@smithy/core: node_modules/@aws-sdk/client-ssm/node_modules/@smithy/core, node_modules/@smithy/core',
    ]);
    expect(duplicateSdkPackages({ inputs: { 'node_modules/@smithy/core/dist-es/index.js': {} } })).toEqual([]);
  });
});

describe('budgets of the floors, the RSS and the SDK copies', () => {
  const fine = {
    initRatio: 1.1,
    routeToFloorRatio: 1.2,
    routeToNaiveFloorRatio: 0.98,
    firstWriteCpuToFloorRatio: 1.2,
    firstWriteCpuToNaiveFloorRatio: 0.98,
    zipBytes: 240 * 1024,
    initCodeBytes: 1024,
    heaviestRss: 54 * 1024 * 1024,
    duplicateSdkPackages: 0,
    ecsRouteSdkBytes: 0,
    routesWithOtherClients: 0,
    fanoutCallsPerService: 1,
    fanoutOtherCalls: 3,
    burstBatchUpdates: 3,
    applyMaxDeploymentsPerService: 1,
  };
  const breached = (figures: Record<string, number | undefined>) =>
    evaluate({ ...fine, ...figures })
      .filter((c) => c.kind === 'budget' && !c.ok)
      .map((c) => c.name);

  it('pass within the budgets', () => {
    expect(breached({})).toEqual([]);
  });

  it('fail a route too slow against its naive floor, an RSS too large, a second copy of an SDK package, or a missing figure', () => {
    const naive = 'slowest SDK route over its naive SDK floor (the SDK as bundled by default), CPU time';
    expect(breached({ routeToNaiveFloorRatio: BUDGETS.routeToNaiveFloorRatio + 0.01 })).toEqual([naive]);
    expect(breached({ heaviestRss: BUDGETS.rssBytes + 1 })).toEqual(['RSS after the heaviest route']);
    expect(breached({ duplicateSdkPackages: 1 })).toEqual(['SDK packages bundled twice (one SDK version across the clients)']);
    expect(breached({ routeToNaiveFloorRatio: undefined })).toEqual([naive]);
  });

  it('fail a route whose CPU time up to its first write is too far over its floors, or unmeasured', () => {
    const overFloor = 'slowest SDK route to its first write over its SDK floor, CPU time';
    const overNaive = 'slowest SDK route to its first write over its naive SDK floor, CPU time';
    expect(breached({ firstWriteCpuToFloorRatio: BUDGETS.firstWriteCpuToFloorRatio + 0.01 })).toEqual([overFloor]);
    expect(breached({ firstWriteCpuToNaiveFloorRatio: BUDGETS.firstWriteCpuToNaiveFloorRatio + 0.01 })).toEqual([overNaive]);
    expect(breached({ firstWriteCpuToFloorRatio: undefined, firstWriteCpuToNaiveFloorRatio: undefined })).toEqual([overFloor, overNaive]);
  });

  it('report the targets (a route no slower than its naive floor) without failing', () => {
    const checks = evaluate({ ...fine, routeToNaiveFloorWallRatio: 1.2 });
    expect(checks.filter((c) => c.kind === 'budget' && !c.ok)).toEqual([]);
    expect(checks.filter((c) => c.kind === 'target' && !c.ok).map((c) => c.name)).toEqual(
      expect.arrayContaining(['slowest SDK route over its naive SDK floor, wall time']),
    );
  });
});
