// Types of bench/docs.mjs, for the tests in test/bench/.
export declare const DOC: string;
export declare const REFERENCE: string;
export declare const USAGE: string;
export declare function reference(results: unknown): unknown;
export declare function blocks(reference: unknown): Record<string, string>;
export declare function fill(text: string, generated: Record<string, string>): { text: string; missing: string[] };
export declare function generatedDocument(root?: string): { text: string; missing: string[] };
export declare const LAMBDA_NODE_REFERENCE: string;
export declare function lambdaNodeBlock(reference: unknown): string;
