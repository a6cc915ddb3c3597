// Bundles the Lambda: dist/index.mjs (ESM, SDK bundled and tree-shaken, minified, source maps) with
// the chunks of the two handlers and of each SDK client (src/aws/), loaded on first use, and the
// deployable dist/deploybridge-<version>.zip (the version of package.json) with its SHA-256 in
// dist/deploybridge-<version>.zip.sha256 (sha256sum's format). Prints the sizes.
//
// `node build.mjs` builds; the bench imports `bundleOptions`/`buildBundle` to build its eager
// single-file reference with exactly the same settings.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { Zip } from 'fflate';
import { Buffer } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
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
    contents: "export function randomInt(...args) { return process.getBuiltinModule('node:crypto').randomInt(...args); }",
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
 * source and keep the full chain.
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
function resolveSchemaKeys(source) {
  const constants = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map(([, name, value]) => [name, value]));
  return source.replace(/\[(_\w+)\]:/g, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
}

/** `import { a, b as c } from "x";` and `export { a, b as c } from "x";` (the SDK's dist-es is generated: one form). */
const NAMED_FROM = /^(import|export)\s*\{([^}]*)\}\s*from\s*"([^"]+)";/gm;
/** `export * from "x";` */
const STAR_FROM = /^export\s*\*\s*from\s*"([^"]+)";/gm;
/** Local exports: `export const|let|var|function|async function|class NAME`, and `export { a, b as c };`. */
const LOCAL_EXPORT = /^export\s+(?:const|let|var|class|(?:async\s+)?function\*?)\s+([\w$]+)/gm;
const LOCAL_EXPORT_LIST = /^export\s*\{([^}]*)\}\s*;/gm;

/** `a, b as c` → [['a', 'a'], ['b', 'c']]: [name in the module imported from, name here]. */
function specifiers(list) {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const [name, alias] = item.split(/\s+as\s+/);
      return [name, alias ?? name];
    });
}

/**
 * The SDK's modules import from "barrels", index modules that only re-export others
 * (`@aws-sdk/core/protocols` re-exports the JSON, XML, query and CBOR protocols). esbuild assigns
 * code to chunks by which entry points *import* a module, used or not, so every module a barrel
 * re-exports lands in the chunk every client's route loads: the ECS route loaded S3's XML protocol.
 * Here each named import or re-export from a barrel is written against the module that defines the
 * name (through barrels of barrels), so a chunk holds what its routes' clients use. Only pure
 * barrels (nothing but `export … from`) are skipped over: a module with code of its own is
 * imported as it is, so no side effect is lost.
 */
function sdkDirectImports(b) {
  const modules = new Map();
  const resolved = new Map();
  const moduleAt = (path) => {
    let module = modules.get(path);
    if (module === undefined) {
      const source = readFileSync(path, 'utf8');
      const named = new Map();
      for (const [, kind, list, spec] of source.matchAll(NAMED_FROM))
        if (kind === 'export') for (const [name, alias] of specifiers(list)) named.set(alias, { spec, name });
      const stars = [...source.matchAll(STAR_FROM)].map(([, spec]) => spec);
      const local = new Set([
        ...[...source.matchAll(LOCAL_EXPORT)].map(([, name]) => name),
        ...[...source.matchAll(LOCAL_EXPORT_LIST)].flatMap(([, list]) => specifiers(list).map(([, alias]) => alias)),
      ]);
      const rest = source
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
        .replace(NAMED_FROM, (statement, kind) => (kind === 'export' ? '' : statement))
        .replace(STAR_FROM, '');
      module = { named, stars, local, pure: rest.trim() === '' };
      modules.set(path, module);
    }
    return module;
  };
  // The SDK's own relative imports name a file without its extension, or a folder's index; a
  // package specifier resolves the same from every SDK file (one copy of each package, checked).
  const resolve = async (spec, importer) => {
    const key = spec.startsWith('.') ? join(dirname(importer), spec) : spec;
    if (!resolved.has(key)) {
      const local = spec.startsWith('.') ? [`${key}.js`, join(key, 'index.js')].find((file) => existsSync(file)) : undefined;
      if (local !== undefined) resolved.set(key, local);
      else {
        const result = await b.resolve(spec, { kind: 'import-statement', importer, resolveDir: dirname(importer) });
        resolved.set(key, result.errors.length === 0 && !result.external && result.namespace === 'file' ? result.path : undefined);
      }
    }
    return resolved.get(key);
  };
  const exports = async (path, name, seen = new Set()) => {
    if (seen.has(path)) return false;
    seen.add(path);
    const module = moduleAt(path);
    if (module.named.has(name) || module.local.has(name)) return true;
    for (const spec of module.stars) {
      const target = await resolve(spec, path);
      if (target !== undefined && (await exports(target, name, seen))) return true;
    }
    return false;
  };
  /** The module that defines `name` as `path` exports it, and its name there. */
  const definition = async (path, name) => {
    const module = moduleAt(path);
    if (!module.pure) return { path, name };
    const reexport = module.named.get(name);
    if (reexport !== undefined) {
      const target = await resolve(reexport.spec, path);
      return target === undefined ? { path, name } : definition(target, reexport.name);
    }
    for (const spec of module.stars) {
      const target = await resolve(spec, path);
      if (target !== undefined && (await exports(target, name))) return definition(target, name);
    }
    return { path, name };
  };
  return async (source, importer) => {
    const statements = [...source.matchAll(NAMED_FROM)];
    const rewritten = await Promise.all(
      statements.map(async ([statement, kind, list, spec]) => {
        const target = await resolve(spec, importer);
        if (target === undefined || !moduleAt(target).pure) return statement;
        const byModule = new Map();
        for (const [name, alias] of specifiers(list)) {
          const found = await definition(target, name);
          byModule.set(found.path, [...(byModule.get(found.path) ?? []), found.name === alias ? alias : `${found.name} as ${alias}`]);
        }
        return [...byModule].map(([path, names]) => `${kind} { ${names.join(', ')} } from ${JSON.stringify(path)};`).join('\n');
      }),
    );
    let index = 0;
    return source.replace(NAMED_FROM, () => rewritten[index++]);
  };
}

/**
 * A client registers the schema and class of every error of its service in its schema module, so
 * all of them are bundled with any one command (SSM: 140 errors, 39 KB minified). Here each command
 * registers the errors its operation can throw (the model's list, which the client's typings state
 * as `@throws` on the command), so a bundle holds those of the commands it sends. Another error's
 * code still reaches the caller as the client's service exception with that name, message, fault
 * and metadata (the SDK's path for an error it does not know); only its own class is missing.
 */
const ERROR_REGISTRATION = /^(\w+_registry)\.registerError\((\w+)\$, (\w+)\);$/gm;
const BASE_REGISTRY = '_s_registry';

function withoutErrorRegistrations(source) {
  return source
    .replace(ERROR_REGISTRATION, (line, registry) => (registry === BASE_REGISTRY ? line : ''))
    .replace(/^const (\w+_registry) = /gm, 'export const $1 = ');
}

function withErrorRegistrations(source, commandPath) {
  const client = commandPath.replace(/[\\/]dist-es[\\/]commands[\\/][^\\/]+$/, '');
  const typings = commandPath.replace(/[\\/]dist-es[\\/]commands[\\/](\w+)\.js$/, '/dist-types/commands/$1.d.ts');
  const thrown = new Set([...readFileSync(typings, 'utf8').matchAll(/@throws \{@link (\w+)\}/g)].map(([, name]) => name));
  const registrations = [...readFileSync(join(client, 'dist-es/schemas/schemas_0.js'), 'utf8').matchAll(ERROR_REGISTRATION)].filter(
    ([, registry, , name]) => registry !== BASE_REGISTRY && thrown.has(name),
  );
  if (registrations.length === 0) return source;
  const registries = [...new Set(registrations.map(([, registry]) => registry))];
  const names = registrations.map(([, , name]) => name);
  return [
    source,
    `import { ${[...registries, ...names.map((name) => `${name}$`)].join(', ')} } from "../schemas/schemas_0";`,
    `import { ${names.join(', ')} } from "../models/errors";`,
    ...registrations.map(([, registry, , name]) => `${registry}.registerError(${name}$, ${name});`),
  ].join('\n');
}

/** The SDK's modules as the Lambda bundle reads them: schema keys resolved, errors per command, imports direct (above). */
const sdkModules = {
  name: 'sdk-modules',
  setup(b) {
    const direct = sdkDirectImports(b);
    b.onLoad({ filter: /[\\/]node_modules[\\/](?:@aws-sdk|@smithy)[\\/].+[\\/]dist-es[\\/].+\.js$/ }, async (args) => {
      let source = readFileSync(args.path, 'utf8');
      if (/[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/.test(args.path))
        source = withoutErrorRegistrations(resolveSchemaKeys(source));
      else if (/[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]commands[\\/]\w+Command\.js$/.test(args.path))
        source = withErrorRegistrations(source, args.path);
      return { contents: await direct(source, args.path), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Event streams (Lambda's InvokeWithResponseStream, S3's SelectObjectContent): the S3 and Lambda
 * clients create an event-stream marshaller with every client, and the SDK loads its
 * event-stream serializer with `import()` when an operation streams events. No operation
 * deploybridge calls does, so the Lambda bundle has stand-ins that say so if one ever did,
 * instead of 20 KB of codec code the S3 and Lambda routes loaded.
 */
const NO_EVENT_STREAMS =
  'throw new Error("event streams are not in deploybridge\'s Lambda bundle (build.mjs): no operation it calls streams events")';
const noEventStreams = {
  name: 'no-event-streams',
  setup(b) {
    b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: 'event-streams', namespace: 'no-event-streams' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-event-streams' }, () => ({ contents: `${NO_EVENT_STREAMS};`, loader: 'js' }));
    b.onLoad(
      { filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]event-streams[\\/]eventstream-serde[\\/]EventStreamMarshaller\.js$/ },
      () => ({
        contents: [
          'export class EventStreamMarshaller {',
          `  serialize() { ${NO_EVENT_STREAMS}; }`,
          `  deserialize() { ${NO_EVENT_STREAMS}; }`,
          '}',
          'export const eventStreamSerdeProvider = () => new EventStreamMarshaller();',
        ].join('\n'),
        loader: 'js',
      }),
    );
  },
};

/**
 * The SDK's hashes and checksums in JavaScript, for a Node without them: SHA-256, SHA-1 and MD5
 * when node:crypto lacks them, CRC32 when node:zlib has no crc32 (before Node 20.15). Lambda's Node
 * 22 has them all, so the Lambda bundle has stand-ins that say so if one were ever needed, instead
 * of 8 KB of fallback code (CRC32C and CRC64-NVME, which Node has not, stay in JavaScript).
 */
const HASH_FALLBACKS = [
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]sha256[\\/]Sha256Js\.js$/,
    name: 'Sha256Js',
    what: 'SHA-256 in node:crypto',
  },
  {
    file: /[\\/]@aws-sdk[\\/]checksums[\\/]dist-es[\\/]submodules[\\/]sha[\\/]sha1[\\/]Sha1Js\.js$/,
    name: 'Sha1Js',
    what: 'SHA-1 in node:crypto',
  },
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]md5[\\/]Md5Js\.js$/,
    name: 'Md5Js',
    what: 'MD5 in node:crypto',
  },
  {
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]crc32[\\/]Crc32Js\.js$/,
    name: 'Crc32Js',
    what: 'zlib.crc32 in node:zlib',
  },
];
const noHashFallbacks = {
  name: 'no-hash-fallbacks',
  setup(b) {
    for (const { file, name, what } of HASH_FALLBACKS)
      b.onLoad({ filter: file }, () => ({
        contents: `export class ${name} { constructor() { throw new Error(${JSON.stringify(`this Node has no ${what}, and deploybridge's Lambda bundle (build.mjs) leaves out the SDK's JavaScript ${name}`)}); } }`,
        loader: 'js',
      }));
  },
};

/**
 * Powertools Idempotency selects the idempotency key and the payload to validate with JMESPath when
 * `eventKeyJmesPath` or `payloadValidationJmesPath` is set. deploybridge sets neither (the key is
 * the event id and the target: src/deploy/idempotency/powertools.ts), so idempotency gets
 * stand-ins, instead of the 23 KB JMESPath interpreter: the empty function set its configuration
 * creates, and a `search` that says so if it were ever called.
 */
const NO_JMESPATH = {
  '@aws-lambda-powertools/jmespath':
    'export function search() { throw new Error("JMESPath is not in deploybridge\'s Lambda bundle (build.mjs): set no eventKeyJmesPath or payloadValidationJmesPath"); }',
  '@aws-lambda-powertools/jmespath/functions': 'export class PowertoolsFunctions {}',
};
const noJmesPath = {
  name: 'no-jmespath',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/jmespath(\/functions)?$/ }, (args) =>
      /@aws-lambda-powertools[\\/]idempotency[\\/]/.test(args.importer) ? { path: args.path, namespace: 'no-jmespath' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-jmespath' }, (args) => ({ contents: NO_JMESPATH[args.path], loader: 'js' }));
  },
};

/**
 * DynamoDB's endpoint discovery: the DynamoDB client creates an endpoint cache with every client (an
 * LRU cache from mnemonist, 7 KB and the bundle's only CommonJS), for commands that discover their
 * endpoint; none of the client's commands does (none adds the discovery middleware), so the cache
 * is created and never used. The Lambda bundle has a stand-in that says so if it ever were.
 */
const NO_ENDPOINT_CACHE =
  'throw new Error("DynamoDB endpoint discovery is not in deploybridge\'s Lambda bundle (build.mjs): no command it sends discovers its endpoint")';
const noEndpointCache = {
  name: 'no-endpoint-cache',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/endpoint-cache$/ }, () => ({ path: 'endpoint-cache', namespace: 'no-endpoint-cache' }));
    b.onLoad({ filter: /.*/, namespace: 'no-endpoint-cache' }, () => ({
      contents: [
        'export class EndpointCache {',
        ...['getEndpoint', 'get', 'set', 'delete', 'has', 'clear'].map((method) => `  ${method}() { ${NO_ENDPOINT_CACHE}; }`),
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * Fewer files per route. esbuild makes one chunk of each distinct set of entry points that reach a
 * module (here: src/index.ts, the two handlers, and each door of src/aws/ and SDK adapter, each
 * loaded with import()), so a route loaded many small chunks: the manual route 15 files, of them
 * seven SDK chunks (113 KB of core and six of 0.4–15 KB) cut by which clients happen to share each
 * piece of the SDK. A cold start pays about 0.25–0.5 ms of CPU per module file it loads (resolve,
 * read, compile, link) besides its bytes, while loaded code that never runs costs about 0.015 ms
 * per KB. So, with code splitting, each door and SDK adapter also imports the modules of a few
 * lists, each of which then lands in one chunk:
 * - the SDK code that two or more clients share and a JSON-RPC client (ECS, ECR, SSM, DynamoDB,
 *   CloudWatch) uses: every door imports it;
 * - the SDK code that only the REST and XML clients (S3, Lambda, SNS) share: their doors import it,
 *   so an ECS route still loads no REST or XML protocol code (test/bundle/lambda-bundle.test.ts);
 * - the modules that both src/entry/handler.ts and src/entry/interactions.ts import: a door is only
 *   ever loaded by code that has loaded them, so importing them costs nothing, and they stop being
 *   split from one another by which doors also use them (Powertools' commons, lambda-invoke-store).
 * No code is added: a module imported this way but used by no door stays tree-shaken (these
 * packages declare no side effects), and the lists come from a first build of the same bundle, so
 * they hold only modules it kept (none of the schemas and codecs the plugins above leave out). A
 * route loads a little SDK code that only other clients use with them (ECS: the waiters, 3 KB; the
 * Lambda route: S3's and SNS's XML reader and the JSON-RPC protocol, 10 KB), never another client.
 * With the bundle's one entry point and no CommonJS (below), the manual route loads 5 files
 * instead of 15 (ECS events 3 instead of 7, S3 7 instead of 19) for 1.5 KB more, and reaches its
 * first AWS write on 2–3.5% less CPU on Node 20 (manual, S3, SSM), 1–2% on Node 22 (manual; paired,
 * interleaved runs); test/bundle/routes.test.ts holds each route to its budget of files.
 */
const SDK_CLIENT_PACKAGE = /(?:^|[\\/])node_modules[\\/]@aws-sdk[\\/](client-[^\\/]+)[\\/]/;
const JSON_RPC_PROTOCOL = /[\\/]@aws-sdk[\\/]core[\\/]dist-es[\\/]submodules[\\/]protocols[\\/]json[\\/]AwsJsonRpcProtocol\.js$/;
const HANDLERS = ['src/entry/handler.ts', 'src/entry/interactions.ts'];
const SHARED = 'door-shared';

/** The inputs of `meta` (a metafile) that `start` imports statically, directly or not, `start` included. */
function staticImports(meta, start) {
  const reached = new Set();
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.pop();
    if (reached.has(path) || meta.inputs[path] === undefined) continue;
    reached.add(path);
    for (const { path: next, kind } of meta.inputs[path].imports) if (kind !== 'dynamic-import') queue.push(next);
  }
  return reached;
}

/**
 * From a first build's metafile: the lists above (as absolute paths), and for each door and SDK
 * adapter (a module loaded with import() that reaches an SDK client) the lists it imports.
 */
function doorPlan(meta, workingDir) {
  const kept = new Set(Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs)));
  const reachedBy = new Map();
  const jsonRpc = new Set();
  for (const start of Object.keys(meta.inputs)) {
    const client = SDK_CLIENT_PACKAGE.exec(start)?.[1];
    if (client === undefined) continue;
    for (const path of staticImports(meta, start)) {
      reachedBy.set(path, (reachedBy.get(path) ?? new Set()).add(client));
      if (JSON_RPC_PROTOCOL.test(path)) jsonRpc.add(client);
    }
  }
  const sdkShared = [...reachedBy].filter(
    ([path, clients]) => clients.size >= 2 && /(?:^|[\\/])node_modules[\\/]/.test(path) && !SDK_CLIENT_PACKAGE.test(path),
  );
  const [handler, interactions] = HANDLERS.map((entry) => staticImports(meta, entry));
  const absolute = (paths) =>
    paths
      .filter((path) => kept.has(path) && !/^[\w-]+:/.test(path))
      .map((path) => join(workingDir, path))
      .sort();
  const lists = {
    sdk: absolute(sdkShared.filter(([, clients]) => [...clients].some((c) => jsonRpc.has(c))).map(([path]) => path)),
    'sdk-rest-xml': absolute(sdkShared.filter(([, clients]) => ![...clients].some((c) => jsonRpc.has(c))).map(([path]) => path)),
    handlers: absolute([...handler].filter((path) => interactions.has(path))),
  };
  const restXml = new Set(lists['sdk-rest-xml']);
  const targets = new Set(
    Object.values(meta.inputs).flatMap((input) => input.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)),
  );
  const doors = new Map();
  for (const door of [...targets].filter((path) => path.startsWith('src/') && !HANDLERS.includes(path))) {
    const reached = [...staticImports(meta, door)];
    if (!reached.some((path) => reachedBy.has(path))) continue;
    const usesRestXml = reached.some((path) => restXml.has(join(workingDir, path)));
    doors.set(join(workingDir, door), ['sdk', ...(usesRestXml ? ['sdk-rest-xml'] : []), 'handlers']);
  }
  return { lists, doors };
}

/**
 * The plugin of the above: with code splitting, a first build (the same options, this plugin left
 * out, nothing written) gives the plan; each door then imports `door-shared:<list>` for its lists.
 */
const doorSharedCode = {
  name: 'door-shared-code',
  async setup(b) {
    const options = b.initialOptions;
    if (options.splitting !== true) return;
    const first = await build({
      ...options,
      plugins: options.plugins.filter((plugin) => plugin.name !== 'door-shared-code'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const commonJs = Object.keys(first.metafile.inputs).filter((path) => first.metafile.inputs[path].format === 'cjs');
    // esbuild wraps a CommonJS module in helpers of its runtime, which code splitting makes a chunk
    // of its own that every entry point and chunk imports: one more file on every route.
    if (commonJs.length > 0)
      throw new Error(`CommonJS in a split bundle (its runtime helpers would be one more file on every route): ${commonJs.join(', ')}`);
    const { lists, doors } = doorPlan(first.metafile, options.absWorkingDir ?? process.cwd());
    const resolveDir = options.absWorkingDir ?? process.cwd();
    b.onResolve({ filter: new RegExp(`^${SHARED}:`) }, (args) => ({ path: args.path.slice(SHARED.length + 1), namespace: SHARED }));
    b.onLoad({ filter: /.*/, namespace: SHARED }, (args) => ({
      contents: lists[args.path].map((path, index) => `import * as shared${index} from ${JSON.stringify(path)};`).join('\n'),
      loader: 'js',
      resolveDir,
    }));
    b.onLoad({ filter: /[\\/]src[\\/].+\.ts$/ }, (args) => {
      const imports = doors.get(args.path);
      if (imports === undefined) return undefined;
      const source = readFileSync(args.path, 'utf8');
      return { contents: [source, ...imports.map((list) => `import '${SHARED}:${list}';`)].join('\n'), loader: 'ts' };
    });
  },
};

/**
 * The Lambda build's entry point. The environment-only credentials module (src/aws/lambdaCredentials.ts)
 * was an entry point of its own too, to keep a source map off the chunk of the SDK's core code while
 * Node read every loaded module's map (`--enable-source-maps`); that cost every SDK route a 9 KB
 * chunk of what it imports. The function now maps its stacks itself when it writes one
 * (src/shared/stackTrace.ts), so the module lands in the chunk of the SDK code the clients share
 * (doorSharedCode) and its map costs nothing at load.
 */
export const LAMBDA_ENTRY_POINTS = { index: 'src/index.ts' };

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
  // Maps ship in the zip for the stacks deploybridge writes (src/shared/stackTrace.ts maps them),
  // reduced to deploybridge's own code (see bench/sourcemap.mjs) and without embedded sources: a
  // stack trace needs file:line only.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  plugins: [
    lazyBuiltins,
    sdkPackageVersion,
    noJmesPath,
    noHashFallbacks,
    noEventStreams,
    sdkModules,
    environmentCredentials,
    noEndpointCache,
    doorSharedCode,
  ],
};

/**
 * The plugins that fit the AWS SDK to Lambda: credentials from the environment, only the schemas,
 * errors and protocol code the commands use, no event-stream codec, no JavaScript hashes that Node
 * has. The bench builds its "naive" SDK floors without them: the SDK as it bundles by default, with
 * its default credential chain.
 */
export const LAMBDA_SDK_PLUGINS = [noHashFallbacks, noEventStreams, sdkModules, environmentCredentials];

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

/**
 * The deployable zip of a bundle directory (fixed mtimes: the same code gives the same zip). fflate
 * writes the archive; each file is deflated by Node's zlib at its best level, 3% smaller than
 * fflate's own deflate at level 9 (9 KB of this zip).
 */
export function zipBundle(dir) {
  const parts = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    parts.push(data);
  });
  for (const name of bundleFiles(dir)) {
    const data = readFileSync(join(dir, name));
    const file = { filename: name, size: data.length, crc: crc32(data), compression: 8, mtime: new Date('2020-01-01T00:00:00Z') };
    zip.add(file);
    file.ondata(null, deflateRawSync(data, { level: 9, memLevel: 9 }), true);
  }
  zip.end();
  return new Uint8Array(Buffer.concat(parts));
}

async function main() {
  const outdir = 'dist';
  const meta = await buildBundle(outdir, {
    entryPoints: LAMBDA_ENTRY_POINTS,
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
  console.log(`dist/**/*.mjs         ${kb(total)} (${code.length} files: entry, handlers, SDK clients and what they share)`);
  console.log(`dist/**/*.mjs.map     ${kb(maps)} (source maps of src/ code, in the zip)`);
  console.log(`dist/${ZIP_NAME} ${kb(zip.length)} (sha256 ${sha256}, in dist/${ZIP_NAME}.sha256)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
