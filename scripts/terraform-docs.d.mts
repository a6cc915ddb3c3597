// Types of scripts/terraform-docs.mjs, for the tests.

export interface HclBlock {
  type: string;
  labels: string[];
  /** Each attribute's expression, as written. */
  attributes: Record<string, string>;
  blocks: HclBlock[];
}
export interface ModuleInput {
  name: string;
  /** The type expression on one line; `any` when the variable has none. */
  type: string;
  /** The default expression on one line; undefined when the input is required. */
  default: string | undefined;
  description: string;
  sensitive: boolean;
  /** The error messages of its validation blocks that are written out (interpolations as "…"): what a value must be. */
  validations: string[];
}
export interface ModuleOutput {
  name: string;
  description: string;
  sensitive: boolean;
}

export declare const BEGIN: string;
export declare const END: string;
export declare const README: string;
export declare const USAGE: string;
export declare function parseHcl(text: string): { attributes: Record<string, string>; blocks: HclBlock[] };
export declare function stringValue(expression: string): string;
export declare function messageText(expression: string): string | undefined;
export declare function expressionText(expression: string): string;
export declare function moduleInterface(variablesTf: string, outputsTf: string): { inputs: ModuleInput[]; outputs: ModuleOutput[] };
export declare function renderInterface(moduleInterface: { inputs: ModuleInput[]; outputs: ModuleOutput[] }): string;
export declare function renderReadme(readme: string, variablesTf: string, outputsTf: string): string;
export declare function terraformReadme(): { current: string; expected: string };
