#!/usr/bin/env node
/**
 * The figures the documentation states, filled from the report the test suite writes.
 *
 * A figure in README.md, docs/*.md or terraform/README.md is written between markers naming a key
 * of reports/reliability.json (which `npm test` writes; see test/reliability/figures.ts):
 *
 *   <!-- figure: hostile_cases_generated -->2,750<!-- /figure -->
 *
 * A figure that depends on the Node.js version says on which it was measured, and is compared and
 * filled only on that version: `<!-- figure: suite_output_lines_scanned node=20 -->`.
 *
 *   npm run figures              rewrite every figure from the report of the last `npm test`
 *   npm run figures -- --check   exit 1 if a figure differs from the report (the test suite makes
 *                                the same check at its end: test/figures/)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm test` leaves the figures it measured (name → value). */
export const REPORT = 'reports/reliability.json';
export const USAGE = 'usage: npm run figures [-- --check]';

/** The files whose figures are filled, relative to the repository root. */
export function documents() {
  return [
    'README.md',
    'terraform/README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
}

/** A marked figure; one quoted in a code span (`<!-- figure: … -->`, as in docs/development.md) is not one. */
const FIGURE = /(?<!`)<!-- figure: ([a-z0-9_.-]+)( node=(\d+))? -->([\s\S]*?)<!-- \/figure -->/g;

/** The major version of the Node.js running this. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * A figure as the documentation shows it: numbers with thousands separators.
 *
 * @example
 * formatFigure(7808); // '7,808'
 */
export function formatFigure(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
}

/**
 * The figures a text shows, in order.
 *
 * @example
 * figuresIn('<!-- figure: a node=20 -->1<!-- /figure -->'); // [{ name: 'a', shown: '1', node: 20 }]
 */
export function figuresIn(text) {
  return [...text.matchAll(FIGURE)].map((m) => ({ name: m[1], shown: m[4], node: m[3] === undefined ? undefined : Number(m[3]) }));
}

/** Whether this process measures the figure as the page states it (the same Node.js major, when it names one). */
export function comparable(figure) {
  return figure.node === undefined || figure.node === NODE_MAJOR;
}

/** The text with every figure the report has rewritten; `missing` lists the names it has not. */
export function fillFigures(text, figures) {
  const missing = [];
  const filled = text.replace(FIGURE, (all, name, qualifier, node) => {
    if (!comparable({ node: node === undefined ? undefined : Number(node) })) return all;
    if (!(name in figures)) {
      missing.push(name);
      return all;
    }
    return `<!-- figure: ${name}${qualifier ?? ''} -->${formatFigure(figures[name])}<!-- /figure -->`;
  });
  return { text: filled, missing };
}

/** The report of the last `npm test`, or undefined if there is none. */
export function readReport(path = join(ROOT, REPORT)) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw new Error(`${REPORT} is not valid JSON: ${error.message}`, { cause: error });
  }
}

function main(args) {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const check = args.includes('--check');
  const figures = readReport();
  if (figures === undefined) {
    console.error(`figures: no ${REPORT}: run \`npm test\` first (it measures the figures and writes them there)`);
    return 1;
  }
  const problems = [];
  let changed = 0;
  for (const file of documents()) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const { text: filled, missing } = fillFigures(text, figures);
    for (const name of missing) problems.push(`${file}: figure ${name} is not in ${REPORT} (did the whole suite run?)`);
    if (filled === text) continue;
    if (check) {
      for (const [i, { name, shown }] of figuresIn(text).entries()) {
        const expected = figuresIn(filled)[i]?.shown;
        if (shown !== expected) problems.push(`${file}: figure ${name} shows ${shown}, the report says ${expected}`);
      }
    } else {
      writeFileSync(join(ROOT, file), filled);
      changed++;
      console.log(`${file}: figures rewritten from ${REPORT}`);
    }
  }
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    if (check) console.error('run `npm test`, then `npm run figures`, and commit the result');
    return 1;
  }
  if (check || changed === 0) console.log(`every figure of the documentation is the one in ${REPORT}`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
