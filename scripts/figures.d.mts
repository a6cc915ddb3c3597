// Types of scripts/figures.mjs, for the tests.

export type Figures = Record<string, number | string>;

export declare const REPORT: string;
export declare const USAGE: string;
export declare function documents(): string[];
export declare function formatFigure(value: number | string): string;
export interface ShownFigure {
  name: string;
  shown: string;
  /** The Node.js major it was measured on, for a figure that depends on it. */
  node: number | undefined;
}

export declare const NODE_MAJOR: number;
export declare function figuresIn(text: string): ShownFigure[];
export declare function comparable(figure: { node: number | undefined }): boolean;
export declare function fillFigures(text: string, figures: Figures): { text: string; missing: string[] };
export declare function readReport(path?: string): Figures | undefined;
