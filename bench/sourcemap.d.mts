// Types of bench/sourcemap.mjs, for build.mjs's users and the tests in test/bench/.
export interface SourceMapV3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: Array<string | null>;
}
export type Segment = number[];
export declare function decodeSegment(text: string): number[];
export declare function encodeSegment(values: number[]): string;
export declare function decodeMappings(mappings: string): Segment[][];
export declare function encodeMappings(lines: Segment[][]): string;
export declare function filterSourceMap(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 | undefined;
