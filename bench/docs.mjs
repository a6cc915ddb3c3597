/**
 * The figures of docs/performance.md, generated from a bench run, never copied by hand.
 *
 *   npm run bench:docs -- --from bench/results.json   keep that run's figures in bench/reference.json
 *                                                      (committed) and rewrite the document's tables
 *   npm run bench:docs -- --from-lambda-node FILE      keep a run on Lambda's Node (`npm run bench --
 *                                                      --node <node 22> --no-eager --out FILE`) in
 *                                                      bench/reference-lambda-node.json, for its table
 *   npm run bench:docs                                 rewrite the tables from bench/reference.json
 *   npm run bench:docs -- --check                      exit 1 when the document differs from them
 *                                                      (test/bench/docs.test.ts makes the same check)
 *
 * A generated table sits between `<!-- bench: NAME -->` and `<!-- /bench -->`; the text around
 * it is written by hand and names no measured figure.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatMarkdownTable, formatValue, KB, MB } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DOC = 'docs/performance.md';
export const REFERENCE = 'bench/reference.json';
/** A run on the Node Lambda runs (22): the budgets hold on this machine's Node, users run that one. */
export const LAMBDA_NODE_REFERENCE = 'bench/reference-lambda-node.json';
export const USAGE = 'usage: npm run bench:docs [-- --from bench/results.json | --from-lambda-node FILE | --check]';

/**
 * What the document shows of a run: bench/results.json without its samples.
 *
 * @example
 * reference(JSON.parse(readFileSync('bench/results.json', 'utf8'))).figures.zipBytes; // 262144
 */
export function reference(results) {
  const { samples: _fanoutSamples, ...fanout } = results.fanout;
  const { samples: _burstSamples, ...burst } = results.burst;
  return {
    date: results.date,
    machine: results.machine,
    options: results.options,
    figures: results.figures,
    checks: results.checks,
    rows: results.rows,
    floors: results.floors,
    fanout,
    burst,
    zip: results.zip,
  };
}

const x = (ratio) => `${ratio.toFixed(2)}×`;
const ms = (value) =>
  value === undefined || value === null ? '' : value.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const kb = (bytes) =>
  bytes === undefined || bytes === null ? '' : (bytes / KB).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const mb = (bytes) => (bytes === undefined || bytes === null ? '' : (bytes / MB).toFixed(1));

/** The generated tables of the document, by block name. */
export function blocks(ref) {
  const { machine, options } = ref;
  const load = (l) => l.map((v) => v.toFixed(1)).join(', ');
  const floors = ref.floors;
  const row = (id) => ref.rows.find((r) => r.id === id);
  // The CPU time up to the first write, in the runs that measured it (bench/child.mjs notes it since 2026-12-07).
  const cpuToFirstWrite = floors.every((f) => f.firstWriteCpuOverFloor !== undefined);
  return {
    machine: [
      `Measured by \`npm run bench\` on ${ref.date.slice(0, 10)}: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${machine.platform}, ` +
        `${options.runs} runs per variant, interleaved${machine.sourceMaps ? ', `--enable-source-maps`' : ''}; load average ${load(machine.loadAverageAtStart)} ` +
        `at the start, ${load(machine.loadAverageAtEnd)} at the end (the machine is shared).`,
    ].join('\n'),
    'first-write': formatMarkdownTable([
      [
        'route',
        'ms to the first write',
        'its SDK floor',
        'its naive floor',
        '**route / floor**',
        '**route / naive floor**',
        ...(cpuToFirstWrite ? ['CPU ms to the first write', 'CPU time: route / floor', 'CPU time: route / naive floor'] : []),
      ],
      ...floors.map((f) => [
        f.label,
        ms(f.routeFirstWriteMs),
        ms(f.floorFirstWriteMs),
        ms(f.naiveFirstWriteMs),
        `**${x(f.firstWriteOverFloor)}**`,
        `**${x(f.firstWriteOverNaive)}**`,
        ...(cpuToFirstWrite ? [ms(f.routeFirstWriteCpuMs), x(f.firstWriteCpuOverFloor), x(f.firstWriteCpuOverNaive)] : []),
      ]),
    ]),
    floors: formatMarkdownTable([
      [
        'route',
        'median ms',
        'its SDK floor',
        'its naive floor',
        'route / bare node',
        'floor / bare node',
        'naive / bare node',
        '**route / floor**',
        '**route / naive floor**',
        'CPU time: route / floor',
        'CPU time: route / naive floor',
      ],
      ...floors.map((f) => [
        f.label,
        ms(f.routeMs),
        ms(f.floorMs),
        ms(f.naiveMs),
        x(f.routeRatio),
        x(f.floorRatio),
        x(f.naiveRatio),
        `**${x(f.overFloor)}**`,
        `**${x(f.overNaive)}**`,
        f.cpuOverFloor === undefined ? '' : x(f.cpuOverFloor),
        f.cpuOverNaive === undefined ? '' : x(f.cpuOverNaive),
      ]),
    ]),
    variants: formatMarkdownTable([
      ['variant', 'median ms', 'ratio to bare node', 'CPU ms', 'RSS MB', 'code loaded KB', 'of it SDK KB', 'SDK clients'],
      ...ref.rows.map((r) => [
        r.label,
        ms(r.medianMs),
        x(r.ratio),
        ms(r.cpuMs),
        mb(r.rssBytes),
        kb(r.codeBytes),
        kb(r.sdkBytes),
        r.clients === undefined || r.clients === null ? '' : r.clients.join('+') || 'none',
      ]),
    ]),
    sizes: [
      `- Zip: **${kb(ref.zip.bytes)} KB** (${ref.zip.bytes.toLocaleString('en-US')} bytes). Code loaded at init: **${kb(row('init')?.codeBytes)} KB**.`,
      `- Fan-out: one S3 env file used by ${ref.fanout.services} services, every AWS answer ${ref.fanout.delayMs} ms late, concurrency ${ref.fanout.concurrency}: ` +
        `ideal ${ref.fanout.idealMs.toLocaleString('en-US')} ms; measured ${Math.round(ref.fanout.warmMs).toLocaleString('en-US')} ms (${x(ref.fanout.warmVsIdeal)}) warm, ` +
        `${Math.round(ref.fanout.coldMs).toLocaleString('en-US')} ms (${x(ref.fanout.coldVsIdeal)}) for the first invocation of a fresh process; ` +
        `${ref.fanout.callsPerInvocation} AWS calls (the 3 reads, then ${ref.fanout.updatesPerInvocation} \`UpdateService\`), at most ${ref.fanout.maxInFlight} in flight.`,
    ].join('\n'),
    burst: formatMarkdownTable([
      ['burst of 30 events', 'invocations', '`UpdateService`', 'AWS calls', 'Slack messages', 'ms until handled'],
      ...[
        ['one SQS batch', ref.burst.batch],
        ['30 direct invocations', ref.burst.direct],
      ]
        .filter(([, b]) => b !== undefined && b !== null)
        .map(([label, b]) => [
          label,
          b.invocations,
          label.startsWith('one') ? `**${b.updates}**` : b.updates,
          b.calls,
          b.slack,
          Math.round(b.ms).toLocaleString('en-US'),
        ]),
    ]),
    checks: formatMarkdownTable([
      ['check', 'measured', 'limit', ''],
      ...ref.checks.map((c) => [
        `${c.kind}: ${c.name}`,
        formatValue(c.value ?? undefined, c.unit),
        formatValue(c.limit, c.unit),
        c.ok ? 'ok' : c.kind === 'budget' ? '**over budget**' : 'missed',
      ]),
    ]),
  };
}

/**
 * The block of a run on Lambda's Node: each SDK route over its floors, to its first write and in
 * all (CPU time, paired by round), with its RSS and its floor's.
 */
export function lambdaNodeBlock(ref) {
  const { machine, options } = ref;
  const load = (l) => l.map((v) => v.toFixed(1)).join(', ');
  const rss = (id) => mb(ref.rows.find((r) => r.id === id)?.rssBytes);
  return [
    `Measured by \`npm run bench -- --node …\` on ${ref.date.slice(0, 10)}: Node ${machine.node}, ${options.runs} runs per variant, interleaved; ` +
      `load average ${load(machine.loadAverageAtStart)} at the start, ${load(machine.loadAverageAtEnd)} at the end.`,
    '',
    formatMarkdownTable([
      [
        'route',
        'CPU ms to the first write',
        'first write: route / floor',
        'first write: route / naive floor',
        'whole: route / floor',
        'whole: route / naive floor',
        'RSS MB (its floor)',
      ],
      ...ref.floors.map((f) => [
        f.label,
        ms(f.routeFirstWriteCpuMs),
        x(f.firstWriteCpuOverFloor),
        x(f.firstWriteCpuOverNaive),
        x(f.cpuOverFloor),
        x(f.cpuOverNaive),
        `${rss(f.route)} (${rss(`floor:${f.route.slice('route:'.length)}`)})`,
      ]),
    ]),
  ].join('\n');
}

const BLOCK = /(<!-- bench: ([a-z-]+) -->\n)[\s\S]*?(<!-- \/bench -->)/g;

/**
 * The document with each generated block rewritten; `missing` names blocks `generated` has not.
 *
 * @example
 * fill('<!-- bench: sizes -->\nold\n<!-- /bench -->', { sizes: 'new' }).text; // '<!-- bench: sizes -->\nnew\n<!-- /bench -->'
 */
export function fill(text, generated) {
  const missing = [];
  const filled = text.replace(BLOCK, (all, open, name, close) => {
    if (!(name in generated)) {
      missing.push(name);
      return all;
    }
    return `${open}${generated[name]}\n${close}`;
  });
  return { text: filled, missing };
}

/** The document as bench/reference.json (and bench/reference-lambda-node.json) generate it. */
export function generatedDocument(root = ROOT) {
  const ref = JSON.parse(readFileSync(join(root, REFERENCE), 'utf8'));
  const lambdaNode = JSON.parse(readFileSync(join(root, LAMBDA_NODE_REFERENCE), 'utf8'));
  return fill(readFileSync(join(root, DOC), 'utf8'), { ...blocks(ref), 'lambda-node': lambdaNodeBlock(lambdaNode) });
}

function main(args) {
  const keep = { '--from': REFERENCE, '--from-lambda-node': LAMBDA_NODE_REFERENCE }[args[0]];
  const from = keep === undefined ? undefined : args[1];
  const check = args.length === 1 && args[0] === '--check';
  if (!(args.length === 0 || check || (from !== undefined && args.length === 2))) {
    console.error(USAGE);
    return 2;
  }
  if (from !== undefined) {
    const results = JSON.parse(readFileSync(resolve(ROOT, from), 'utf8'));
    writeFileSync(join(ROOT, keep), `${JSON.stringify(reference(results), null, 2)}\n`);
    console.log(`wrote ${keep} from ${from}`);
  }
  const { text, missing } = generatedDocument();
  if (missing.length > 0) {
    console.error(`${DOC}: no figures for block(s) ${missing.join(', ')}`);
    return 1;
  }
  const current = readFileSync(join(ROOT, DOC), 'utf8');
  if (check) {
    if (text === current) return 0;
    console.error(`${DOC} differs from ${REFERENCE}: run \`npm run bench:docs\``);
    return 1;
  }
  if (text !== current) writeFileSync(join(ROOT, DOC), text);
  console.log(text === current ? `${DOC} is up to date` : `rewrote the figures of ${DOC}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2));
