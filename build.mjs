// Bundles the Lambda: dist/index.mjs (ESM, SDK bundled, minified, source maps) with one chunk per
// route, loaded on first use, and the deployable dist/deploybridge.zip. Prints the sizes.
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outdir = 'dist';
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints: { index: 'src/index.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: true,
  metafile: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Some SDK dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));

/** Every file of the bundle, relative to dist/, sources maps included (Lambda reads them with --enable-source-maps). */
function bundleFiles(dir = outdir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return bundleFiles(path, `${prefix}${name}/`);
    return name.endsWith('.mjs') || name.endsWith('.mjs.map') ? [`${prefix}${name}`] : [];
  });
}

const files = bundleFiles();
const zip = zipSync(Object.fromEntries(files.map((f) => [f, [readFileSync(join(outdir, f)), { mtime: new Date('2020-01-01T00:00:00Z') }]])), { level: 9 });
writeFileSync(join(outdir, 'deploybridge.zip'), zip);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const code = files.filter((f) => f.endsWith('.mjs'));
const total = code.reduce((sum, f) => sum + statSync(join(outdir, f)).size, 0);
console.log(`dist/index.mjs        ${kb(statSync(join(outdir, 'index.mjs')).size)} (entry, loaded at init)`);
console.log(`dist/**/*.mjs         ${kb(total)} (${code.length} files: entry + per-route chunks)`);
console.log(`dist/deploybridge.zip ${kb(zip.length)}`);
