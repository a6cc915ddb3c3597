/**
 * One cold sample for the bench's tools (bench/profile.mjs, bench/stack-floor.mjs): a fresh `node`
 * process running bench/child.mjs on a bundle and one event, and what the child reports on file
 * descriptor 3 (its requests with their CPU and monotonic times, its CPU time and RSS at the end).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `node [flags] bench/child.mjs handle <entry> <event>` from the repository's root; resolves
 * with the child's result, rejects when it fails.
 *
 * @example
 * const { requests, cpuMs, rss } = await runChild({ node: process.execPath, entry: 'dist/index.mjs', event: 'events/manual-deploy.json', env });
 */
export function runChild({ node, flags = [], entry, event, env }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [...flags, join('bench', 'child.mjs'), 'handle', entry, event], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    let result = '';
    child.stdio[3].on('data', (chunk) => {
      result += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench/child.mjs on ${entry} and ${event} failed (exit ${code})`));
      // The child writes one byte when the handler returned, then its result.
      resolvePromise(JSON.parse(result.slice(result.indexOf('{'))));
    });
  });
}
