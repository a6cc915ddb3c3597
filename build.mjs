// Bundles the Lambda: dist/index.mjs (ESM, SDK bundled and tree-shaken, minified, source maps) with
// one chunk per route, loaded on first use, and the deployable dist/deploybridge-<version>.zip (the
// version of package.json) with its SHA-256 in dist/deploybridge-<version>.zip.sha256 (sha256sum's
// format). Prints the sizes.
//
// `node build.mjs` builds; the bench imports `bundleOptions`/`buildBundle` to build its eager
// single-file reference with exactly the same settings.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staticClosure } from './bench/lib.mjs';
import { filterSourceMap } from './bench/sourcemap.mjs';

/**
 * Node built-ins that a dependency imports at load time but uses only on a path deploybridge never
 * takes. Each is replaced, for that importer only, by a stand-in that loads the real module on first
 * use, so it is not loaded at init. A new named import from a dependency upgrade fails the build
 * ("No matching export"), it never breaks silently.
 */
const LAZY_BUILTINS = [
  {
    // Powertools Logger: randomInt serves log sampling only (POWERTOOLS_LOGGER_SAMPLE_RATE).
    module: 'node:crypto',
    importer: /@aws-lambda-powertools[\\/]logger[\\/]/,
    contents:
      "import { createRequire } from 'node:module'; export function randomInt(...args) { return createRequire(import.meta.url)('node:crypto').randomInt(...args); }",
  },
  {
    // middy: ReadableStream serves response streaming only (streamifyResponse), which is off.
    module: 'node:stream/web',
    importer: /@middy[\\/]core[\\/]/,
    contents: 'export class ReadableStream { static [Symbol.hasInstance](value) { return value instanceof globalThis.ReadableStream; } }',
  },
];

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    for (const [index, lazy] of LAZY_BUILTINS.entries()) {
      b.onResolve({ filter: new RegExp(`^${lazy.module.replace('/', '\\/')}$`) }, (args) =>
        lazy.importer.test(args.importer) ? { path: lazy.module, namespace: 'lazy-builtin', pluginData: index } : undefined,
      );
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: LAZY_BUILTINS[args.pluginData].contents, loader: 'js' }));
  },
};

/**
 * An AWS SDK client embeds its whole package.json to read one field, `version` (for the user
 * agent). Only that field is bundled.
 */
const sdkPackageVersion = {
  name: 'sdk-package-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, (args) => {
      const { version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * The Lambda build's credentials: the SDK's default chain (`@aws-sdk/credential-provider-node`:
 * environment, SSO, shared config files, credential process, web identity, container and
 * instance metadata) is replaced by src/aws/lambdaCredentials.ts, environment only, since Lambda
 * always puts the execution role's credentials there. The local run and `npm run verify` run from
 * source and keep the full chain; the bench builds its "naive" SDK floors without this plugin.
 */
export const environmentCredentials = {
  name: 'environment-credentials',
  setup(b) {
    const provider = fileURLToPath(new URL('./src/aws/lambdaCredentials.ts', import.meta.url));
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: provider }));
  },
};

/**
 * An AWS SDK client declares the schema of every operation and shape of its service in one module
 * (dist-es/schemas/schemas_0.js), their traits as object literals with computed keys naming
 * module constants (`{ [_h]: ["GET", …] }`). esbuild keeps any object literal with a computed key
 * (a key could run code when converted to a string), so every schema stayed in the bundle, used or
 * not: S3's module alone was 64 KB minified. Here each such key is written as the string its
 * constant holds (`{ "http": ["GET", …] }`, the same object), and the schemas no command uses are
 * tree-shaken. The error schemas stay: registering them is a side effect the deserializer relies on.
 */
const sdkSchemaKeys = {
  name: 'sdk-schema-keys',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const constants = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map(([, name, value]) => [name, value]));
      const contents = source.replace(/\[(_\w+)\]:/g, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
      return { contents, loader: 'js' };
    });
  },
};

/** The deployable zip's file name in dist/: deploybridge-<version>.zip, the version of package.json. */
export const ZIP_NAME = `deploybridge-${JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version}.zip`;

/** esbuild settings shared by the Lambda bundle and the bench's eager reference build. */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  // The SDK's ES module builds (dist-es) tree-shake; the CommonJS builds esbuild picks by default
  // for platform "node" do not (a whole client, every command, in one file).
  mainFields: ['module', 'main'],
  // Maps ship in the zip for NODE_OPTIONS=--enable-source-maps, reduced to deploybridge's own code
  // (see bench/sourcemap.mjs) and without embedded sources: a stack trace needs file:line only.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  plugins: [lazyBuiltins, sdkPackageVersion, sdkSchemaKeys, environmentCredentials],
};

/** Builds into `outdir` (emptied first) and writes its metafile next to the code as meta.json. */
export async function buildBundle(outdir, options) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({ ...bundleOptions, ...(options.outfile === undefined ? { outdir } : {}), ...options });
  const { outputs } = result.metafile;
  for (const file of Object.keys(outputs).filter((f) => f.endsWith('.mjs'))) {
    let code = readFileSync(file, 'utf8');
    // The bundle has no `require` (no banner): a CommonJS dependency needing one must fail here, not in Lambda.
    if (code.includes('Dynamic require of "'))
      throw new Error(`${file} calls require() (a CommonJS dependency); bundle its ESM build instead`);
    const mapFile = `${file}.map`;
    const map = filterSourceMap(JSON.parse(readFileSync(mapFile, 'utf8')), (source) => /(^|\/)src\//.test(source));
    if (map === undefined) {
      // Dependency code only: no map, and no comment sending Node to look for one.
      code = code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n');
      writeFileSync(file, code);
      rmSync(mapFile);
      delete outputs[mapFile];
      outputs[file].bytes = Buffer.byteLength(code);
    } else {
      writeFileSync(mapFile, JSON.stringify(map));
      outputs[mapFile].bytes = statSync(mapFile).size;
    }
  }
  pruneOrphans(result.metafile);
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return result.metafile;
}

/**
 * Removes chunks that no output imports (entry points aside). esbuild makes a chunk of every
 * `import()` it meets, even in code it then drops as unused (the SDK's browser user agent imports
 * bowser): such a chunk can never load, so it does not ship.
 */
function pruneOrphans(meta) {
  for (;;) {
    const imported = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.map((i) => i.path)));
    const orphans = Object.keys(meta.outputs).filter(
      (f) => f.endsWith('.mjs') && meta.outputs[f].entryPoint !== undefined && !imported.has(f) && !isEntry(meta, f),
    );
    if (orphans.length === 0) return;
    for (const file of orphans) {
      for (const f of [file, `${file}.map`]) {
        rmSync(f, { force: true });
        delete meta.outputs[f];
      }
    }
  }
}

/** True for the bundle's own entry points (index.mjs), as opposed to chunks made for an `import()`. */
function isEntry(meta, file) {
  return !file.includes('/chunks/') && meta.outputs[file].entryPoint !== undefined;
}

/** Every file of the bundle, relative to `dir`: code and source maps. */
export function bundleFiles(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return bundleFiles(path, `${prefix}${name}/`);
    return name.endsWith('.mjs') || name.endsWith('.mjs.map') ? [`${prefix}${name}`] : [];
  });
}

/** The deployable zip of a bundle directory (fixed mtimes: the same code gives the same zip). */
export function zipBundle(dir) {
  const files = bundleFiles(dir);
  return zipSync(Object.fromEntries(files.map((f) => [f, [readFileSync(join(dir, f)), { mtime: new Date('2020-01-01T00:00:00Z') }]])), {
    level: 9,
  });
}

async function main() {
  const outdir = 'dist';
  const meta = await buildBundle(outdir, {
    entryPoints: { index: 'src/index.ts' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  const zip = zipBundle(outdir);
  writeFileSync(join(outdir, ZIP_NAME), zip);
  const sha256 = createHash('sha256').update(zip).digest('hex');
  writeFileSync(join(outdir, `${ZIP_NAME}.sha256`), `${sha256}  ${ZIP_NAME}\n`);

  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const code = Object.entries(meta.outputs).filter(([f]) => f.endsWith('.mjs'));
  const total = code.reduce((sum, [, o]) => sum + o.bytes, 0);
  const atInit = [...staticClosure(meta, join(outdir, 'index.mjs'))].reduce((sum, f) => sum + meta.outputs[f].bytes, 0);
  const maps = bundleFiles(outdir)
    .filter((f) => f.endsWith('.map'))
    .reduce((sum, f) => sum + statSync(join(outdir, f)).size, 0);
  console.log(`dist/index.mjs        ${kb(statSync(join(outdir, 'index.mjs')).size)} (entry)`);
  console.log(`loaded at init        ${kb(atInit)} (entry + the chunks it imports statically)`);
  console.log(`dist/**/*.mjs         ${kb(total)} (${code.length} files: entry, shared and per-route chunks)`);
  console.log(`dist/**/*.mjs.map     ${kb(maps)} (source maps of src/ code, in the zip)`);
  console.log(`dist/${ZIP_NAME} ${kb(zip.length)} (sha256 ${sha256}, in dist/${ZIP_NAME}.sha256)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
