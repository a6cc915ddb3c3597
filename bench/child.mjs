/**
 * One bench sample, run in a fresh `node` process:
 *
 *   node [--enable-source-maps] bench/child.mjs <mode> <bundle entry> [event files…]
 *
 * - `init`: import the bundle, nothing else.
 * - `handle`: import the bundle, then invoke the handler once per event file, in order.
 * - `fanout`: import the bundle, invoke the handler twice on the first event file (a cold and a
 *   warm invocation), timing each invocation.
 * - `inventory`: like `handle`, but records every module file the process loads (through a
 *   module loader hook, so never in a timed sample).
 *
 * Each HTTP request the process starts is noted with the process's CPU time at that moment (a
 * diagnostics channel, the same for a route and its floors), so the parent can tell the CPU spent
 * before the first AWS write left, and with the monotonic time (bench/profile.mjs cuts a CPU
 * profile there).
 *
 * The result (JSON) goes to file descriptor 3, so the handler's own log lines on stdout stay
 * apart; a single byte written there first says when the last invocation returned (the parent
 * times it). The process exits right after, as Lambda would freeze it.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [mode = 'init', entry = 'dist/index.mjs', ...files] = process.argv.slice(2);
/** Written to fd 3 when the import (init) or the last invocation is done, before the result. */
const READY = '\u0006';
const events = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));

const loaded = [];
if (mode === 'inventory') {
  const { register } = await import('node:module');
  const { MessageChannel } = await import('node:worker_threads');
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => loaded.push(url));
  port1.unref();
  const hook = [
    'let port;',
    'export function initialize(data) { port = data.port; }',
    "export async function load(url, context, next) { if (url.startsWith('file:') || url.startsWith('node:')) port.postMessage(url); return next(url, context); }",
  ].join('\n');
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });
}

/** CPU time of the whole process (every thread: the main one, the compiler's, the GC's), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The HTTP requests started, in order: their AWS target (JSON protocols) or method and path, and the CPU time then. */
const requests = [];
subscribe('http.client.request.start', ({ request }) => {
  const target = request.getHeader('x-amz-target');
  requests.push({
    target: typeof target === 'string' ? target : undefined,
    method: request.method,
    path: request.path,
    cpuMs: cpuMs(),
    // On the monotonic clock of V8's CPU profiles (microseconds), for bench/profile.mjs.
    atUs: Number(process.hrtime.bigint() / 1000n),
  });
});

let invocation = 0;
/** A Lambda context as the Node.js runtime passes it (Powertools and middy read these fields). */
function lambdaContext() {
  invocation++;
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'deploybridge',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:deploybridge',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
    awsRequestId: `00000000-0000-4000-8000-${String(invocation).padStart(12, '0')}`,
    logGroupName: '/aws/lambda/deploybridge',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

function summary(result) {
  if (result === null || typeof result !== 'object') return { status: typeof result };
  // An SQS batch answers with the records to retry.
  if (Array.isArray(result.batchItemFailures)) return { status: 'batch', failures: result.batchItemFailures.map((f) => f.itemIdentifier) };
  return {
    status: result.status,
    route: result.plan?.route ?? result.route,
    reason: result.reason,
    deployments: result.deployments?.map((d) => d.status),
  };
}

const { handler } = await import(pathToFileURL(entry).href);
const results = [];
const invocations = [];
if (mode === 'handle' || mode === 'inventory') {
  for (const event of events) results.push(summary(await handler(event, lambdaContext())));
} else if (mode === 'fanout') {
  for (let i = 0; i < 2; i++) {
    const start = Date.now();
    const t0 = performance.now();
    results.push(summary(await handler(events[0], lambdaContext())));
    invocations.push({ start, end: Date.now(), ms: performance.now() - t0 });
  }
}
// One byte now, so the parent can time "handler returned" apart from the process's exit.
writeSync(3, READY);
if (mode === 'inventory') await new Promise((resolve) => setTimeout(resolve, 50));

const memory = process.memoryUsage();
// `stamps`: what a bundle stamped by bench/lib.mjs `stampedModule` noted (bench:stack --timeline),
// named as lib.mjs STAMPS_GLOBAL: this file imports nothing of the bench, which would add to every sample.
const stamps = globalThis.__benchStamps;
writeSync(
  3,
  JSON.stringify({ mode, results, invocations, rss: memory.rss, heapUsed: memory.heapUsed, cpuMs: cpuMs(), loaded, requests, stamps }),
);
process.exit(0);
