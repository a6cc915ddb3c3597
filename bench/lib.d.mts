// Types of bench/lib.mjs, for the tests in test/bench/.
export declare const KB: number;
export declare const MB: number;
export declare const BUDGETS: {
  initRatio: number;
  routeToFloorRatio: number;
  routeToNaiveFloorRatio: number;
  firstWriteCpuToFloorRatio: number;
  firstWriteCpuToNaiveFloorRatio: number;
  zipBytes: number;
  initCodeBytes: number;
  rssBytes: number;
};
export declare const TARGETS: {
  initRatio: number;
  routeToFloorRatio: number;
  routeToNaiveFloorRatio: number;
  zipBytes: number;
  rssBytes: number;
  fanoutVsIdeal: number;
};
export declare const WRITE_OPERATIONS: Set<string>;
export declare function firstWriteMs(calls: Array<{ target: string; arrived: number }>, startedAt: number): number | undefined;
export declare function pairedRatio(a: number[], b: number[]): number;
export declare function duplicateSdkPackages(meta: { inputs?: Record<string, unknown> }): string[];

export interface Metafile {
  outputs: Record<
    string,
    {
      bytes: number;
      entryPoint?: string;
      imports: Array<{ path: string; kind: string; external?: boolean }>;
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

export declare function median(values: number[]): number;
export declare function quantile(values: number[], q: number): number;
export declare function prng(seed: number): () => number;
export declare function interleave<T>(variants: T[], rounds: number, seed?: number): T[];
export declare function staticClosure(meta: Metafile, output: string): Set<string>;
export declare function packageOf(input: string): string;
export declare function isSdkPackage(pkg: string): boolean;
export declare function accountFiles(
  meta: Metafile,
  files: Iterable<string>,
): { files: string[]; bytes: number; sdkBytes: number; clients: string[]; packages: Record<string, number> };
export declare const FANOUT_PLANNING_READS: number;
export declare function idealFanoutMs(options: {
  services: number;
  concurrency: number;
  callsPerService: number;
  delayMs: number;
  planningCalls?: number;
}): number;

export interface Figures {
  initRatio?: number;
  heaviestRouteRatio?: number;
  heaviestRss?: number;
  largestRss?: number;
  zipBytes?: number;
  initCodeBytes?: number;
  ecsRouteSdkBytes?: number;
  routesWithOtherClients?: number;
  fanoutVsIdeal?: number;
  fanoutColdVsIdeal?: number;
  fanoutCallsPerService?: number;
  fanoutOtherCalls?: number;
  routeToFloorRatio?: number;
  routeToNaiveFloorRatio?: number;
  routeToFloorWallRatio?: number;
  routeToNaiveFloorWallRatio?: number;
  firstWriteToFloorRatio?: number;
  firstWriteToNaiveFloorRatio?: number;
  firstWriteCpuToFloorRatio?: number;
  firstWriteCpuToNaiveFloorRatio?: number;
  duplicateSdkPackages?: number;
  burstBatchUpdates?: number;
  applyMaxDeploymentsPerService?: number;
}
export interface Check {
  kind: 'budget' | 'target';
  name: string;
  value: number | undefined;
  limit: number;
  unit: string;
  ok: boolean;
}
export declare function evaluate(figures: Figures): Check[];
export declare function formatValue(value: number | undefined, unit: string): string;
export declare function formatTable(rows: Array<Array<string | number | undefined>>): string;
export declare function formatMarkdownTable(rows: Array<Array<string | number | undefined>>): string;
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
export declare function addProfile(
  profile: CpuProfile,
  totals: Map<string, number>,
  rowOf: (frame: CpuProfile['nodes'][number]['callFrame']) => string,
  options: { inclusive: boolean; untilUs: number | undefined },
): void;
export declare function positiveWholeNumber(arg: string, text: string | undefined): number;
export declare const STAMPS_GLOBAL: string;
export declare function stampedModule(code: string, label: string): string;
export declare function medianTimeline(samples: Array<Array<[string, number]>>): Array<{ label: string; ms: number }>;
export declare function outputContents(meta: Metafile, output: string, count?: number): string;
