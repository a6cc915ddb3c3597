/**
 * One cold sample for the bench's tools (bench/profile.mjs, bench/stack-floor.mjs,
 * bench/approval-click.mjs): a fresh `node` process and what it reports on file descriptor 3 (for
 * bench/child.mjs: its requests with their CPU and monotonic times, its CPU time and RSS at the end).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `node …args` from the repository's root and resolves with the JSON its process wrote to file
 * descriptor 3 (after any byte before it, such as bench/child.mjs's "handler returned"); rejects
 * when the process fails. `stderr`: `'inherit'` (default) or `'ignore'` (a function's log lines).
 *
 * @example
 * const answers = await fd3Result({ node: process.execPath, args: ['bench/approval-click.mjs', '--child', entry], env, stderr: 'ignore' });
 */
export function fd3Result({ node, args, env, stderr = 'inherit' }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'ignore', stderr, 'pipe'] });
    let result = '';
    child.stdio[3].on('data', (chunk) => {
      result += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} failed (exit ${code})`));
      resolvePromise(JSON.parse(result.slice(result.search(/[[{]/))));
    });
  });
}

/**
 * Runs `node [flags] bench/child.mjs handle <entry> <event>`; resolves with the child's result.
 *
 * @example
 * const { requests, cpuMs, rss } = await runChild({ node: process.execPath, entry: 'dist/index.mjs', event: 'events/manual-deploy.json', env });
 */
export function runChild({ node, flags = [], entry, event, env }) {
  return fd3Result({ node, args: [...flags, join('bench', 'child.mjs'), 'handle', entry, event], env });
}
