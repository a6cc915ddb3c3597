/**
 * `npm run bench [-- options]`: cold start, memory, bundle and fan-out figures of the Lambda bundle,
 * measured on this machine with Node only. Writes bench/results.json and prints a table.
 *
 *   --check           CI mode: fail (exit 1) when a budget is exceeded; no eager reference
 *   --runs N          samples per variant (default 25, 20 with --check; at least 20)
 *   --fanout-runs N   fan-out samples (default 5; 3 with --check)
 *   --burst-runs N    samples of the 30-event burst, as one batch and as 30 invocations (default 3; 1 with --check)
 *   --no-build        measure dist/ as it is (default: run build.mjs first)
 *   --no-eager        skip the eager single-file reference
 *   --source-maps     run every sample with --enable-source-maps (what it costs: production maps the
 *                     stacks it writes instead, src/shared/stackTrace.ts)
 *   --seed N          seed of the interleaving order (default 1)
 *   --only a,b        only these variants (ids as in results.json, e.g. init,route:ecs); no fan-out
 *   --dist DIR        measure another build directory (with meta.json and deploybridge-<version>.zip); implies --no-build
 *   --out FILE        where to write the results (default bench/results.json)
 *   --markdown        also print the tables as Markdown (docs/performance.md's come from `npm run bench:docs`)
 *   --node PATH       the node binary the samples run on (default: the one running the bench); Lambda
 *                     runs Node 22, which `npm install --prefix <dir> node@22` puts in <dir>/node_modules/.bin
 *
 * Method. Every sample is a fresh `node` process. The reference is a bare `node -e ''`; the others
 * run bench/child.mjs, which imports the bundle and (except for "init") invokes the handler as the
 * Lambda runtime would. Variants are interleaved (every round runs each variant once, in a shuffled
 * order) so a noisy neighbour slows all of them alike. Each route that calls AWS is also compared
 * with its SDK floors (bench/floors.mjs): a bundle of the same clients making the same calls, built
 * with the same settings and run the same way, its credentials from the environment as in the
 * Lambda bundle, and a "naive" one of the SDK as it bundles by default (default credential chain,
 * every schema and protocol: the floors before build.mjs fitted the SDK). Those ratios, and init
 * over bare node, are paired: the median of the ratios of each round's two samples. Besides the
 * wall time to exit, each sample records when the first AWS write (bench/lib.mjs WRITE_OPERATIONS)
 * reached the stub: from the process's start, that is the wait a cold start puts before a
 * deployment starts; and the process's CPU time when that request started (bench/child.mjs notes
 * the CPU time of each request it starts), the same wait as a loaded machine disturbs it least.
 * AWS is a local stub on 127.0.0.1 reached through AWS_ENDPOINT_URL, Slack the
 * same stub through SLACK_WEBHOOK_URL; credentials are fake and come from the environment, so no
 * credential provider touches the network or ~/.aws.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  accountFiles,
  duplicateSdkPackages,
  firstWriteMs,
  evaluate,
  formatMarkdownTable,
  formatTable,
  formatValue,
  FANOUT_PLANNING_READS,
  idealFanoutMs,
  interleave,
  KB,
  MB,
  median,
  pairedRatio,
  positiveWholeNumber,
  quantile,
  staticClosure,
} from './lib.mjs';
import {
  APPLY_CHANGES,
  applyBatches,
  BURST_EXPECTED,
  BURST_IMAGES,
  BURST_SERVICE_CONFIG,
  BURST_SERVICES,
  burstEvents,
  sqsBatch,
} from './burst.mjs';
import { FLOORS } from './floors.mjs';
import { LAMBDA_OPERATIONS, pushedImage, ROUTES, sampleEnv } from './routes.mjs';
import { firstWriteRequest, startStub } from './stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const options = {
    check: false,
    markdown: false,
    runs: undefined,
    fanoutRuns: undefined,
    burstRuns: undefined,
    build: true,
    eager: true,
    sourceMaps: false,
    seed: 1,
    only: undefined,
    dist: 'dist',
    out: 'bench/results.json',
    node: process.execPath,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => positiveWholeNumber(arg, argv[++i]);
    if (arg === '--check') options.check = true;
    else if (arg === '--markdown') options.markdown = true;
    else if (arg === '--runs') options.runs = number();
    else if (arg === '--fanout-runs') options.fanoutRuns = number();
    else if (arg === '--burst-runs') options.burstRuns = number();
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--no-eager') options.eager = false;
    else if (arg === '--source-maps') options.sourceMaps = true;
    else if (arg === '--seed') options.seed = number();
    else if (arg === '--out') options.out = String(argv[++i]);
    else if (arg === '--node') options.node = resolve(String(argv[++i]));
    else if (arg === '--dist') {
      options.dist = String(argv[++i]);
      options.build = false;
    } else if (arg === '--only') options.only = new Set(['bare', ...String(argv[++i] ?? '').split(',')]);
    else throw new Error(`unknown option ${arg} (see the header of bench/bench.mjs)`);
  }
  options.runs ??= options.check ? 20 : 25;
  if (options.runs < 20) throw new Error('--runs must be at least 20: fewer samples make the medians too noisy to compare');
  if (options.check) options.eager = false;
  if (options.check && options.only) throw new Error('--only cannot be combined with --check');
  options.fanoutRuns ??= options.check ? 3 : 5;
  options.burstRuns ??= options.check ? 1 : 3;
  return options;
}

// ---------------------------------------------------------------------------------------------
// The routes: one sample event each (from events/), and what the stub must see.

/** Deployer concurrency (DEFAULT_DEPLOYER_OPTIONS.concurrency in src/deploy/deployer.ts). */
const CONCURRENCY = 10;
const FANOUT_SERVICES = 50;
const FANOUT_DELAY_MS = 100;

/** The burst: one SQS batch against 30 direct invocations, every AWS answer this late. */
const BURST_DELAY_MS = 100;

function fanoutServiceConfig() {
  const config = {};
  for (let i = 1; i <= FANOUT_SERVICES; i++)
    config[`svc${String(i).padStart(2, '0')}`] = [{ bucket: 'myproject-config-dev', key: 'shared/.env' }];
  return config;
}

// ---------------------------------------------------------------------------------------------
// Processes

let home;

/** A Lambda-like environment for one sample (bench/routes.mjs), its home this run's. */
function childEnv(stub, extra = {}) {
  return sampleEnv(stub, home, extra);
}

const CHILD_TIMEOUT_MS = 30_000;
/** The node binary every sample runs on (`--node`). */
let sampleNode = process.execPath;
/** The byte bench/child.mjs writes to fd 3 when the handler returned, before its result. */
const READY = '\u0006';

/**
 * Runs one process; resolves with its wall time (spawn to exit) and what it wrote to fd 3.
 * A process that outlives CHILD_TIMEOUT_MS is killed and fails the bench.
 */
function runProcess(args, env) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(sampleNode, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let output = '';
    let result = '';
    child.stdout.on('data', (chunk) => {
      output = (output + chunk).slice(-20_000);
    });
    child.stderr.on('data', (chunk) => {
      output = (output + chunk).slice(-20_000);
    });
    let readyMs;
    child.stdio[3].on('data', (chunk) => {
      readyMs ??= performance.now() - t0;
      result += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    let wallMs;
    child.on('exit', () => {
      wallMs = performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`\`node ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}):\n${output}`));
        return;
      }
      // `readyMs`: when the child said it was done (the handler returned), before its exit.
      resolvePromise({
        startedAt: t0,
        wallMs,
        readyMs: readyMs ?? wallMs,
        result: result === '' ? undefined : JSON.parse(result.startsWith(READY) ? result.slice(READY.length) : result),
        output,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Variants: what one sample runs.

function variants(stub, bundles, floors, options) {
  const flags = options.sourceMaps ? ['--enable-source-maps'] : [];
  const child = join('bench', 'child.mjs');
  const list = [{ id: 'bare', label: "bare `node -e ''`", args: ['-e', ''], env: childEnv(stub) }];
  for (const bundle of bundles) {
    const prefix = bundle.eager ? 'eager ' : '';
    const entry = relative(root, bundle.entry);
    const add = (id, label, mode, events, extra = {}) =>
      list.push({
        id: `${prefix}${id}`,
        bundle: bundle.name,
        label: `${prefix}${label}`,
        kind: id,
        args: [...flags, child, mode, entry, ...events],
        env: childEnv(stub, extra),
        events,
      });
    // Init only is `node dist/index.mjs` itself, timed to exit: no harness module in the measurement.
    list.push({
      id: `${prefix}init`,
      bundle: bundle.name,
      label: `${prefix}init only (import)`,
      kind: 'init',
      args: [...flags, entry],
      inventoryArgs: [...flags, child, 'inventory', entry],
      env: childEnv(stub),
      events: [],
    });
    for (const route of ROUTES) add(`route:${route.name}`, route.label ?? `route ${route.name}`, 'handle', [route.event]);
    // Every route in one process: no budget depends on it, so CI (`--check`) leaves it out.
    if (!options.check)
      add(
        'all',
        'all routes, one process',
        'handle',
        ROUTES.map((r) => r.event),
      );
    if (!bundle.eager) {
      for (const floor of floors) {
        const route = ROUTES.find((r) => r.floor === floor.name);
        const naive = floor.credentials === 'naive';
        list.push({
          id: `${naive ? 'naive' : 'floor'}:${floor.name}`,
          bundle: 'floor',
          label: `${naive ? 'naive SDK floor' : 'SDK floor'} of ${route.label ?? `route ${route.name}`} (${FLOORS[floor.name].clients.join('+')}${naive ? ', SDK as bundled by default' : ''})`,
          kind: 'floor',
          credentials: floor.credentials,
          floorOf: `route:${route.name}`,
          args: [...flags, child, 'handle', relative(root, floor.entry), route.event],
          env: childEnv(stub),
          events: [route.event],
        });
      }
    }
    if (!bundle.eager && !options.check) {
      // The webhook as an SSM SecureString: the notifier reads it through the SSM client first.
      const ssm = { SLACK_WEBHOOK_URL: '', SLACK_WEBHOOK_SSM_PARAMETER: '/dev/myproject/slack-webhook' };
      add('route:ecs+ssm-webhook', 'route ecs, webhook from SSM', 'handle', ['events/ecs-deployment-completed.json'], ssm);
      add('route:ecr+ssm-webhook', 'route ecr, webhook from SSM', 'handle', ['events/ecr-push-api.json'], ssm);
    }
  }
  return list;
}

/** Checks a sample's answers: every event handled, and the stub saw exactly the calls the route makes (a floor: the same calls). */
function verify(variant, sample, stub) {
  const results = sample.result?.results ?? [];
  const handled = (r) =>
    variant.kind === 'floor'
      ? r.status === 'floor'
      : r.status === 'planned' && (r.deployments ?? []).every((d) => d === 'started' || d === 'succeeded');
  const bad = results.filter((r) => !handled(r));
  if (results.length !== variant.events.length || bad.length > 0) {
    throw new Error(`${variant.label}: unexpected results ${JSON.stringify(results)}\n${sample.output}`);
  }
  const expected = {};
  const routes = variant.events.map((file) => ROUTES.find((r) => r.event === file));
  for (const route of routes) {
    for (const [op, n] of Object.entries(route?.calls ?? {})) expected[op] = (expected[op] ?? 0) + n;
  }
  if (variant.env.SLACK_WEBHOOK_SSM_PARAMETER) expected.GetParameter = 1;
  const seen = {};
  for (const call of stub.calls()) {
    // Calls of a route whose calls are not listed (the Lambda target) are checked for their kind only.
    const listed = call.target in expected || !routes.some((r) => r?.calls === undefined);
    if (listed) seen[call.target] = (seen[call.target] ?? 0) + 1;
    else if (!LAMBDA_OPERATIONS.has(call.target)) throw new Error(`${variant.label}: unexpected AWS call ${call.target}`);
  }
  if (routes.some((r) => r?.calls === undefined) && !stub.calls().some((c) => c.target === 'UpdateFunctionCode')) {
    throw new Error(`${variant.label}: the Lambda target made no UpdateFunctionCode call`);
  }
  if (JSON.stringify(Object.entries(seen).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
    throw new Error(`${variant.label}: AWS calls ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
  }
  const notifications = variant.kind === 'floor' ? 0 : variant.events.length;
  if (stub.slackPosts() < notifications)
    throw new Error(`${variant.label}: ${stub.slackPosts()} Slack posts, expected at least ${notifications}`);
}

// ---------------------------------------------------------------------------------------------
// Bundles

function progress(text) {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}\n`);
}

/**
 * The SDK floors (bench/floors.mjs), each one file built with the Lambda bundle's esbuild
 * settings, as the bundle takes the SDK (credentials from the environment only, unused schemas and
 * protocols left out), and "naive": the SDK as it bundles by default, with its default credential
 * chain (build.mjs without LAMBDA_SDK_PLUGINS), the floors as they were before those plugins.
 */
async function buildFloors(tmp) {
  const { buildBundle, bundleOptions, LAMBDA_SDK_PLUGINS } = await import(pathToFileURL(join(root, 'build.mjs')).href);
  progress(`building the SDK floors of ${Object.keys(FLOORS).length} routes, as the bundle takes the SDK and naive`);
  const floors = [];
  for (const credentials of ['environment', 'naive']) {
    const plugins = credentials === 'naive' ? bundleOptions.plugins.filter((p) => !LAMBDA_SDK_PLUGINS.includes(p)) : bundleOptions.plugins;
    for (const [name, floor] of Object.entries(FLOORS)) {
      const dir = join(tmp, 'floors', credentials, name);
      await buildBundle(dir, {
        stdin: { contents: floor.source, resolveDir: root, sourcefile: `floor-${name}.mjs`, loader: 'js' },
        outfile: join(dir, 'index.mjs'),
        splitting: false,
        plugins,
      });
      floors.push({ name, credentials, entry: join(dir, 'index.mjs') });
    }
  }
  return floors;
}

async function buildAll(options, tmp) {
  const { buildBundle, zipBundle, ZIP_NAME } = await import(pathToFileURL(join(root, 'build.mjs')).href);
  if (options.build) {
    progress('building dist/ (node build.mjs)');
    const built = await runProcess(['build.mjs'], { ...process.env });
    process.stderr.write(built.output.replace(/^npm warn.*\n?/gm, ''));
  }
  const dist = resolve(root, options.dist);
  if (!existsSync(join(dist, 'meta.json')))
    throw new Error(`${join(dist, 'meta.json')} is missing: run \`npm run build\` or drop --no-build`);
  const meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8'));
  const bundles = [
    { name: 'lazy', eager: false, entry: join(dist, 'index.mjs'), dir: dist, meta, zipBytes: statSync(join(dist, ZIP_NAME)).size },
  ];

  if (options.eager) {
    // The same code and settings as one eagerly loaded file: every module the bundle loads on
    // demand from src/ (route handlers, SDK doors) imported statically from a generated entry.
    const lazyModules = Object.values(meta.outputs)
      .map((o) => o.entryPoint)
      .filter((e) => e !== undefined && e.startsWith('src/') && e !== 'src/index.ts');
    const contents = [...lazyModules.map((m) => `import './${m}';`), "export { handler } from './src/index.ts';"].join('\n');
    const dir = join(tmp, 'eager');
    progress(`building the eager reference (${lazyModules.length} lazy modules imported statically)`);
    const eagerMeta = await buildBundle(dir, {
      stdin: { contents, resolveDir: root, sourcefile: 'eager-entry.ts', loader: 'ts' },
      outfile: join(dir, 'index.mjs'),
      splitting: false,
    });
    const entry = join(dir, 'index.mjs');
    bundles.push({
      name: 'eager',
      eager: true,
      entry,
      dir,
      meta: eagerMeta,
      zipBytes: zipBundle(dir).length,
      fileBytes: statSync(entry).size,
      modules: lazyModules,
    });
  }
  return bundles;
}

/**
 * The process's CPU time when its first AWS write request started (bench/child.mjs notes each
 * request it starts), or undefined when it made none: the CPU a cold start spends before a
 * deployment starts, which a loaded machine disturbs far less than the wall time to that request.
 */
function firstWriteCpuMs(requests) {
  return requests === undefined ? undefined : firstWriteRequest(requests)?.cpuMs;
}

/** The slowest route's ratios over its floors, when every one of the `expected` routes was measured. */
function slowest(floorRatios, expected) {
  if (floorRatios.length !== expected) return {};
  const max = (key) => Math.max(...floorRatios.map((f) => f[key]));
  return {
    routeToFloorRatio: max('cpuOverFloor'),
    routeToNaiveFloorRatio: max('cpuOverNaive'),
    routeToFloorWallRatio: max('overFloor'),
    routeToNaiveFloorWallRatio: max('overNaive'),
    firstWriteToFloorRatio: max('firstWriteOverFloor'),
    firstWriteToNaiveFloorRatio: max('firstWriteOverNaive'),
    firstWriteCpuToFloorRatio: max('firstWriteCpuOverFloor'),
    firstWriteCpuToNaiveFloorRatio: max('firstWriteCpuOverNaive'),
  };
}

/** Of counts that must be exact, the one farthest from the expected count (undefined for none). */
function farthest(values, expected) {
  return values.length === 0 ? undefined : values.reduce((a, b) => (Math.abs(b - expected) > Math.abs(a - expected) ? b : a));
}

/**
 * The metafile path of a file loaded from a bundle directory. Metafile paths are relative to the
 * repository the bundle was built in (`dist/chunks/x.mjs`), which for `--dist` may be another one.
 */
function metaPath(meta, dir, url) {
  const file = relative(dir, fileURLToPath(url)).split('\\').join('/');
  return Object.keys(meta.outputs).find((key) => key === file || key.endsWith(`/${file}`)) ?? file;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  sampleNode = options.node;
  process.chdir(root);
  const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  const tmp = mkdtempSync(join(tmpdir(), 'deploybridge-bench-'));
  home = join(tmp, 'home');
  mkdirSync(home);
  let stub;
  // Bounded: whatever happens, the bench ends (and takes its children with it).
  const watchdog = setTimeout(() => {
    process.stderr.write('bench: gave up after 15 minutes\n');
    process.exit(2);
  }, 15 * 60_000);
  watchdog.unref();
  try {
    const bundles = await buildAll(options, tmp);
    const floors = await buildFloors(tmp);
    stub = await startStub({ image: pushedImage() });
    const list = variants(stub, bundles, floors, options).filter((v) => options.only === undefined || options.only.has(v.id));
    const lazy = bundles[0];

    // 1. Inventory (untimed): which files each variant loads, and a check of what it does.
    progress('inventory: what each route loads and calls');
    const inventory = {};
    for (const variant of list.filter((v) => v.bundle === 'lazy')) {
      stub.reset();
      const sample = await runProcess(variant.inventoryArgs ?? variant.args.map((a) => (a === 'handle' ? 'inventory' : a)), variant.env);
      if (variant.kind !== 'init') verify(variant, sample, stub);
      const files = sample.result.loaded
        .filter((u) => u.startsWith('file:'))
        .map((url) => metaPath(lazy.meta, lazy.dir, url))
        .filter((f) => lazy.meta.outputs[f] !== undefined);
      const builtins = sample.result.loaded.filter((u) => u.startsWith('node:'));
      inventory[variant.id] = { ...accountFiles(lazy.meta, files), builtins: [...new Set(builtins)].sort() };
    }
    const init = inventory.init;
    const metaInit = [...staticClosure(lazy.meta, metaPath(lazy.meta, lazy.dir, pathToFileURL(lazy.entry).href))];
    if (init !== undefined && metaInit.length !== init.files.length) {
      progress(`note: the metafile says init loads ${metaInit.length} files, the loader saw ${init.files.length}`);
    }

    // 2. Cold starts, interleaved.
    const byId = new Map(list.map((v) => [v.id, v]));
    const samples = Object.fromEntries(list.map((v) => [v.id, []]));
    const warmup = interleave(
      list.map((v) => v.id),
      2,
      options.seed + 1000,
    );
    const order = interleave(
      list.map((v) => v.id),
      options.runs,
      options.seed,
    );
    progress(`cold starts: ${list.length} variants x ${options.runs} runs, interleaved (+2 warm-up rounds)`);
    let done = 0;
    for (const [i, id] of [...warmup, ...order].entries()) {
      const variant = byId.get(id);
      stub.reset();
      const sample = await runProcess(variant.args, variant.env);
      if (variant.kind !== undefined && variant.kind !== 'init') verify(variant, sample, stub);
      if (i >= warmup.length) {
        samples[id].push({
          wallMs: sample.wallMs,
          readyMs: sample.readyMs,
          firstWriteMs: firstWriteMs(stub.calls(), sample.startedAt),
          firstWriteCpuMs: firstWriteCpuMs(sample.result?.requests),
          rss: sample.result?.rss,
          cpuMs: sample.result?.cpuMs,
        });
        if (++done % (list.length * 5) === 0) progress(`  ${done / list.length} of ${options.runs} rounds`);
      }
    }

    // 3. Fan-out: one env file used by N services, every AWS answer 100 ms late.
    const fanoutRuns = options.only === undefined ? options.fanoutRuns : 0;
    if (fanoutRuns > 0) progress(`fan-out: ${FANOUT_SERVICES} services, ${FANOUT_DELAY_MS} ms per AWS call, ${fanoutRuns} runs`);
    stub.setDelay(FANOUT_DELAY_MS);
    const fanoutVariant = {
      args: [
        ...(options.sourceMaps ? ['--enable-source-maps'] : []),
        join('bench', 'child.mjs'),
        'fanout',
        relative(root, lazy.entry),
        'events/s3-env-file-created.json',
      ],
      env: childEnv(stub, { SERVICE_CONFIG: JSON.stringify(fanoutServiceConfig()) }),
    };
    const fanoutSamples = [];
    for (let i = 0; i < fanoutRuns; i++) {
      stub.reset();
      const sample = await runProcess(fanoutVariant.args, fanoutVariant.env);
      const [cold, warm] = sample.result.invocations;
      const calls = stub.calls();
      const during = (inv) => calls.filter((c) => c.start >= inv.start && c.start <= inv.end);
      const describe = (inv) => {
        const own = during(inv);
        const updates = own.filter((c) => c.target === 'UpdateService');
        return {
          ms: inv.ms,
          calls: own.length,
          updates: updates.length,
          // A configuration change restarts what each service runs: UpdateService without a task definition.
          restarts: updates.filter((c) => c.input.taskDefinition === undefined).length,
          otherCalls: own.length - updates.length,
        };
      };
      const statuses = sample.result.results.flatMap((r) => r.deployments ?? []);
      if (statuses.length !== 2 * FANOUT_SERVICES || statuses.some((s) => s !== 'started'))
        throw new Error(`fan-out: unexpected results ${JSON.stringify(sample.result.results)}`);
      fanoutSamples.push({ cold: describe(cold), warm: describe(warm), maxInFlight: stub.maxInFlight() });
    }
    stub.setDelay(0);

    // 4. The burst: 30 events as one SQS batch (the coalescing queue) and as 30 direct invocations
    // (one after the other, in one fresh process), every AWS answer late.
    const burstRuns = options.only === undefined ? options.burstRuns : 0;
    const burstSamples = { batch: [], direct: [] };
    if (burstRuns > 0) {
      progress(
        `burst: 30 events as one SQS batch and as 30 direct invocations, ${BURST_DELAY_MS} ms per AWS call, ${burstRuns} run${burstRuns === 1 ? '' : 's'}`,
      );
      const dir = join(tmp, 'burst');
      mkdirSync(dir);
      const events = burstEvents();
      const [record] = JSON.parse(
        readFileSync(join(root, 'test/fixtures/aws-events/sqs/sqs-record-wrapping-eventbridge-s3-object-created-real.json'), 'utf8'),
      ).Records;
      writeFileSync(join(dir, 'batch.json'), JSON.stringify(sqsBatch(events, record)));
      const files = { batch: [join(dir, 'batch.json')], direct: [] };
      for (const [i, event] of events.entries()) {
        files.direct.push(join(dir, `event-${String(i + 1).padStart(2, '0')}.json`));
        writeFileSync(files.direct[i], JSON.stringify(event));
      }
      const args = (delivery) => [
        ...(options.sourceMaps ? ['--enable-source-maps'] : []),
        join('bench', 'child.mjs'),
        'handle',
        relative(root, lazy.entry),
        ...files[delivery],
      ];
      const env = childEnv(stub, { SERVICE_CONFIG: JSON.stringify(BURST_SERVICE_CONFIG) });
      stub.setDelay(BURST_DELAY_MS);
      stub.setImages(BURST_IMAGES);
      for (let run = 0; run < burstRuns; run++) {
        for (const delivery of run % 2 === 0 ? ['batch', 'direct'] : ['direct', 'batch']) {
          stub.reset();
          const sample = await runProcess(args(delivery), env);
          const results = sample.result.results;
          const handled =
            delivery === 'batch'
              ? results.length === 1 && results[0].status === 'batch' && results[0].failures.length === 0
              : results.length === events.length &&
                results.every((r) => r.status === 'planned' && r.deployments.every((d) => d === 'started'));
          if (!handled) throw new Error(`burst as ${delivery}: unexpected results ${JSON.stringify(results)}\n${sample.output}`);
          const calls = stub.calls();
          burstSamples[delivery].push({
            ms: sample.readyMs,
            invocations: results.length,
            calls: calls.length,
            updates: calls.filter((c) => c.target === 'UpdateService').length,
            slack: stub.slackPosts(),
          });
        }
      }
      stub.setImages({});
      stub.setDelay(0);
    }

    // 4b. The large burst: 250 parameter changes of one apply as three SQS batches, the first two
    // at once (two processes: the event source mapping's maximum concurrency), the third after
    // them, with the deployments table (the stub's DynamoDB), every AWS answer late.
    let apply;
    if (burstRuns > 0) {
      progress(`burst: ${APPLY_CHANGES} parameter changes as three SQS batches, two at once, with DEPLOYMENTS_TABLE`);
      const dir = join(tmp, 'apply');
      mkdirSync(dir);
      const [record] = JSON.parse(
        readFileSync(join(root, 'test/fixtures/aws-events/sqs/sqs-record-wrapping-eventbridge-s3-object-created-real.json'), 'utf8'),
      ).Records;
      const files = applyBatches().map((events, i) => {
        const file = join(dir, `batch-${i + 1}.json`);
        writeFileSync(file, JSON.stringify(sqsBatch(events, record)));
        return file;
      });
      const handle = (file) => runProcess([join('bench', 'child.mjs'), 'handle', relative(root, lazy.entry), file], env);
      const env = childEnv(stub, { SERVICE_CONFIG: JSON.stringify(BURST_SERVICE_CONFIG), DEPLOYMENTS_TABLE: 'bench-deployments' });
      stub.reset();
      stub.setDelay(BURST_DELAY_MS);
      const t0 = performance.now();
      const samples = await Promise.all(files.slice(0, 2).map(handle));
      samples.push(...(await Promise.all(files.slice(2).map(handle))));
      const ms = performance.now() - t0;
      stub.setDelay(0);
      const failures = samples.flatMap((sample) => sample.result.results.flatMap((r) => r.failures ?? [r.status]));
      if (failures.length > 0)
        throw new Error(`large burst: records left to retry ${JSON.stringify(failures)}\n${samples.map((x) => x.output).join('\n')}`);
      const calls = stub.calls();
      const updates = calls.filter((c) => c.target === 'UpdateService');
      const perService = new Map();
      for (const call of updates) perService.set(call.input.service, (perService.get(call.input.service) ?? 0) + 1);
      if (perService.size !== BURST_SERVICES.length) throw new Error(`large burst: deployed ${JSON.stringify([...perService])}`);
      apply = {
        changes: APPLY_CHANGES,
        batches: files.length,
        updates: updates.length,
        maxDeploymentsPerService: Math.max(...perService.values()),
        awsCalls: calls.filter((c) => !['GetItem', 'PutItem'].includes(c.target)).length,
        tableCalls: calls.filter((c) => ['GetItem', 'PutItem'].includes(c.target)).length,
        slack: stub.slackPosts(),
        ms,
      };
    }

    // 5. Figures.
    const stat = (id) => {
      const wall = samples[id].map((s) => s.wallMs);
      const rss = samples[id].map((s) => s.rss).filter((r) => r !== undefined);
      const ready = samples[id].map((s) => s.readyMs);
      const firstWrite = samples[id].map((s) => s.firstWriteMs).filter((ms) => ms !== undefined);
      const cpu = samples[id].map((s) => s.cpuMs).filter((ms) => ms !== undefined);
      const firstWriteCpu = samples[id].map((s) => s.firstWriteCpuMs).filter((ms) => ms !== undefined);
      return {
        cpuMs: cpu.length > 0 ? median(cpu) : undefined,
        firstWriteCpuMs: firstWriteCpu.length > 0 ? median(firstWriteCpu) : undefined,
        medianMs: median(wall),
        firstWriteMs: firstWrite.length > 0 ? median(firstWrite) : undefined,
        p25Ms: quantile(wall, 0.25),
        p75Ms: quantile(wall, 0.75),
        minMs: Math.min(...wall),
        readyMs: median(ready),
        rssBytes: rss.length > 0 ? median(rss) : undefined,
        runs: wall.length,
      };
    };
    const bare = stat('bare');
    const rows = list.map((v) => {
      const s = stat(v.id);
      const loaded = inventory[v.id];
      const codeBytes = v.bundle === 'eager' ? bundles[1].fileBytes : loaded?.bytes;
      return {
        id: v.id,
        label: v.label,
        bundle: v.bundle,
        floorOf: v.floorOf,
        credentials: v.credentials,
        ...s,
        ratio: s.medianMs / bare.medianMs,
        readyRatio: s.readyMs / bare.medianMs,
        codeBytes,
        sdkBytes: loaded?.sdkBytes,
        clients: loaded?.clients,
      };
    });
    // Each SDK route over its floors: what deploybridge adds to the SDK's own cost (the floor with
    // the bundle's environment credentials), and where it stands against the SDK set up the usual
    // way (the naive floor: the SDK as it bundles by default). Ratios pair the samples of each round.
    const paired = (a, b, key) =>
      pairedRatio(
        samples[a].map((x) => x[key]),
        samples[b].map((x) => x[key]),
      );
    const floorRatios = ROUTES.filter((r) => r.floor !== undefined).flatMap((r) => {
      const route = rows.find((row) => row.id === `route:${r.name}`);
      const floor = rows.find((row) => row.id === `floor:${r.floor}`);
      const naive = rows.find((row) => row.id === `naive:${r.floor}`);
      if (route === undefined || floor === undefined || naive === undefined) return [];
      return [
        {
          route: route.id,
          label: route.label,
          routeMs: route.medianMs,
          floorMs: floor.medianMs,
          naiveMs: naive.medianMs,
          routeRatio: route.ratio,
          floorRatio: floor.ratio,
          naiveRatio: naive.ratio,
          overFloor: paired(route.id, floor.id, 'wallMs'),
          overNaive: paired(route.id, naive.id, 'wallMs'),
          cpuOverFloor: paired(route.id, floor.id, 'cpuMs'),
          cpuOverNaive: paired(route.id, naive.id, 'cpuMs'),
          routeFirstWriteMs: route.firstWriteMs,
          floorFirstWriteMs: floor.firstWriteMs,
          naiveFirstWriteMs: naive.firstWriteMs,
          firstWriteOverFloor: paired(route.id, floor.id, 'firstWriteMs'),
          firstWriteOverNaive: paired(route.id, naive.id, 'firstWriteMs'),
          routeFirstWriteCpuMs: route.firstWriteCpuMs,
          floorFirstWriteCpuMs: floor.firstWriteCpuMs,
          naiveFirstWriteCpuMs: naive.firstWriteCpuMs,
          firstWriteCpuOverFloor: paired(route.id, floor.id, 'firstWriteCpuMs'),
          firstWriteCpuOverNaive: paired(route.id, naive.id, 'firstWriteCpuMs'),
          routeRss: route.rssBytes,
          floorRss: floor.rssBytes,
          naiveRss: naive.rssBytes,
        },
      ];
    });
    const burstOf = (list, expected) =>
      list.length === 0
        ? undefined
        : {
            ms: median(list.map((s) => s.ms)),
            invocations: list[0].invocations,
            calls: median(list.map((s) => s.calls)),
            // Counts are checked on every sample: the one farthest from what is expected.
            updates: farthest(
              list.map((s) => s.updates),
              expected.updates,
            ),
            slack: farthest(
              list.map((s) => s.slack),
              expected.slack,
            ),
          };
    const burst = {
      events: 30,
      services: BURST_SERVICES.length,
      delayMs: BURST_DELAY_MS,
      batch: burstOf(burstSamples.batch, BURST_EXPECTED.batch),
      direct: burstOf(burstSamples.direct, BURST_EXPECTED.direct),
      samples: burstSamples,
    };
    const routeRows = rows.filter((r) => r.bundle === 'lazy' && ROUTES.some((route) => r.id === `route:${route.name}`));
    const largest = (list, key) =>
      list.filter((r) => r[key] !== undefined).reduce((a, b) => (a === undefined || b[key] > a[key] ? b : a), undefined);
    const heaviest = largest(routeRows, 'medianMs');
    const biggestRss = largest(
      rows.filter((r) => r.bundle === 'lazy'),
      'rssBytes',
    );
    const medianOf = (values) => (values.length > 0 ? median(values) : undefined);
    const invocations = fanoutSamples.flatMap((s) => [s.cold, s.warm]);
    const ideal = idealFanoutMs({
      services: FANOUT_SERVICES,
      concurrency: CONCURRENCY,
      callsPerService: 1,
      delayMs: FANOUT_DELAY_MS,
      planningCalls: FANOUT_PLANNING_READS,
    });
    const fanout = {
      services: FANOUT_SERVICES,
      concurrency: CONCURRENCY,
      delayMs: FANOUT_DELAY_MS,
      idealMs: ideal,
      coldMs: medianOf(fanoutSamples.map((s) => s.cold.ms)),
      warmMs: medianOf(fanoutSamples.map((s) => s.warm.ms)),
      // Counts are checked on every invocation (cold and warm): the one farthest from the expected counts.
      callsPerInvocation: farthest(
        invocations.map((i) => i.calls),
        FANOUT_SERVICES + FANOUT_PLANNING_READS,
      ),
      updatesPerInvocation: farthest(
        invocations.map((i) => i.updates),
        FANOUT_SERVICES,
      ),
      restarts: farthest(
        invocations.map((i) => i.restarts),
        FANOUT_SERVICES,
      ),
      otherCalls: farthest(
        invocations.map((i) => i.otherCalls),
        FANOUT_PLANNING_READS,
      ),
      maxInFlight: medianOf(fanoutSamples.map((s) => s.maxInFlight)),
      samples: fanoutSamples,
    };
    fanout.coldVsIdeal = fanout.coldMs / ideal;
    fanout.warmVsIdeal = fanout.warmMs / ideal;
    fanout.callsPerService = fanout.updatesPerInvocation / FANOUT_SERVICES;

    const figures = {
      // Paired by round, like the floors: a noisy neighbour slows `node` and the bundle alike.
      initRatio:
        samples.init?.length > 0
          ? pairedRatio(
              samples.init.map((x) => x.wallMs),
              samples.bare.map((x) => x.wallMs),
            )
          : undefined,
      heaviestRouteRatio: heaviest?.ratio,
      // The single route that leaves the process largest (one event, as Lambda delivers them).
      heaviestRss: largest(routeRows, 'rssBytes')?.rssBytes,
      largestRss: biggestRss?.rssBytes,
      zipBytes: lazy.zipBytes,
      initCodeBytes: init?.bytes,
      ecsRouteSdkBytes: inventory['route:ecs']?.sdkBytes,
      // Each route must load exactly the SDK clients it uses (ROUTES[].clients), no other.
      routesWithOtherClients: ROUTES.every((r) => inventory[`route:${r.name}`] !== undefined)
        ? ROUTES.filter((r) => inventory[`route:${r.name}`].clients.join('+') !== r.clients.join('+')).length
        : undefined,
      fanoutVsIdeal: fanout.warmVsIdeal,
      fanoutColdVsIdeal: fanout.coldVsIdeal,
      fanoutCallsPerService: fanout.callsPerService,
      fanoutOtherCalls: fanout.otherCalls,
      // Every SDK route must have been measured against its floors.
      ...slowest(floorRatios, ROUTES.filter((r) => r.floor !== undefined).length),
      duplicateSdkPackages: duplicateSdkPackages(lazy.meta).length,
      burstBatchUpdates: burst.batch?.updates,
      applyMaxDeploymentsPerService: apply?.maxDeploymentsPerService,
    };
    const checks = evaluate(figures);
    const machine = {
      nproc: cpus().length,
      cpu: cpuModel(),
      node: options.node === process.execPath ? process.version : execFileSync(options.node, ['--version'], { encoding: 'utf8' }).trim(),
      platform: `${process.platform} ${process.arch}`,
      sourceMaps: options.sourceMaps,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    };

    // 6. Report.
    const table = [
      ['variant', 'median ms', 'p25-p75 ms', 'ratio', 'ratio at return', 'RSS MB', 'code loaded KB', 'of it SDK KB', 'SDK clients'],
    ];
    for (const r of rows) {
      table.push([
        r.label,
        r.medianMs.toFixed(1),
        `${r.p25Ms.toFixed(0)}-${r.p75Ms.toFixed(0)}`,
        `${r.ratio.toFixed(2)}x`,
        r.id === 'bare' ? '' : `${r.readyRatio.toFixed(2)}x`,
        r.rssBytes === undefined ? '' : (r.rssBytes / MB).toFixed(1),
        r.codeBytes === undefined ? '' : (r.codeBytes / KB).toFixed(1),
        r.sdkBytes === undefined ? '' : (r.sdkBytes / KB).toFixed(1),
        r.clients === undefined ? '' : r.clients.join('+') || 'none',
      ]);
    }
    console.log(
      `\ndeploybridge bench: ${machine.node}, ${machine.nproc} x ${machine.cpu}, ${options.runs} runs per variant, interleaved${options.sourceMaps ? ', --enable-source-maps' : ''}\n`,
    );
    console.log(formatTable(table));
    if (heaviest) {
      console.log(
        `\nheaviest route: ${heaviest.label} (${heaviest.ratio.toFixed(2)}x, RSS ${(heaviest.rssBytes / MB).toFixed(1)} MB); largest RSS: ${biggestRss.label} (${(biggestRss.rssBytes / MB).toFixed(1)} MB)`,
      );
    }
    console.log(
      `zip: ${formatValue(lazy.zipBytes, 'bytes')} (${lazy.zipBytes} bytes)${bundles[1] ? `; eager reference: one ${formatValue(bundles[1].fileBytes, 'bytes')} file, zip ${formatValue(bundles[1].zipBytes, 'bytes')}` : ''}`,
    );
    if (fanoutSamples.length > 0)
      console.log(
        `fan-out: ${FANOUT_SERVICES} services, concurrency ${CONCURRENCY}, ${FANOUT_DELAY_MS} ms per call: ideal ${ideal} ms; ` +
          `cold invocation ${fanout.coldMs.toFixed(0)} ms (${fanout.coldVsIdeal.toFixed(2)}x), warm ${fanout.warmMs.toFixed(0)} ms (${fanout.warmVsIdeal.toFixed(2)}x); ` +
          `${fanout.callsPerInvocation} AWS calls (${fanout.restarts} UpdateService restarting what runs), at most ${fanout.maxInFlight} in flight`,
      );
    if (fanoutSamples.length > 0 && fanout.maxInFlight !== CONCURRENCY) {
      console.log(
        `note: at most ${fanout.maxInFlight} calls were in flight, not ${CONCURRENCY}: if the deployer's concurrency changed, update CONCURRENCY in bench/bench.mjs`,
      );
    }
    const floorTable = [
      [
        'route',
        'median ms',
        'SDK floor ms',
        'naive floor ms',
        'route / bare',
        'floor / bare',
        'naive / bare',
        'route / floor',
        'route / naive',
        'CPU: route / floor',
        'CPU: route / naive',
      ],
      ...floorRatios.map((f) => [
        f.label,
        f.routeMs.toFixed(1),
        f.floorMs.toFixed(1),
        f.naiveMs.toFixed(1),
        `${f.routeRatio.toFixed(2)}x`,
        `${f.floorRatio.toFixed(2)}x`,
        `${f.naiveRatio.toFixed(2)}x`,
        `${f.overFloor.toFixed(2)}x`,
        `${f.overNaive.toFixed(2)}x`,
        `${f.cpuOverFloor.toFixed(2)}x`,
        `${f.cpuOverNaive.toFixed(2)}x`,
      ]),
    ];
    const firstWriteTable = [
      [
        'route',
        'to first write ms',
        'SDK floor ms',
        'naive floor ms',
        'route / floor',
        'route / naive',
        'CPU ms to first write',
        'CPU: route / floor',
        'CPU: route / naive',
      ],
      ...floorRatios.map((f) => [
        f.label,
        f.routeFirstWriteMs.toFixed(1),
        f.floorFirstWriteMs.toFixed(1),
        f.naiveFirstWriteMs.toFixed(1),
        `${f.firstWriteOverFloor.toFixed(2)}x`,
        `${f.firstWriteOverNaive.toFixed(2)}x`,
        f.routeFirstWriteCpuMs.toFixed(1),
        `${f.firstWriteCpuOverFloor.toFixed(2)}x`,
        `${f.firstWriteCpuOverNaive.toFixed(2)}x`,
      ]),
    ];
    if (floorRatios.length > 0) {
      console.log(
        '\nSDK routes over their SDK floor (the same clients making the same calls, nothing else; the SDK as the bundle takes it) and their naive floor (the SDK as it bundles by default); ratios paired by round:',
      );
      console.log(formatTable(floorTable));
      console.log('\nTime to the first AWS write (process start, a cold start, to the first write request reaching AWS):');
      console.log(formatTable(firstWriteTable));
    }
    const burstTable = [
      ['burst of 30 events', 'invocations', 'UpdateService', 'AWS calls', 'Slack messages', 'ms to handled'],
      ...[
        ['one SQS batch (cold)', burst.batch],
        ['30 direct invocations (one process, first cold)', burst.direct],
      ].flatMap(([label, b]) => (b === undefined ? [] : [[label, b.invocations, b.updates, b.calls, b.slack, b.ms.toFixed(0)]])),
    ];
    if (burst.batch !== undefined) {
      console.log(
        `\nburst: 20 parameter changes over 3 services, 6 pushes (2 images x 3 tags, 2 services), 4 saves of an env file 2 services read; ${BURST_DELAY_MS} ms per AWS call:`,
      );
      console.log(formatTable(burstTable));
    }
    const applyTable = [
      [
        `burst of ${APPLY_CHANGES} parameter changes`,
        'batches',
        'UpdateService',
        'most per service',
        'AWS calls',
        'table calls',
        'Slack messages',
        'ms',
      ],
      ...(apply === undefined
        ? []
        : [
            [
              'three SQS batches, two at once, DEPLOYMENTS_TABLE',
              apply.batches,
              apply.updates,
              apply.maxDeploymentsPerService,
              apply.awsCalls,
              apply.tableCalls,
              apply.slack,
              apply.ms.toFixed(0),
            ],
          ]),
    ];
    if (apply !== undefined) {
      console.log(
        `\nburst: ${APPLY_CHANGES} parameter changes over 3 services as three SQS batches (two at once, then one); ${BURST_DELAY_MS} ms per AWS call:`,
      );
      console.log(formatTable(applyTable));
    }
    console.log('\nbuilt-in modules imported by the bundle, per variant:');
    for (const [id, inv] of Object.entries(inventory)) console.log(`  ${id.padEnd(24)} ${inv.builtins.join(' ') || '(none)'}`);

    console.log('');
    console.log(
      formatTable([
        ['', 'measured', 'limit', ''],
        ...checks.map((c) => [
          `${c.kind}: ${c.name}`,
          formatValue(c.value, c.unit),
          formatValue(c.limit, c.unit),
          c.ok ? 'ok' : c.kind === 'budget' ? 'OVER BUDGET' : 'missed',
        ]),
      ]),
    );
    if (options.only) console.log('(--only: partial run; unmeasured figures show n/a)');
    if (options.markdown) {
      console.log(`\n${formatMarkdownTable(table)}\n`);
      if (floorRatios.length > 0) console.log(`${formatMarkdownTable(floorTable)}\n\n${formatMarkdownTable(firstWriteTable)}\n`);
      if (burst.batch !== undefined) console.log(`${formatMarkdownTable(burstTable)}\n`);
      if (apply !== undefined) console.log(`${formatMarkdownTable(applyTable)}\n`);
      console.log(
        formatMarkdownTable([
          ['check', 'measured', 'limit', ''],
          ...checks.map((c) => [
            `${c.kind}: ${c.name}`,
            formatValue(c.value, c.unit),
            formatValue(c.limit, c.unit),
            c.ok ? 'ok' : c.kind === 'budget' ? '**over budget**' : 'missed',
          ]),
        ]),
      );
    }

    const elapsedS = (performance.now() - started) / 1000;
    const results = {
      date: new Date().toISOString(),
      machine,
      options: {
        runs: options.runs,
        fanoutRuns: options.fanoutRuns,
        burstRuns: options.burstRuns,
        check: options.check,
        seed: options.seed,
      },
      elapsedSeconds: Number(elapsedS.toFixed(1)),
      figures,
      checks,
      rows,
      inventory,
      fanout,
      floors: floorRatios,
      burst,
      apply,
      zip: { bytes: lazy.zipBytes, eagerBytes: bundles[1]?.zipBytes },
      samples,
    };
    writeFileSync(resolve(root, options.out), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${options.out} in ${elapsedS.toFixed(0)} s`);

    const breaches = checks.filter((c) => c.kind === 'budget' && !c.ok);
    if (options.check && breaches.length > 0) {
      const limit = (c) =>
        ['calls', 'routes', 'packages'].includes(c.unit)
          ? `must be ${formatValue(c.limit, c.unit)}`
          : `> budget ${formatValue(c.limit, c.unit)}`;
      console.error(`\nbench --check FAILED (${breaches.length} budget${breaches.length === 1 ? '' : 's'} breached):`);
      for (const c of breaches) console.error(`  - ${c.name}: ${formatValue(c.value, c.unit)} ${limit(c)}`);
      console.error('Budgets live in bench/lib.mjs (BUDGETS); the table above says where the bytes and milliseconds go.');
      process.exitCode = 1;
    } else if (options.check) {
      console.log('bench --check passed: every budget holds');
    }
  } finally {
    await stub?.close();
    rmSync(tmp, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux: fall back on what Node knows
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
