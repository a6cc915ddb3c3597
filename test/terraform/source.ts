/**
 * What the function's code needs from its environment, derived from src/ itself:
 *
 * - the files in the Lambda: the files esbuild bundles from src/index.ts, through value and
 *   dynamic imports (src/local/, the local runner, is not in the bundle; a file imported for its
 *   types only adds no code);
 * - the environment variables it reads: `X.method('NAME', …)` calls (the EnvReader in
 *   src/config/config.ts) and `process.env.NAME` / `env.NAME` / `env['NAME']`, with the literal default
 *   when there is one;
 * - the AWS API calls it makes: every `new XxxCommand(` whose name is imported from (or
 *   re-exported by) an `@aws-sdk/client-*` package, SDK waiters and paginators (resolved to the
 *   command they send, read from the SDK's own code), and the calls made inside the libraries it
 *   imports (LIBRARY_CALLS below, applied only when the import is present).
 *
 * Imports are read by parsers (test/helpers/importGraph.ts), not by patterns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from '../../src/config/constants.js';
import { bundledSources, parseImports } from '../helpers/importGraph.js';
import { REPO_ROOT } from './paths.js';

export const SRC_DIR = join(REPO_ROOT, 'src');

export interface SourceFile {
  path: string;
  text: string;
}

/** The source without comments (string contents kept), so commented-out code does not count. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The files a bundle of `entry` (src/index.ts: the Lambda) contains, as esbuild builds it. */
export function lambdaSources(entry = join(SRC_DIR, 'index.ts')): SourceFile[] {
  return bundledSources(entry).map((path) => ({ path, text: stripComments(readFileSync(join(REPO_ROOT, path), 'utf8')) }));
}

/* ------------------------------------------------------------------------------------------------
 * Environment variables
 * ---------------------------------------------------------------------------------------------- */

export interface EnvRead {
  name: string;
  /** Where it is read, e.g. "src/config/config.ts: read.boolean". */
  where: string[];
  /** The literal default as an environment value ("true", "600", "info"); undefined if none. */
  literalDefault: string | undefined;
  /** Read with `required(…)`. */
  required: boolean;
}

const ENV_NAME = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*';

/** The text of an object literal from just after its `{` to its matching `}` (quotes respected). */
function objectBody(text: string, from: number): string {
  let depth = 1;
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(from, i);
  }
  return text.slice(from);
}

/** The value of a default argument, as an environment variable would hold it. */
function literal(arg: string, text: string): string | undefined {
  const a = arg.trim();
  const quoted = /^(['"`])(.*)\1$/.exec(a);
  if (quoted) return quoted[2];
  if (/^(true|false|-?\d+(\.\d+)?)$/.test(a)) return a;
  // CONSTANT.key, with `CONSTANT = { key: 'value', … }` in the same file.
  const member = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(a);
  const start = member ? new RegExp(`\\b${member[1]}\\s*=\\s*\\{`).exec(text) : null;
  if (member && start) {
    const body = objectBody(text, start.index + start[0].length);
    const entry = new RegExp(`(?:^|[\\s,{])${member[2]}\\s*:\\s*(['"\`])(.*?)\\1`).exec(body);
    if (entry) return entry[2];
  }
  return undefined;
}

/** Splits call arguments at top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (const c of args) {
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') out.push(current);
  return out;
}

/** A variable's default from src/config/constants.ts (readers without a fallback argument take it from there), as an environment value. */
function configDefault(name: string): string | undefined {
  const value = (CONFIG_DEFAULTS as Record<string, string | number | boolean | readonly string[]>)[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function envReads(files: SourceFile[]): Map<string, EnvRead> {
  const reads = new Map<string, EnvRead>();
  const add = (name: string, where: string, literalDefault: string | undefined, required: boolean) => {
    const r = reads.get(name) ?? { name, where: [], literalDefault: undefined, required: false };
    r.where.push(where);
    r.literalDefault ??= literalDefault;
    r.required ||= required;
    reads.set(name, r);
  };
  for (const { path, text } of files) {
    // reader.method('NAME', …fallback): the fallback is the last argument.
    for (const m of text.matchAll(new RegExp(`\\b(\\w+)\\.(\\w+)\\(\\s*(['"])(${ENV_NAME})\\3([^()]*(?:\\([^()]*\\)[^()]*)*)\\)`, 'g'))) {
      const [, receiver, method, , name, rest] = m as unknown as [string, string, string, string, string, string];
      const args = splitArgs(rest.replace(/^\s*,/, ''));
      const fallback = args.length > 0 ? literal(args[args.length - 1] as string, text) : configDefault(name);
      add(name, `${path}: ${receiver}.${method}`, fallback, method === 'required');
    }
    for (const m of text.matchAll(new RegExp(`\\b(?:process\\.env|env)(?:\\.(${ENV_NAME})|\\[\\s*['"](${ENV_NAME})['"]\\s*\\])`, 'g'))) {
      add((m[1] ?? m[2]) as string, `${path}: env`, undefined, false);
    }
  }
  return reads;
}

/* ------------------------------------------------------------------------------------------------
 * AWS API calls
 * ---------------------------------------------------------------------------------------------- */

/** IAM service prefix of each SDK client package. */
export const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-sts': 'sts',
};

/** Commands whose IAM action is not named like the command. */
const ACTION_OF_COMMAND: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
  'lambda:InvokeWithResponseStream': 'lambda:InvokeFunction',
  's3:HeadObject': 's3:GetObject',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
};

/**
 * Calls made inside libraries the code imports, which no `…Command` in src/ shows. Applied only
 * when src/ imports that export from that module.
 */
export const LIBRARY_CALLS: Array<{ module: string; exportName: string; actions: string[]; why: string }> = [
  {
    module: '@aws-lambda-powertools/parameters/ssm',
    exportName: 'getParameter',
    actions: ['ssm:GetParameter'],
    why: 'SSMProvider.get sends GetParameterCommand (WithDecryption with decrypt: true; kms:Decrypt is needed only for a customer managed key)',
  },
  {
    module: '@aws-lambda-powertools/parameters/ssm',
    exportName: 'getParameters',
    actions: ['ssm:GetParametersByPath'],
    why: 'SSMProvider.getMultiple sends GetParametersByPathCommand',
  },
  {
    module: '@aws-lambda-powertools/parameters/ssm',
    exportName: 'getParametersByName',
    actions: ['ssm:GetParameters', 'ssm:GetParameter'],
    why: 'SSMProvider.getParametersByName sends GetParametersCommand (GetParameterCommand for single ones)',
  },
  {
    module: '@aws-lambda-powertools/idempotency/dynamodb',
    exportName: 'DynamoDBPersistenceLayer',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    why: 'DynamoDBPersistenceLayer sends GetItem, PutItem, UpdateItem and DeleteItem commands',
  },
];

/**
 * Permissions an API call needs on other services: Lambda reads the S3 artifact of an
 * UpdateFunctionCode with the caller's permissions. Applied when the source passes that field.
 */
export const IMPLIED_CALLS: Array<{ action: string; field: RegExp; actions: string[]; why: string }> = [
  {
    action: 'lambda:UpdateFunctionCode',
    field: /\bS3Bucket\b/,
    actions: ['s3:GetObject'],
    why: 'UpdateFunctionCode with S3Bucket/S3Key reads the object as the caller',
  },
  {
    action: 'lambda:UpdateFunctionCode',
    field: /\bS3ObjectVersion\b/,
    actions: ['s3:GetObjectVersion'],
    why: 'with S3ObjectVersion, a specific version of it',
  },
  {
    action: 's3:GetObject',
    field: /\bVersionId\b/,
    actions: ['s3:GetObjectVersion'],
    why: 'GetObject of a given version (VersionId) needs s3:GetObjectVersion',
  },
];

export interface NamedImport {
  module: string;
  name: string;
  local: string;
  path: string;
}

/** Value (not type-only) names imported or re-exported: `import { a, b as c } from 'module'`, `export { a } from 'module'`. */
export function namedImports(files: SourceFile[]): NamedImport[] {
  return files.flatMap(({ path, text }) =>
    parseImports(text, path).flatMap((i) =>
      i.names.filter((n) => !n.typeOnly).map((n) => ({ module: i.specifier, name: n.name, local: n.local, path })),
    ),
  );
}

/** The command a waiter of an SDK client sends, read from the client's own waiter code. */
function waiterCommand(pkg: string, waiter: string): string {
  const dir = join(REPO_ROOT, 'node_modules', pkg, 'dist-es', 'waiters');
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    const code = readFileSync(join(dir, file), 'utf8');
    if (!new RegExp(`export const ${waiter}\\b`).test(code)) continue;
    const command = /new (\w+)Command\(/.exec(code);
    if (command) return command[1] as string;
  }
  throw new Error(`cannot find the command of waiter ${waiter} in ${pkg}`);
}

export interface AwsCalls {
  /** IAM actions, each with where it comes from. */
  actions: Map<string, string[]>;
  /** Client packages the code imports. */
  packages: Set<string>;
  /** Problems that make the derivation unreliable (e.g. a command of an unknown package). */
  problems: string[];
}

export function awsCalls(files: SourceFile[]): AwsCalls {
  const imports = namedImports(files);
  const actions = new Map<string, string[]>();
  const problems: string[] = [];
  const add = (action: string, why: string) => actions.set(action, [...(actions.get(action) ?? []), why]);
  const all = files.map((f) => f.text).join('\n');
  const packageOf = new Map<string, string>();
  const packages = new Set<string>();
  for (const i of imports) {
    if (!i.module.startsWith('@aws-sdk/client-')) continue;
    packages.add(i.module);
    if (!(i.module in SERVICE_PREFIX)) problems.push(`${i.path}: ${i.module} has no IAM prefix in SERVICE_PREFIX`);
    packageOf.set(i.name, i.module);
    // The aggregated client (ECS, Lambda, …: one method per API call) hides the calls it makes.
    if (
      existsSync(join(REPO_ROOT, 'node_modules', i.module, 'dist-types', `${i.name}.d.ts`)) &&
      existsSync(join(REPO_ROOT, 'node_modules', i.module, 'dist-types', `${i.name}Client.d.ts`))
    ) {
      problems.push(
        `${i.path}: imports the aggregated client ${i.name} from ${i.module}; use ${i.name}Client and …Command classes so the permissions can be derived`,
      );
    }
  }
  // `import { UpdateServiceCommand as Update } from './aws/ecs.js'`: the local name of a command.
  const original = new Map(imports.filter((i) => i.local !== i.name).map((i) => [i.local, i.name]));
  // `new UpdateServiceCommand(…)`, or through a module object: `new session.sdk.UpdateAliasCommand(…)`.
  for (const m of all.matchAll(/\bnew\s+(?:[\w$]+\.)*(\w+)\s*\(/g)) {
    const local = m[1] as string;
    const name = original.get(local) ?? local;
    if (!name.endsWith('Command')) continue;
    const pkg = packageOf.get(name);
    if (pkg === undefined) {
      problems.push(`new ${local}(…) is not imported from an @aws-sdk/client-* package`);
      continue;
    }
    const action = `${SERVICE_PREFIX[pkg]}:${name.replace(/Command$/, '')}`;
    add(ACTION_OF_COMMAND[action] ?? action, `new ${local}`);
  }
  for (const i of imports) {
    if (!i.module.startsWith('@aws-sdk/client-')) continue;
    const called = new RegExp(`\\b${i.local}\\s*\\(`).test(all);
    if (!called) continue;
    let command: string | undefined;
    if (i.name.startsWith('waitUntil')) command = waiterCommand(i.module, i.name);
    else if (i.name.startsWith('paginate')) command = i.name.replace(/^paginate/, '');
    if (command !== undefined) {
      const action = `${SERVICE_PREFIX[i.module]}:${command}`;
      add(ACTION_OF_COMMAND[action] ?? action, `${i.name}()`);
    }
  }
  for (const call of LIBRARY_CALLS) {
    if (imports.some((i) => i.module === call.module && i.name === call.exportName))
      for (const a of call.actions) add(a, `${call.module} ${call.exportName}: ${call.why}`);
  }
  for (const implied of IMPLIED_CALLS) {
    if (actions.has(implied.action) && implied.field.test(all))
      for (const a of implied.actions) add(a, `${implied.action}: ${implied.why}`);
  }
  return { actions, packages, problems };
}
