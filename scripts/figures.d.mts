// Types of scripts/figures.mjs, for the tests.

export type Figures = Record<string, number | string>;

export declare const REPORT: string;
export declare const USAGE: string;
export declare function documents(): string[];
export declare function formatFigure(value: number | string): string;
export declare function figuresIn(text: string): { name: string; shown: string }[];
export declare function fillFigures(text: string, figures: Figures): { text: string; missing: string[] };
export declare function readReport(path?: string): Figures | undefined;
