/**
 * `npm run bench:stack [-- options]`: how much of a route's cost over its SDK floor is the stack
 * deploybridge is built on, and how much is deploybridge's own code.
 *
 *   --runs N     rounds (default 30); each round runs the three variants once, in a shuffled order
 *   --node PATH  the node binary the samples run on (default: the one running this)
 *   --timeline   also where each variant's CPU time goes: every file of the three bundles is stamped
 *                when its module starts and ends evaluating (bench/lib.mjs stampedModule), and the
 *                median CPU ms of each stamp, the first write and the end is printed. The time before
 *                a "starts" is loading and compiling that file (and what ran before its import). The
 *                stamps cost a little, so take the ratios from a run without it.
 *
 * Three fresh-process variants of the manual route (events/manual-deploy.json), against the bench's
 * stub, as `npm run bench` runs them (bench/child.mjs):
 * - the SDK floor: ECSClient and one UpdateService (bench/floors.mjs), nothing else;
 * - the stack floor: the same call from a handler made of the stack deploybridge uses and nothing
 *   of its own: Powertools Logger (two lines) and Metrics (one metric), a middy handler with the
 *   Logger's middleware, a zod/mini schema checking the event (its envelope and a strict `detail`);
 * - the route: deploybridge's bundle (build.mjs), as the function runs it.
 * Both floors are built with the Lambda bundle's esbuild settings. It prints each variant's median
 * CPU time up to the first AWS write and to the end, RSS, and the paired ratios over the SDK floor.
 * The route over the stack floor is what deploybridge's own code costs: what it can cut without
 * leaving the stack.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FLOORS } from './floors.mjs';
import { interleave, median, medianTimeline, outputContents, pairedRatio, positiveWholeNumber, stampedModule } from './lib.mjs';
import { pushedImage, sampleEnv } from './routes.mjs';
import { runChild } from './sample.mjs';
import { firstWriteRequest, startStub } from './stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EVENT = 'events/manual-deploy.json';

/** The manual route's call made from a handler built of deploybridge's stack, and nothing of its own. */
const STACK_FLOOR = `
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
const logger = new Logger({ serviceName: 'deploybridge' });
const metrics = new Metrics({ namespace: 'deploybridge', serviceName: 'deploybridge' });
const request = z.object({
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  detail: z.strictObject({ service: z.string(), task_definition: z.optional(z.string()), reason: z.optional(z.string()),
    requested_by: z.optional(z.string()), env: z.optional(z.string()), project: z.optional(z.string()) }),
});
export const handler = middy(async (event) => {
  const { id } = request.parse(event);
  logger.info('event received', { id });
  const ecs = new ECSClient({ region: process.env.AWS_REGION });
  await ecs.send(new UpdateServiceCommand({ cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', forceNewDeployment: true }));
  metrics.addMetric('DeploymentsStarted', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  logger.info('deployment started');
  return { status: 'floor' };
}).use(injectLambdaContext(logger));
`;

function parseArgs(argv) {
  const options = { runs: 30, node: process.execPath, timeline: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = positiveWholeNumber(arg, argv[++i]);
    else if (arg === '--node') options.node = resolve(String(argv[++i]));
    else if (arg === '--timeline') options.timeline = true;
    else throw new Error(`unknown option ${arg} (see the header of bench/stack-floor.mjs)`);
  }
  return options;
}

/** One sample: the process's CPU time when its first AWS write started and at its end, its RSS, and its stamps with those two. */
async function sample(node, entry, env) {
  const { requests, cpuMs, rss, stamps = [] } = await runChild({ node, entry, event: EVENT, env });
  const firstWrite = firstWriteRequest(requests);
  if (firstWrite === undefined) throw new Error(`${entry} made no AWS write`);
  return { firstWriteCpuMs: firstWrite.cpuMs, cpuMs, rss, stamps: [...stamps, ['first write', firstWrite.cpuMs], ['end', cpuMs]] };
}

/** Stamps every code file of a build (its metafile's outputs), each labelled with what it holds. */
function stampBuild(meta) {
  for (const output of Object.keys(meta.outputs).filter((file) => file.endsWith('.mjs'))) {
    const file = resolve(root, output);
    const name = output.split('/').slice(-2).join('/');
    const contents = outputContents(meta, output);
    writeFileSync(file, stampedModule(readFileSync(file, 'utf8'), contents === '' ? name : `${name} (${contents})`));
  }
}

/** Prints a variant's median timeline: CPU ms at each stamp, and since the one before. */
function printTimeline(variant, samples) {
  console.log(`\n${variant}: CPU ms (median) at each stamp, and since the one before`);
  let before = 0;
  for (const { label, ms } of medianTimeline(samples.map((s) => s.stamps))) {
    console.log(`${ms.toFixed(1).padStart(8)} ${`+${(ms - before).toFixed(1)}`.padStart(7)}  ${label}`);
    before = ms;
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { buildBundle, bundleOptions, LAMBDA_ENTRY_POINTS } = await import(pathToFileURL(join(root, 'build.mjs')).href);
  const work = mkdtempSync(join(tmpdir(), 'deploybridge-stack-floor-'));
  const stub = await startStub({ image: pushedImage() });
  try {
    const single = (name, contents) =>
      buildBundle(join(work, name), {
        stdin: { contents, resolveDir: root, sourcefile: `${name}.mjs`, loader: 'js' },
        outfile: join(work, name, 'index.mjs'),
        splitting: false,
        plugins: bundleOptions.plugins,
      });
    const builds = [
      await single('sdk-floor', FLOORS.manual.source),
      await single('stack-floor', STACK_FLOOR),
      await buildBundle(join(work, 'route'), { entryPoints: LAMBDA_ENTRY_POINTS, splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
    ];
    if (options.timeline) builds.forEach(stampBuild);
    const variants = ['sdk-floor', 'stack-floor', 'route'];
    const env = sampleEnv(stub, join(work, 'home'));
    const samples = Object.fromEntries(variants.map((v) => [v, []]));
    for (const variant of interleave(variants, options.runs)) {
      stub.reset();
      samples[variant].push(await sample(options.node, join(work, variant, 'index.mjs'), env));
    }
    const of = (variant, key) => samples[variant].map((s) => s[key]);
    console.log(`manual route, ${options.runs} rounds, ${options.node}: CPU ms (median), RSS MB, paired ratios over the SDK floor`);
    for (const variant of variants) {
      const ratio = (key) => pairedRatio(of(variant, key), of('sdk-floor', key)).toFixed(2);
      console.log(
        `${variant.padEnd(12)} first write ${median(of(variant, 'firstWriteCpuMs')).toFixed(1).padStart(6)} (${ratio('firstWriteCpuMs')}x)` +
          `  whole ${median(of(variant, 'cpuMs')).toFixed(1).padStart(6)} (${ratio('cpuMs')}x)  RSS ${(median(of(variant, 'rss')) / 2 ** 20).toFixed(1)}`,
      );
    }
    const over = (key) => pairedRatio(of('route', key), of('stack-floor', key)).toFixed(2);
    console.log(`route over the stack floor: first write ${over('firstWriteCpuMs')}x, whole ${over('cpuMs')}x`);
    if (options.timeline) for (const variant of variants) printTimeline(variant, samples[variant]);
  } finally {
    await stub.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
