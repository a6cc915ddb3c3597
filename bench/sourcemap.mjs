/**
 * Source maps for the zip: keep the mappings of deploybridge's own code, drop those of dependencies.
 *
 * The stacks deploybridge writes are mapped back to `src/…ts:line` with these maps
 * (src/shared/stackTrace.ts, with Node's own reader, as `--enable-source-maps` would). Mappings into
 * node_modules make up almost all of a map (the SDK is most of the code) yet name files that are
 * not in the zip; dropping them shrinks the maps ~20x and the zip by half. A position in dependency
 * code is marked unmapped (a one-field segment), so it never inherits the mapping before it:
 * such frames print as positions in the bundle file, as without source maps. Names are dropped too:
 * Node (20 and 22) prints the function name V8 knows, never the map's.
 *
 * Mappings are kept at the grain of a source line: esbuild maps nearly every token, and four in five
 * of the segments left follow one of the same source line. Node maps a position to the last segment
 * at or before it, so dropping those changes no frame's file or line. Columns are not kept (every
 * mapping says column 0, which Node prints as 1): once a line has one segment they would only say
 * where its run of code starts, and they cost a sixth of the maps. The maps shrink 5x (49 KB of the zip).
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment (`"AAgBC"`) into its numbers (still relative, as in the map). */
export function decodeSegment(text) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64_VALUE.get(char);
    if (digit === undefined) throw new Error(`invalid base64 VLQ character ${JSON.stringify(char)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  if (shift !== 0) throw new Error(`truncated VLQ segment ${JSON.stringify(text)}`);
  return values;
}

export function encodeSegment(values) {
  let text = '';
  for (const number of values) {
    let vlq = number < 0 ? (-number << 1) | 1 : number << 1;
    do {
      let digit = vlq & 31;
      vlq >>>= 5;
      if (vlq > 0) digit |= 32;
      text += BASE64[digit];
    } while (vlq > 0);
  }
  return text;
}

/** Mappings as absolute values: lines of segments `[column, source?, line?, sourceColumn?, name?]`. */
export function decodeMappings(mappings) {
  const state = [0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    let column = 0;
    if (line === '') return [];
    return line.split(',').map((text) => {
      const rel = decodeSegment(text);
      column += rel[0];
      if (rel.length === 1) return [column];
      for (let i = 1; i < rel.length; i++) state[i - 1] += rel[i];
      return rel.length === 4 ? [column, state[0], state[1], state[2]] : [column, state[0], state[1], state[2], state[3]];
    });
  });
}

export function encodeMappings(lines) {
  const state = [0, 0, 0, 0];
  return lines
    .map((segments) => {
      let column = 0;
      return segments
        .map((segment) => {
          const rel = [segment[0] - column];
          column = segment[0];
          for (let i = 1; i < segment.length; i++) {
            rel.push(segment[i] - state[i - 1]);
            state[i - 1] = segment[i];
          }
          return encodeSegment(rel);
        })
        .join(',');
    })
    .join(';');
}

/**
 * A copy of `map` with only the mappings whose source passes `keep` (without names or columns), one
 * per run of positions in the same source line; other positions become unmapped. Unused sources
 * are dropped. Returns undefined when nothing is left.
 */
export function filterSourceMap(map, keep) {
  const sourceIndex = new Map();
  const sources = [];
  let kept = 0;
  // Node looks a position up as the last segment at or before it, across lines: the state carries
  // over. `last` is the source and line that lookup gives now (undefined: unmapped).
  let last;
  const lines = decodeMappings(map.mappings).map((segments) => {
    const out = [];
    for (const segment of segments) {
      if (segment.length > 1 && keep(map.sources[segment[1]])) {
        const source = map.sources[segment[1]];
        // A segment in the line the lookup gives already would change no frame's file or line.
        if (last !== undefined && last.source === source && last.line === segment[2]) continue;
        if (!sourceIndex.has(source)) sourceIndex.set(source, sources.push(source) - 1);
        out.push([segment[0], sourceIndex.get(source), segment[2], 0]);
        last = { source, line: segment[2] };
        kept++;
      } else if (last !== undefined) {
        // Ends the mapping before it; further unmapped segments would add nothing.
        out.push([segment[0]]);
        last = undefined;
      }
    }
    return out;
  });
  // Node's reader takes a one-field segment that ends the mappings for the mapping before it: an
  // empty last line makes it end the mapping.
  if (last === undefined && lines.at(-1)?.length) lines.push([]);
  if (kept === 0) return undefined;
  return { version: 3, sources, names: [], mappings: encodeMappings(lines) };
}
