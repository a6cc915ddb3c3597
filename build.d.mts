// Types of build.mjs, for the tests (test/terraform reads the package's file name from it).
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

/** The deployable zip's file name in dist/: deploybridge-<version>.zip, the version of package.json. */
export declare const ZIP_NAME: string;
export declare const bundleOptions: BuildOptions;
/** The Lambda build's entry points (src/index.ts and the modules that get a chunk of their own). */
export declare const LAMBDA_ENTRY_POINTS: Record<string, string>;
/** The Lambda build's environment-only credentials. */
export declare const environmentCredentials: Plugin;
/** The plugins that fit the SDK to Lambda (the bench's naive SDK floors are built without them). */
export declare const LAMBDA_SDK_PLUGINS: Plugin[];
export declare function buildBundle(outdir: string, options: BuildOptions): Promise<Metafile>;
export declare function bundleFiles(dir: string, prefix?: string): string[];
export declare function zipBundle(dir: string): Uint8Array;
