// Types of bench/routes.mjs, for the tests.
import type { Stub } from './stub.mjs';
export interface BenchRoute {
  name: string;
  event: string;
  calls: Record<string, number> | undefined;
  clients: string[];
  floor?: string;
  label?: string;
}
export declare const ROUTES: BenchRoute[];
export declare const LAMBDA_OPERATIONS: Set<string>;
export declare function pushedImage(): string;
export declare function sampleEnv(
  stub: Pick<Stub, 'url' | 'slackUrl'>,
  home: string,
  extra?: Record<string, string>,
): Record<string, string>;
