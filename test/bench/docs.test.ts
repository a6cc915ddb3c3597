/**
 * docs/performance.md states the figures of bench/reference.json (a bench run kept for it), as
 * `npm run bench:docs` writes them: a figure copied by hand, or left behind by a new run, fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blocks, DOC, fill, generatedDocument, lambdaNodeBlock, REFERENCE } from '../../bench/docs.mjs';

describe('docs/performance.md', () => {
  it('shows the figures of bench/reference.json in every generated block (`npm run bench:docs` rewrites them)', () => {
    const { text, missing } = generatedDocument();
    expect(missing).toEqual([]);
    expect(readFileSync(DOC, 'utf8')).toBe(text);
  });

  it('has its tables in generated blocks', () => {
    const names = [...readFileSync(DOC, 'utf8').matchAll(/<!-- bench: ([a-z-]+) -->/g)].map((m) => m[1]);
    expect(names).toEqual(
      expect.arrayContaining(['machine', 'first-write', 'floors', 'variants', 'sizes', 'burst', 'checks', 'lambda-node']),
    );
  });
});

describe('generated blocks', () => {
  it('are rewritten between their markers, the text around them kept; an unknown block is reported', () => {
    const text = 'Before.\n<!-- bench: sizes -->\nZip: 300 KB\n<!-- /bench -->\nAfter.\n<!-- bench: other -->\nx\n<!-- /bench -->\n';
    expect(fill(text, { sizes: 'Zip: 250 KB' })).toEqual({
      text: 'Before.\n<!-- bench: sizes -->\nZip: 250 KB\n<!-- /bench -->\nAfter.\n<!-- bench: other -->\nx\n<!-- /bench -->\n',
      missing: ['other'],
    });
  });
});

describe('the first-write table', () => {
  const kept = JSON.parse(readFileSync(REFERENCE, 'utf8')) as { floors: Array<Record<string, unknown>> };
  const header = (ref: unknown) => (blocks(ref)['first-write'] ?? '').split('\n')[0];

  it('shows the CPU time up to the first write of a run that measured it', () => {
    const measured = {
      ...kept,
      floors: kept.floors.map((f) => ({ ...f, routeFirstWriteCpuMs: 120.4, firstWriteCpuOverFloor: 1.61, firstWriteCpuOverNaive: 1.42 })),
    };
    expect(header(measured)).toContain('CPU time: route / floor');
    expect(blocks(measured)['first-write']).toContain('| 120.4 | 1.61× | 1.42× |');
  });

  it('leaves those columns out for a run kept from before the bench measured it', () => {
    const older = { ...kept, floors: kept.floors.map(({ firstWriteCpuOverFloor: _f, firstWriteCpuOverNaive: _n, ...f }) => f) };
    expect(header(older)).not.toContain('CPU');
  });
});

describe('the table of a run on Lambda’s Node', () => {
  it('shows each SDK route’s CPU ratios over its floors, to the first write and in all, and its RSS beside its floor’s', () => {
    const kept = JSON.parse(readFileSync(REFERENCE, 'utf8')) as {
      machine: Record<string, unknown>;
      floors: Array<Record<string, unknown>>;
      rows: Array<Record<string, unknown>>;
    };
    const run = {
      ...kept,
      machine: { ...kept.machine, node: 'v22.23.3' },
      floors: kept.floors.map((f) => ({
        ...f,
        routeFirstWriteCpuMs: 101.25,
        firstWriteCpuOverFloor: 1.3,
        firstWriteCpuOverNaive: 1.1,
        cpuOverFloor: 1.35,
        cpuOverNaive: 1.15,
      })),
      rows: kept.rows.map((r) => ({
        ...r,
        rssBytes: r.id === 'route:manual' ? 66 * 2 ** 20 : r.id === 'floor:manual' ? 61.5 * 2 ** 20 : r.rssBytes,
      })),
    };
    const lines = lambdaNodeBlock(run).split('\n');
    expect(lines[0]).toContain('Node v22.23.3');
    expect(lines.find((line) => line.startsWith('| route manual'))).toBe(
      '| route manual | 101.3 | 1.30× | 1.10× | 1.35× | 1.15× | 66.0 (61.5) |',
    );
  });
});
