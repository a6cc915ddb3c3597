/**
 * Every command the documentation shows is real: each `npm run` script exists in package.json,
 * each option is one its command takes (read from its own help), each sample file, Terraform
 * output and repository path exists. The commands are not run (most need AWS); what they name is
 * checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { USAGE as BENCH_DOCS_USAGE } from '../../bench/docs.mjs';
import { USAGE as FIGURES_USAGE } from '../../scripts/figures.mjs';
import { moduleInterface, USAGE as TERRAFORM_DOCS_USAGE } from '../../scripts/terraform-docs.mjs';
import { runLocal } from '../../src/local/run.js';
import { runVerify } from '../../src/verify/cli.js';
import { codeBlocks, documentationFiles, inlineCode } from './markdown.js';

const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const NPM_COMMANDS = ['ci', 'install', 'test', 'start', 'run'];
/** Top-level folders whose paths the pages name. */
const REPO_PATH = /^(?:src|test|terraform|events|bench|docs|scripts|\.ci)\/[\w./*-]*$/;
/** Paths a command writes (ignored by git): named as what the command leaves behind. */
const WRITTEN_BY_COMMANDS = ['bench/results.json'];

/** The options each command takes, from its own usage text. */
const options = new Map<string, Set<string>>();
const flags = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]));

beforeAll(async () => {
  const help = async (run: (print: (line: string) => void) => Promise<number>) => {
    const lines: string[] = [];
    expect(await run((line) => lines.push(line))).toBe(0);
    return new Set([...flags(lines.join('\n')), '--help']);
  };
  options.set('start', await help((print) => runLocal(['--help'], {}, print)));
  options.set('verify', await help((print) => runVerify(['--help'], {}, print)));
  // bench.mjs, profile.mjs and stack-floor.mjs document their options in their header comments, one ` *   --name …` line each.
  const headerOptions = (file: string) => {
    const header = readFileSync(file, 'utf8').split('*/')[0] ?? '';
    return new Set([...header.matchAll(/^ \*\s+(--[a-z][\w-]*)/gm)].map((m) => m[1] as string));
  };
  options.set('bench', headerOptions('bench/bench.mjs'));
  options.set('bench:profile', headerOptions('bench/profile.mjs'));
  options.set('bench:stack', headerOptions('bench/stack-floor.mjs'));
  options.set('docs:terraform', flags(TERRAFORM_DOCS_USAGE));
  options.set('figures', flags(FIGURES_USAGE));
  options.set('bench:docs', flags(BENCH_DOCS_USAGE));
});

/** The command lines a page shows: shell blocks, `$ ` lines of output blocks, inline code that is a command. */
function commandLines(text: string): string[] {
  const lines = codeBlocks(text).flatMap(({ lang, text: block }) => {
    const all = block.split('\n');
    if (['sh', 'bash', 'shell', 'console'].includes(lang)) return all.map((l) => l.replace(/^\$ /, ''));
    return all.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));
  });
  const inline = inlineCode(text).filter((code) => /^(?:npm|npx|node|bash|terraform|aws|\.ci\/)\b/.test(code));
  return [...lines, ...inline].map((l) => l.replace(/\s#.*$/, '').trim()).filter((l) => l !== '');
}

/** Arguments of a command, up to the end of the command (a shell operator, a quote, a parenthesis). */
function argumentsAfter(line: string, index: number): string[] {
  const rest = line.slice(index).split(/\s*(?:&&|\|\||[;|)"'`])/)[0] ?? '';
  return rest.split(/\s+/).filter((a) => a !== '');
}

/** A word that is a placeholder or an ellipsis, not something to check. */
const placeholder = (word: string) => /[<>…*]|^\.\.\.$|^[A-Z_]+$/.test(word);

/** What is wrong with the commands of one line. */
function problems(line: string): string[] {
  const found: string[] = [];
  for (const m of line.matchAll(/\bnpm (?:run )?([\w:-]+)(?: -- )?/g)) {
    const npmWord = line.slice(m.index + 4).startsWith('run ') ? 'run' : (m[1] as string);
    const script = m[1] as string;
    if (script === 'run') continue; // "npm run" named, not run
    if (npmWord !== 'run' && !NPM_COMMANDS.includes(script)) {
      found.push(`npm ${script}: not an npm command this project uses`);
      continue;
    }
    if (npmWord === 'run' && !scripts.includes(script)) {
      found.push(`npm run ${script}: no such script in package.json`);
      continue;
    }
    if (!m[0].endsWith(' -- ')) continue;
    const args = argumentsAfter(line, m.index + m[0].length);
    const known = options.get(script);
    for (const arg of args) {
      if (arg.startsWith('-')) {
        if (known === undefined) found.push(`npm run ${script} -- ${arg}: ${script} takes no options`);
        else if (!known.has(arg))
          found.push(`npm ${npmWord === 'run' ? 'run ' : ''}${script} -- ${arg}: not an option of ${script} (${[...known].join(', ')})`);
      } else if (script === 'start' && !placeholder(arg) && !existsSync(arg)) found.push(`npm start -- ${arg}: no such file`);
    }
  }
  for (const m of line.matchAll(/\bnpx vitest run\b/g))
    for (const arg of argumentsAfter(line, m.index + m[0].length))
      if (!arg.startsWith('-') && !placeholder(arg) && !existsSync(arg)) found.push(`npx vitest run ${arg}: no such test file or folder`);
  for (const m of line.matchAll(/file:\/\/((?:events|terraform|test)\/[\w./-]+)/g))
    if (!existsSync(m[1] as string)) found.push(`file://${m[1]}: no such file`);
  for (const m of line.matchAll(/\b(?:bash |node |^)((?:\.ci|scripts|bench)\/[\w.-]+)/g))
    if (!existsSync(m[1] as string)) found.push(`${m[1]}: no such file`);
  for (const m of line.matchAll(/\boutput(?: -raw| -json)? ([a-z_]+)/g))
    if (!outputs().includes(m[1] as string)) found.push(`terraform output ${m[1]}: the module has no such output`);
  return found;
}

let moduleOutputs: string[] | undefined;
function outputs(): string[] {
  moduleOutputs ??= moduleInterface(
    readFileSync('terraform/variables.tf', 'utf8'),
    readFileSync('terraform/outputs.tf', 'utf8'),
  ).outputs.map((o) => o.name);
  return moduleOutputs;
}

/** Whether a path the page names exists; `*` matches within one folder. */
function pathExists(path: string): boolean {
  const clean = path.replace(/:\d+(?::\d+)?$/, '').replace(/\/$/, '');
  if (!clean.includes('*')) return existsSync(clean);
  const dir = dirname(clean);
  const pattern = new RegExp(
    `^${basename(clean)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return existsSync(dir) && readdirSync(dir).some((f) => pattern.test(f));
}

describe('commands and paths of the documentation', () => {
  it.each(documentationFiles())('%s shows only commands whose scripts, options and files exist', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(commandLines(text).flatMap((line) => problems(line).map((p) => `${p}  [${line}]`))).toEqual([]);
  });

  it.each(documentationFiles())('%s names only repository paths that exist', (file) => {
    const text = readFileSync(file, 'utf8');
    const named = inlineCode(text).filter((code) => REPO_PATH.test(code) && !WRITTEN_BY_COMMANDS.includes(code));
    expect(named.filter((path) => !pathExists(path))).toEqual([]);
  });

  it('finds the commands: the README shows npm start, npm test, npm run build and verify_command', () => {
    const lines = commandLines(readFileSync('README.md', 'utf8'));
    expect(lines).toContain('npm ci && npm start -- events/ecr-push-api.json');
    expect(lines).toContain('npm ci && npm test');
    expect(lines.some((l) => l.includes('output -raw verify_command'))).toBe(true);
    expect(documentationFiles().flatMap((f) => commandLines(readFileSync(f, 'utf8'))).length).toBeGreaterThan(60);
  });

  it('refuses what is not real', () => {
    expect(problems('npm run deploy')).toEqual(['npm run deploy: no such script in package.json']);
    expect(problems('npm start -- events/no-such-event.json --quiet')).toEqual([
      'npm start -- events/no-such-event.json: no such file',
      `npm start -- --quiet: not an option of start (${[...(options.get('start') ?? [])].join(', ')})`,
    ]);
    expect(problems('npm run verify -- --live --fix')[0]).toMatch(/^npm run verify -- --fix: not an option of verify/);
    expect(problems('npm run build -- --watch')).toEqual(['npm run build -- --watch: build takes no options']);
    expect(problems('npx vitest run test/unit/nothing.test.ts')).toEqual([
      'npx vitest run test/unit/nothing.test.ts: no such test file or folder',
    ]);
    expect(problems('aws events put-events --entries file://events/put-events/nope.json')).toEqual([
      'file://events/put-events/nope.json: no such file',
    ]);
    expect(problems('terraform output -raw verify_comand')).toEqual(['terraform output verify_comand: the module has no such output']);
    expect(problems('bash .ci/terraform && npm run bench -- --check --no-build')).toEqual([]);
    expect(problems('npm run bench:stack -- --timeline --runs 20')).toEqual([]);
    expect(problems('npm run bench:stack -- --route s3')[0]).toMatch(
      /^npm run bench:stack -- --route: not an option of bench:stack \(--runs, --node, --timeline/,
    );
    expect(pathExists('terraform/tests/*.tftest.hcl')).toBe(true);
    expect(pathExists('src/no-such-folder/')).toBe(false);
  });
});
