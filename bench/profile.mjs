/**
 * `npm run bench:profile [-- options]`: where a cold route's CPU goes. Each sample is a fresh
 * process running one route of the bench (bench/routes.mjs) against the bench's stub, under
 * `node --cpu-prof`; the profiles' samples are added up by what they were running.
 *
 *   --route NAME         a route of bench/routes.mjs: ecr, ssm, s3, ecs, manual, lambda (default manual)
 *   --runs N             cold samples (default 10)
 *   --until-first-write  only what ran before the first AWS write request started
 *   --inclusive          time with the item anywhere on the stack (default: self time)
 *   --top N              rows printed (default 40)
 *   --functions ROW      split that row by function (e.g. `--functions zod`, `--functions src/config/config.ts`)
 *   --dist DIR           profile this build (default: the bundle built again without minifying, so
 *                        each function is attributed to its module)
 *   --node PATH          the node binary the samples run on (default: the one running this)
 *
 * What a row is: a frame of the bundle is attributed to the module esbuild's `// path` comment
 * above it names (a package, or a file of src/); a frame of Node's own code to its subsystem
 * (`node:internal/modules/esm/utils` is compiling the modules loaded, `node:internal/bootstrap/realm`
 * loading Node's built-ins); V8's own entries as they
 * are (`(garbage collector)`, `(program)`). Milliseconds are per sample, sampled every 50 µs. The
 * build is not minified, so compiling the modules costs more here than in the bundle: measure a
 * change's effect with `npm run bench`, find where to look with this.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addProfile, positiveWholeNumber } from './lib.mjs';
import { pushedImage, ROUTES, sampleEnv } from './routes.mjs';
import { runChild } from './sample.mjs';
import { firstWriteRequest, startStub } from './stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = {
    route: 'manual',
    runs: 10,
    untilFirstWrite: false,
    inclusive: false,
    top: 40,
    functions: undefined,
    dist: undefined,
    node: process.execPath,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => positiveWholeNumber(arg, argv[++i]);
    if (arg === '--route') options.route = String(argv[++i]);
    else if (arg === '--runs') options.runs = number();
    else if (arg === '--until-first-write') options.untilFirstWrite = true;
    else if (arg === '--inclusive') options.inclusive = true;
    else if (arg === '--top') options.top = number();
    else if (arg === '--functions') options.functions = String(argv[++i]);
    else if (arg === '--dist') options.dist = resolve(String(argv[++i]));
    else if (arg === '--node') options.node = resolve(String(argv[++i]));
    else throw new Error(`unknown option ${arg} (see the header of bench/profile.mjs)`);
  }
  if (!ROUTES.some((r) => r.name === options.route)) throw new Error(`--route: one of ${ROUTES.map((r) => r.name).join(', ')}`);
  return options;
}

/** Runs one sample under --cpu-prof; resolves with the monotonic time (µs) its first AWS write started, if any. */
async function sample(options, entry, event, env, profileDir) {
  const flags = ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', profileDir];
  const { requests } = await runChild({ node: options.node, flags, entry, event, env });
  return firstWriteRequest(requests)?.atUs;
}

/** The module each line of a bundle file belongs to, from esbuild's `// path` comments (non-minified builds). */
function moduleLines(file) {
  const starts = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      // The path is relative to where the build ran: `node_modules/…`, or `../other/node_modules/…` from a clone whose modules are linked.
      const match = /^\/\/ (?:\S*?\/)??((?:src|node_modules)\/\S+)$/.exec(line);
      if (match !== null) starts.push([index, match[1]]);
    });
  return (line) => {
    let name = '(chunk)';
    for (const [start, path] of starts) {
      if (start > line) break;
      name = path;
    }
    return /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name)?.[1] ?? name;
  };
}

/** What a profile's call frame was running, as a row of the table (`split`: that row by function). */
function attribution(dist, split) {
  const files = new Map();
  const row = (frame) => {
    const name = module(frame);
    return name === split ? `${name} ${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}` : name;
  };
  const module = ({ url, lineNumber, functionName }) => {
    if (url === '') return functionName.startsWith('(') ? functionName : `(${functionName || 'anonymous'})`;
    if (url.startsWith('node:internal/')) return url.split('/').slice(0, 4).join('/');
    if (url.startsWith('node:')) return url.split('/')[0];
    if (!url.startsWith('file:')) return url;
    const file = fileURLToPath(url);
    if (!file.startsWith(dist)) return file.startsWith(join(root, 'bench')) ? 'bench harness' : file;
    if (!files.has(file)) files.set(file, moduleLines(file));
    return files.get(file)(lineNumber);
  };
  return row;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const route = ROUTES.find((r) => r.name === options.route);
  const work = mkdtempSync(join(tmpdir(), 'deploybridge-profile-'));
  const stub = await startStub({ image: pushedImage() });
  try {
    let dist = options.dist;
    if (dist === undefined) {
      const { buildBundle, LAMBDA_ENTRY_POINTS } = await import(pathToFileURL(join(root, 'build.mjs')).href);
      dist = join(work, 'dist');
      await buildBundle(dist, { entryPoints: LAMBDA_ENTRY_POINTS, splitting: true, chunkNames: 'chunks/[name]-[hash]', minify: false });
    }
    const home = join(work, 'home');
    const profiles = join(work, 'profiles');
    const env = sampleEnv(stub, home, {});
    const firstWrites = [];
    for (let i = 0; i < options.runs; i++) {
      stub.reset();
      firstWrites.push(await sample(options, join(dist, 'index.mjs'), route.event, env, join(profiles, String(i))));
    }
    const totals = new Map();
    const rowOf = attribution(dist, options.functions);
    for (let i = 0; i < options.runs; i++) {
      const [file] = readdirSync(join(profiles, String(i)));
      const untilUs = options.untilFirstWrite ? firstWrites[i] : undefined;
      if (options.untilFirstWrite && untilUs === undefined) throw new Error(`route ${options.route} made no AWS write`);
      addProfile(JSON.parse(readFileSync(join(profiles, String(i), file), 'utf8')), totals, rowOf, {
        inclusive: options.inclusive,
        untilUs,
      });
    }
    const perSample = (us) => us / options.runs / 1000;
    const sampled = options.inclusive ? totals.get('(root)') : [...totals.values()].reduce((a, b) => a + b, 0);
    console.log(
      `route ${options.route}, ${options.runs} cold samples${options.untilFirstWrite ? ', up to the first AWS write' : ''}, ${options.inclusive ? 'inclusive' : 'self'} CPU: ${perSample(sampled ?? 0).toFixed(1)} ms sampled per sample`,
    );
    for (const [row, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, options.top))
      console.log(`${perSample(us).toFixed(2).padStart(8)} ms  ${row}`);
  } finally {
    await stub.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:profile: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
