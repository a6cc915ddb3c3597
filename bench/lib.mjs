/**
 * Pure helpers of the bench (statistics, bundle accounting from the esbuild metafile, budgets,
 * formatting). No I/O, so they are unit-tested in test/bench/.
 */

import { BURST_SERVICES } from './burst.mjs';

export const KB = 1024;
export const MB = 1024 * 1024;

/**
 * CI budgets (`npm run bench -- --check` fails above these) and the targets. Ratios compare
 * interleaved samples round by round (see {@link pairedRatio}). The route budgets are on CPU time
 * (the child's own, every thread): on this shared 2-core machine a route's wall time over its
 * floor's moved from 1.05x to 1.6x between two runs of one build, its CPU time by a few percent.
 * Wall time, what a user waits for, is reported against the issue's targets. A regression trips
 * the budgets: the CommonJS SDK builds, eager loading or Slack over `fetch` each cost 1.5x to 2x.
 */
export const BUDGETS = {
  // The entry recognises a Function URL request (Slack's clicks) before it loads anything else:
  // 2.1 KB at init (was 0.8 KB); measured 1.33x to 1.34x on a quiet machine.
  initRatio: 1.45,
  // A route that calls AWS over its SDK floor: the same clients making the same calls and nothing
  // else, the SDK bundled as the Lambda bundle takes it (bench/floors.mjs). The SDK's own cost is
  // not deploybridge's to cut (ECSClient and one UpdateService alone cost over 3x a bare
  // `node -e ''`); what deploybridge adds on top is. Measured in CPU time: 1.36x to 1.53x; 1.70x to
  // 1.88x once approvals, release order, claims, the channels and the lifecycle hook were merged.
  // Then 1.45x to 1.61x (`--check`, load average 1.5): what costs is less the bytes a route loads
  // than the files (each costs resolving, reading, compiling, linking and its source map: the manual
  // route's code as one file ran 11 ms less CPU, and 6 MB less RSS). A route loaded 30 to 46 files,
  // one per combination of the 34 entry points esbuild split the code by; the SDK's doors (src/aws/)
  // are now the only import() besides the entry's two, and the manual route loads 18 files. The zod
  // schemas are built on first use (src/shared/schema.ts): 6% of the CPU to the first write. Then
  // 1.33x to 1.59x once the function ran without --enable-source-maps (the stacks it writes are
  // mapped then: src/shared/stackTrace.ts) and the code the doors share loaded in one chunk
  // (build.mjs doorSharedCode: the manual route loads 5 files instead of 15).
  routeToFloorRatio: 1.75,
  // …and over its naive floor: the same calls with the SDK as it bundles by default (default
  // credential chain, every schema): a whole route against a bare SDK call set up the usual way.
  // Measured: 1.19x to 1.35x in CPU time; 1.64x with the features above; then 1.31x to 1.43x;
  // then 1.09x to 1.26x.
  routeToNaiveFloorRatio: 1.4,
  // The same two ratios up to the first AWS write (the process's CPU time when its first write
  // request started, paired by round): what a cold start costs before the deployment starts, the
  // figure a user feels, without the wording and Slack delivery that follow the write. Measured
  // 1.57x to 1.86x over the floors, 1.34x to 1.62x over the naive ones; then (as above) 1.37x to
  // 1.57x and 1.19x to 1.37x, the manual route the slowest; then 1.33x to 1.51x and 1.08x to
  // 1.18x (as above; the slowest 1.46x to 1.51x from one quiet run to the next). Short of the
  // issue's 1.25x and 1.0x on this machine's Node 20; on Lambda's Node 22 1.25x to 1.36x and
  // 1.00x to 1.11x. `npm run bench:stack` shows how much of it is the stack deploybridge is built
  // on, `npm run bench:profile -- --until-first-write` where the rest goes (compiling the code a
  // route loads, the configuration's validation, garbage collection).
  firstWriteCpuToFloorRatio: 1.65,
  firstWriteCpuToNaiveFloorRatio: 1.3,
  // 367.2 KB with approvals, release order, claims and the ECS lifecycle hook (CloudWatch); 286.0 KB
  // since build.mjs cut what no route uses: source maps by line without columns (229 KB to 54 KB of
  // maps, 51 KB of the zip), each SDK command registering only the errors its operation throws (SSM's
  // 140 error classes: 10 KB), no JMESPath in Powertools Idempotency (7 KB), no JavaScript hashes Node
  // has (3 KB), each file deflated by zlib instead of fflate (10 KB); 303.9 KB with pause hooks and
  // Roll back from Slack. Then 262.0 KB in 37 files instead of 92: each file deflated alone compresses
  // less, and has headers of its own. Then 249.1 KB in 27 files: the code the doors share in one
  // chunk, and DynamoDB's endpoint cache (which no command uses) a stand-in. The issue's 250 KB.
  zipBytes: 250 * KB,
  initCodeBytes: 60 * KB,
  // Bare `node` is 39 MB; the heaviest route measured 58 to 59 MB, 1.6 MB of it the source maps;
  // 60.9 to 61.4 MB with approvals, release order and claims merged; 62.3 MB (the S3 route, whose
  // own floor is 56 MB) with the lifecycle hook, at a load average of 7 to 8. Then 58.7 MB (the S3
  // route; its floor 54.8 MB) with fewer files per route. Then 58.1 MB (the S3 route; its floor
  // 50.7 MB) without --enable-source-maps: most routes end near 52 MB, the S3 route's allocations
  // grow V8's young generation from 4 to 8 MB. On Node 22, 66 MB (its floors 59 to 62 MB). Then
  // 53.9 MB (the S3 route; its floor 50.7 MB): 3.5 MB of the 58 were node's own code, TurboFan's,
  // paged in to compile the masking of every logged and sent string, which tried each credential
  // pattern in turn (src/shared/redact.ts); its garbage grew the young generation (0.5 MB). So
  // the issue's 55 MB, on Node 20 (the S3 route's 20 samples within 53.8 to 55.0 MB at a load
  // average of 3): a function V8 optimises on a cold route shows as 3.5 MB more.
  rssBytes: 55 * MB,
};

export const TARGETS = {
  initRatio: 1.25,
  routeToFloorRatio: 1.15,
  routeToNaiveFloorRatio: 1.0,
  zipBytes: 220 * KB,
  rssBytes: 55 * MB,
  fanoutVsIdeal: 1.2,
};

/**
 * AWS operations that change something: the first of them to reach AWS is when a deployment
 * starts, the moment a user waits for ("time to first write").
 */
export const WRITE_OPERATIONS = new Set([
  'UpdateService',
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'PublishVersion',
  'UpdateAlias',
]);

/**
 * Milliseconds from `startedAt` to the first write request's arrival (both on one clock), or
 * undefined when no write was made.
 *
 * @example
 * firstWriteMs([{ target: 'DescribeImages', arrived: 120 }, { target: 'UpdateService', arrived: 180 }], 20); // 160
 */
export function firstWriteMs(calls, startedAt) {
  const writes = calls.filter((c) => WRITE_OPERATIONS.has(c.target)).map((c) => c.arrived);
  return writes.length === 0 ? undefined : Math.min(...writes) - startedAt;
}

/**
 * The ratio of two variants measured in the same interleaved rounds: the median of the per-round
 * ratios (`a[i] / b[i]`, both of round i). A slow phase of a noisy machine hits both samples of a
 * round, so it cancels out, where a ratio of medians keeps it.
 *
 * @example
 * pairedRatio([200, 400, 210], [100, 380, 200]); // 1.05
 */
export function pairedRatio(a, b) {
  if (a.length !== b.length || a.length === 0) throw new Error(`paired ratio of ${a.length} and ${b.length} samples`);
  return median(a.map((value, i) => value / b[i]));
}

/**
 * The AWS SDK packages (`@aws-sdk/*`, `@smithy/*`) a metafile bundles from more than one
 * directory: each is a second copy of the same code, from clients pinned to different versions.
 *
 * @example
 * duplicateSdkPackages(meta); // [] — or ['@smithy/core: node_modules/@smithy/core, node_modules/@aws-sdk/client-ssm/node_modules/@smithy/core']
 */
export function duplicateSdkPackages(meta) {
  const copies = new Map();
  for (const input of Object.keys(meta.inputs ?? {})) {
    const match = /^(.*node_modules\/((?:@aws-sdk|@smithy)\/[^/]+))\//.exec(input);
    if (match === null) continue;
    copies.set(match[2], (copies.get(match[2]) ?? new Set()).add(match[1]));
  }
  return [...copies].filter(([, dirs]) => dirs.size > 1).map(([name, dirs]) => `${name}: ${[...dirs].sort().join(', ')}`);
}

export function median(values) {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile of a non-empty list (q in [0, 1]). */
export function quantile(values, q) {
  if (values.length === 0) throw new Error('quantile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A small deterministic PRNG (mulberry32), so a run's interleaving can be reproduced. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The order of the samples: `rounds` rounds, each running every variant once in a shuffled
 * order, so slow phases of a noisy machine spread over all variants instead of hitting one.
 */
export function interleave(variants, rounds, seed = 1) {
  const random = prng(seed);
  const order = [];
  for (let r = 0; r < rounds; r++) {
    const round = [...variants];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j], round[i]];
    }
    order.push(...round);
  }
  return order;
}

/** The output files an output statically imports, itself included (what loading it loads). */
export function staticClosure(meta, output) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || meta.outputs[file] === undefined) return;
    seen.add(file);
    for (const imp of meta.outputs[file].imports) {
      if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
    }
  };
  visit(output);
  return seen;
}

/** The package (or `src/…` file) an esbuild input belongs to. */
export function packageOf(input) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1] : input;
}

/** True for inputs that are AWS SDK code (clients, core, Smithy runtime, credential providers). */
export function isSdkPackage(pkg) {
  return pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/');
}

/**
 * Accounts for a set of output files: total bytes and bytes per package, from the metafile.
 * `files` are metafile output paths (e.g. `dist/chunks/x.mjs`).
 */
export function accountFiles(meta, files) {
  let bytes = 0;
  const packages = {};
  for (const file of files) {
    const output = meta.outputs[file];
    if (output === undefined) continue;
    bytes += output.bytes;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      packages[pkg] = (packages[pkg] ?? 0) + bytesInOutput;
    }
  }
  const sdkBytes = Object.entries(packages)
    .filter(([pkg]) => isSdkPackage(pkg))
    .reduce((sum, [, b]) => sum + b, 0);
  const clients = Object.keys(packages)
    .filter((pkg) => pkg.startsWith('@aws-sdk/client-'))
    .map((pkg) => pkg.slice('@aws-sdk/client-'.length))
    .sort();
  return { files: [...files].sort(), bytes, sdkBytes, clients, packages };
}

/**
 * Reads the S3 route makes once per event before the fan-out, one after the other: the env file
 * (GetObject), its versions (ListObjectVersions), the version before it (GetObject).
 */
export const FANOUT_PLANNING_READS = 3;

/**
 * The ideal wall time of a fan-out: the planning reads one after the other, then full waves of
 * `concurrency` deployments, each a chain of calls.
 */
export function idealFanoutMs({ services, concurrency, callsPerService, delayMs, planningCalls = 0 }) {
  return (planningCalls + Math.ceil(services / concurrency) * callsPerService) * delayMs;
}

/**
 * Compares figures with limits. `figures` holds the measured values (undefined when not measured);
 * each check says whether it is a CI budget or only a target.
 */
/** Units of counts, which must be exact. */
const EXACT_UNITS = new Set(['calls', 'routes', 'packages']);

export function evaluate(figures) {
  const checks = [
    ['budget', 'init-only ratio', figures.initRatio, BUDGETS.initRatio, 'x'],
    ['budget', 'slowest SDK route over its SDK floor, CPU time', figures.routeToFloorRatio, BUDGETS.routeToFloorRatio, 'x'],
    [
      'budget',
      'slowest SDK route over its naive SDK floor (the SDK as bundled by default), CPU time',
      figures.routeToNaiveFloorRatio,
      BUDGETS.routeToNaiveFloorRatio,
      'x',
    ],
    [
      'budget',
      'slowest SDK route to its first write over its SDK floor, CPU time',
      figures.firstWriteCpuToFloorRatio,
      BUDGETS.firstWriteCpuToFloorRatio,
      'x',
    ],
    [
      'budget',
      'slowest SDK route to its first write over its naive SDK floor, CPU time',
      figures.firstWriteCpuToNaiveFloorRatio,
      BUDGETS.firstWriteCpuToNaiveFloorRatio,
      'x',
    ],
    ['budget', 'zip bytes', figures.zipBytes, BUDGETS.zipBytes, 'bytes'],
    ['budget', 'code loaded at init', figures.initCodeBytes, BUDGETS.initCodeBytes, 'bytes'],
    ['budget', 'RSS after the heaviest route', figures.heaviestRss, BUDGETS.rssBytes, 'bytes'],
    ['budget', 'SDK packages bundled twice (one SDK version across the clients)', figures.duplicateSdkPackages, 0, 'packages'],
    ['budget', 'SDK code loaded by the ecs route', figures.ecsRouteSdkBytes, 0, 'bytes'],
    ['budget', 'routes loading an SDK client they do not use', figures.routesWithOtherClients, 0, 'routes'],
    ['budget', 'AWS calls per service in the fan-out', figures.fanoutCallsPerService, 1, 'calls'],
    [
      'budget',
      'fan-out calls other than UpdateService (a restart): the env file read and compared',
      figures.fanoutOtherCalls,
      FANOUT_PLANNING_READS,
      'calls',
    ],
    [
      'budget',
      'UpdateService calls of the 30-event burst as one batch (one per service)',
      figures.burstBatchUpdates,
      BURST_SERVICES.length,
      'calls',
    ],
    [
      'budget',
      'UpdateService calls per service of 250 parameter changes as three SQS batches, two at once (DEPLOYMENTS_TABLE)',
      figures.applyMaxDeploymentsPerService,
      1,
      'calls',
    ],
    ['target', 'init-only ratio', figures.initRatio, TARGETS.initRatio, 'x'],
    ['target', 'slowest SDK route over its SDK floor, wall time', figures.routeToFloorWallRatio, TARGETS.routeToFloorRatio, 'x'],
    [
      'target',
      'slowest SDK route over its naive SDK floor, wall time',
      figures.routeToNaiveFloorWallRatio,
      TARGETS.routeToNaiveFloorRatio,
      'x',
    ],
    ['target', 'slowest SDK route to its first write, over its SDK floor', figures.firstWriteToFloorRatio, TARGETS.routeToFloorRatio, 'x'],
    [
      'target',
      'slowest SDK route to its first write, over its naive SDK floor',
      figures.firstWriteToNaiveFloorRatio,
      TARGETS.routeToNaiveFloorRatio,
      'x',
    ],
    [
      'target',
      'slowest SDK route to its first write over its SDK floor, CPU time',
      figures.firstWriteCpuToFloorRatio,
      TARGETS.routeToFloorRatio,
      'x',
    ],
    [
      'target',
      'slowest SDK route to its first write over its naive SDK floor, CPU time',
      figures.firstWriteCpuToNaiveFloorRatio,
      TARGETS.routeToNaiveFloorRatio,
      'x',
    ],
    ['target', 'RSS after the heaviest route', figures.heaviestRss, TARGETS.rssBytes, 'bytes'],
    ['target', 'zip bytes', figures.zipBytes, TARGETS.zipBytes, 'bytes'],
    ['target', 'fan-out vs ideal, warm invocation', figures.fanoutVsIdeal, TARGETS.fanoutVsIdeal, 'x'],
    ['target', 'fan-out vs ideal, cold invocation', figures.fanoutColdVsIdeal, TARGETS.fanoutVsIdeal, 'x'],
  ];
  return checks.map(([kind, name, value, limit, unit]) => ({
    kind,
    name,
    value,
    limit,
    unit,
    // Counts must be exact; everything else is an upper bound.
    ok: value !== undefined && Number.isFinite(value) && (EXACT_UNITS.has(unit) ? value === limit : value <= limit),
  }));
}

export function formatValue(value, unit) {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  if (unit === 'bytes') return value >= MB ? `${(value / MB).toFixed(1)} MB` : `${(value / KB).toFixed(1)} KB`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  return String(value);
}

/** A plain-text table: first row is the header; numbers and units are right-aligned. */
export function formatTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c] ?? '').length)));
  const line = (row) =>
    row
      .map((cell, c) => {
        const text = String(cell ?? '');
        return c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]);
      })
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** A Markdown table (for docs/performance.md). */
export function formatMarkdownTable(rows) {
  const [head, ...body] = rows;
  const line = (row) => `| ${row.map((cell) => String(cell ?? '')).join(' | ')} |`;
  return [line(head), `|${head.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`, ...body.map(line)].join('\n');
}

/**
 * Adds a V8 CPU profile's samples (`node --cpu-prof`) to `totals`: microseconds by row, `rowOf`
 * naming the row of a call frame. Self time counts the frame a sample was in; inclusive time every
 * row on its stack, once. With `untilUs` (the profile's monotonic clock), samples after it are left
 * out (bench/profile.mjs: up to the first AWS write).
 *
 * @example
 * addProfile(profile, totals, (frame) => frame.functionName, { inclusive: false, untilUs: undefined });
 */
export function addProfile(profile, totals, rowOf, { inclusive, untilUs }) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (untilUs !== undefined && at > untilUs) return;
    const rows = new Set();
    for (let node = id; node !== undefined; node = inclusive ? parents.get(node) : undefined) rows.add(rowOf(nodes.get(node).callFrame));
    for (const row of rows) totals.set(row, (totals.get(row) ?? 0) + delta);
  });
}

/**
 * The whole number at least 1 that follows option `arg` in a command line (`--runs 20`), or an
 * error that says so.
 *
 * @example
 * positiveWholeNumber('--runs', '20'); // 20
 */
export function positiveWholeNumber(arg, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} needs a positive whole number`);
  return value;
}

/** The global array {@link stampedModule} fills and bench/child.mjs reports as `stamps` (by this name: it imports nothing of the bench). */
export const STAMPS_GLOBAL = '__benchStamps';

/**
 * A bundle file's code with a stamp of the process's CPU time (ms, every thread) when its module
 * starts evaluating and when it ends (`npm run bench:stack -- --timeline`). Node fetches, compiles
 * and links a module and its static imports before any of them runs, so the time before a
 * "starts" stamp is loading and compiling them, after whatever ran before the import.
 *
 * @example
 * stampedModule('export const a = 1;', 'index.mjs');
 * // '(globalThis.__benchStamps ??= []).push(["index.mjs starts", …]);export const a = 1;\n(…["index.mjs ends", …]);\n'
 */
export function stampedModule(code, label) {
  const stamp = (what) =>
    `(globalThis.${STAMPS_GLOBAL} ??= []).push([${JSON.stringify(what)}, ((u) => (u.user + u.system) / 1000)(process.cpuUsage())]);`;
  return `${stamp(`${label} starts`)}${code}\n${stamp(`${label} ends`)}\n`;
}

/**
 * The median timeline of samples, each a list of `[label, ms]` stamps: every label with the median
 * of its stamps (over the samples that have it), in the order of those medians.
 *
 * @example
 * medianTimeline([[['a', 1], ['b', 5]], [['a', 3], ['b', 7]]]); // [{ label: 'a', ms: 2 }, { label: 'b', ms: 6 }]
 */
export function medianTimeline(samples) {
  const stamps = new Map();
  for (const sample of samples) for (const [label, ms] of sample) stamps.set(label, [...(stamps.get(label) ?? []), ms]);
  return [...stamps].map(([label, values]) => ({ label, ms: median(values) })).sort((a, b) => a.ms - b.ms);
}

/**
 * What an output file of a metafile holds, in a few words: the packages (or `src/` folders) of its
 * largest inputs, at most `count`.
 *
 * @example
 * outputContents(meta, 'dist/chunks/chunk-NRTDSFOB.mjs'); // '@smithy/core, @aws-sdk/core, @smithy/signature-v4'
 */
export function outputContents(meta, output, count = 3) {
  const bytes = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[output]?.inputs ?? {})) {
    const owner = input.includes('node_modules/') ? packageOf(input) : input.split('/').slice(0, 2).join('/');
    bytes.set(owner, (bytes.get(owner) ?? 0) + bytesInOutput);
  }
  return [...bytes]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([owner]) => owner)
    .join(', ');
}
