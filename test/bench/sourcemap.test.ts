import { SourceMap } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMappings, decodeSegment, encodeMappings, encodeSegment, filterSourceMap, type SourceMapV3 } from '../../bench/sourcemap.mjs';

const isOwn = (source: string) => /(^|\/)src\//.test(source);

/** Where Node's own source-map reader (the one --enable-source-maps uses) maps a generated position. */
function lookup(map: SourceMapV3, line: number, column: number) {
  const entry = new SourceMap(map as never).findEntry(line, column) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  return entry.originalSource === undefined
    ? 'unmapped'
    : `${entry.originalSource.replace(/^.*?(src|node_modules)\//, '$1/')}:${entry.originalLine}:${entry.originalColumn}`;
}

describe('base64 VLQ', () => {
  it('encodes and decodes any segment', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 5 }), (values) => {
        expect(decodeSegment(encodeSegment(values))).toEqual(values);
      }),
    );
    expect(encodeSegment([0, 0, 16, 1])).toBe('AAgBC');
    expect(decodeSegment('AAgBC')).toEqual([0, 0, 16, 1]);
    expect(() => decodeSegment('A!')).toThrow(/invalid/);
  });

  it('round-trips mappings through absolute values', () => {
    const mappings = 'AAAA,SAAS,GAAG;;AACA,cAAcA;EAClB';
    expect(encodeMappings(decodeMappings(mappings))).toBe(mappings);
  });
});

describe('source maps reduced to src/', () => {
  // One generated line: src/a.ts at columns 0-9, a dependency at 10-19, src/b.ts from 20; a second
  // line that starts in the dependency.
  const map: SourceMapV3 = {
    version: 3,
    sources: ['../src/a.ts', '../node_modules/dep/index.js', '../src/b.ts'],
    names: ['depName', 'own'],
    mappings: encodeMappings([
      [
        [0, 0, 4, 2, 1],
        [10, 1, 100, 0, 0],
        [15, 1, 101, 0],
        [20, 2, 7, 0],
      ],
      [
        [0, 1, 200, 0],
        [5, 0, 9, 4],
      ],
    ]),
  };

  /** A lookup without its column, which the reduced maps do not keep. */
  const fileAndLine = (where: string) => where.replace(/:\d+$/, '');

  it('keeps positions in src/ in their file and line and leaves dependency code unmapped', () => {
    const reduced = filterSourceMap(map, isOwn)!;
    expect(reduced.sources).toEqual(['../src/a.ts', '../src/b.ts']);
    expect(reduced.names).toEqual([]);
    for (const [line, column] of [
      [0, 3],
      [0, 12],
      [0, 17],
      [0, 25],
      [1, 2],
      [1, 6],
    ] as const) {
      const before = fileAndLine(lookup(map, line, column));
      expect(fileAndLine(lookup(reduced, line, column))).toBe(before.startsWith('node_modules/') ? 'unmapped' : before);
    }
    expect(lookup(reduced, 0, 12)).toBe('unmapped');
    expect(lookup(reduced, 1, 2)).toBe('unmapped');
    expect(lookup(reduced, 0, 25)).toBe('src/b.ts:7:0');
    expect(lookup(reduced, 0, 3)).toBe('src/a.ts:4:0');
  });

  it('keeps one segment per run of one source line, without its column: a frame keeps its file and line', () => {
    // src/a.ts line 4 from column 0, line 4 again at 6, line 5 at 12, back to line 4 at 18; a
    // dependency at 24; src/a.ts line 4 at 30.
    const runs: SourceMapV3 = {
      version: 3,
      sources: ['../src/a.ts', '../node_modules/dep/index.js'],
      names: [],
      mappings: encodeMappings([
        [
          [0, 0, 4, 2],
          [6, 0, 4, 9],
          [12, 0, 5, 0],
          [18, 0, 4, 20],
          [24, 1, 10, 0],
          [30, 0, 4, 9],
        ],
      ]),
    };
    const reduced = filterSourceMap(runs, isOwn)!;
    expect(decodeMappings(reduced.mappings)).toEqual([[[0, 0, 4, 0], [12, 0, 5, 0], [18, 0, 4, 0], [24], [30, 0, 4, 0]]]);
    expect(lookup(reduced, 0, 8)).toBe('src/a.ts:4:0');
    expect(lookup(reduced, 0, 26)).toBe('unmapped');
  });

  it('maps every position of any map to the file and line it mapped to before, or leaves it unmapped when that was a dependency', () => {
    const segment = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.nat(30));
    const lines = fc.array(
      fc
        .array(segment, { maxLength: 8 })
        .map((segments) => [...new Map(segments.map((s) => [s[0], s])).values()].sort((a, b) => a[0] - b[0])),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(lines, (generated) => {
        const random: SourceMapV3 = {
          version: 3,
          sources: ['../src/a.ts', '../node_modules/dep/index.js', '../src/b.ts', '../node_modules/other/x.js'],
          names: [],
          mappings: encodeMappings(generated),
        };
        const reduced = filterSourceMap(random, isOwn) ?? { ...random, sources: [], mappings: '' };
        for (let line = 0; line < generated.length; line++)
          for (let column = 0; column <= 42; column++) {
            const before = fileAndLine(lookup(random, line, column));
            expect(fileAndLine(lookup(reduced, line, column))).toBe(before.startsWith('node_modules/') ? 'unmapped' : before);
          }
      }),
    );
  });

  it('drops a map that has nothing of src/', () => {
    expect(
      filterSourceMap({ ...map, sources: ['../node_modules/a.js', '../node_modules/b.js', '../node_modules/c.js'] }, isOwn),
    ).toBeUndefined();
  });
});
