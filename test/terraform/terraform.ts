/**
 * Terraform itself, for the tests that check the module against the code: the values they read are
 * those of a real `terraform plan` (JSON from `terraform show -json`), not a re-evaluation.
 *
 * - Offline: the AWS provider runs with fake credentials and every AWS endpoint pointed at a stub
 *   on 127.0.0.1 that answers only sts:GetCallerIdentity (account 123456789012), the one call a
 *   plan of this module makes. Nothing reaches AWS; no real credential or profile is read.
 * - Providers: from TERRAFORM_PLUGIN_DIR (or /opt/tf-plugins when present) with `-plugin-dir`,
 *   otherwise from the registry; either way through a plugin cache (TF_PLUGIN_CACHE_DIR, default
 *   .tmp/terraform/plugin-cache), so the provider is copied or downloaded once, not per init.
 * - Once per run: the first test file that asks copies the module into a work directory of this
 *   vitest run (test/terraform/globalSetup.ts), initialises each root module once and plans it
 *   once; the other test files (other workers) wait for that result and share it.
 * - Without `terraform` on PATH, the tests that need it are skipped, with one loud line from the
 *   global setup (the checks that read only src/ still run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { join, relative } from 'node:path';
import { inject } from 'vitest';
import { listenOnLoopback } from '../helpers/loopback.js';
import { EXAMPLE_DIR, MODULE_DIR, REPO_ROOT } from './paths.js';
import { SCENARIOS } from './scenarios.js';
import { REFUSED_SCENARIOS } from './refusals.js';
import { ZIP_NAME } from '../../build.mjs';

export { EXAMPLE_DIR, MODULE_DIR, REPO_ROOT };
export const TEST_ACCOUNT_ID = '123456789012';
/** The region of the example's provider and of the fixture root. */
export const TEST_REGION = 'eu-west-1';
/** The line printed (once per run) when the Terraform checks cannot run. */
export const SKIPPED = 'terraform checks SKIPPED: terraform not installed';

/** `terraform version -json` of the terraform on PATH; undefined when there is none. */
export const TERRAFORM_VERSION: string | undefined = (() => {
  const r = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.status !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
})();
export const terraformMissing = TERRAFORM_VERSION === undefined;

const PLUGIN_DIR = process.env.TERRAFORM_PLUGIN_DIR ?? (existsSync('/opt/tf-plugins') ? '/opt/tf-plugins' : undefined);
const PLUGIN_CACHE_DIR = process.env.TF_PLUGIN_CACHE_DIR ?? join(REPO_ROOT, '.tmp', 'terraform', 'plugin-cache');

/** The package `npm run build` writes (build.mjs): dist/deploybridge-<version>.zip. */
export const PACKAGE_FILE = `dist/${ZIP_NAME}`;
/** The bytes the work copy's package holds (a plan never opens it; the hash shows which file was used). */
export const FAKE_PACKAGE = Buffer.from('deploybridge test package: planned, never deployed\n');

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

/* ------------------------------------------------------------------------------------------------
 * Plans
 * ---------------------------------------------------------------------------------------------- */

export type Values = Record<string, unknown>;

export interface PlannedResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  values: Values;
}

interface PlanModule {
  address?: string;
  resources?: PlannedResource[];
  child_modules?: PlanModule[];
}

export interface PlanJson {
  terraform_version: string;
  planned_values: { outputs?: Record<string, { value?: unknown; sensitive: boolean }>; root_module: PlanModule };
  configuration: {
    root_module: {
      module_calls?: Record<
        string,
        {
          module: {
            variables?: Record<string, { default?: unknown; description?: string }>;
            outputs?: Record<string, { description?: string }>;
          };
        }
      >;
    };
  };
}

/** The resources of one module of a plan, as Terraform planned them (unknown values are absent). */
export class PlannedModule {
  constructor(
    readonly address: string,
    readonly resources: PlannedResource[],
  ) {}

  /** Every instance of a resource, by its for_each key or count index (`''` for a single one). */
  instances(type: string, name: string): Record<string, Values> {
    return Object.fromEntries(
      this.resources
        .filter((r) => r.mode === 'managed' && r.type === type && r.name === name)
        .map((r) => [String(r.index ?? ''), r.values]),
    );
  }

  /** The one instance of a resource without count/for_each (or the given index); throws when absent. */
  one(type: string, name: string, index?: string | number): Values {
    const found = this.resources.find((r) => r.mode === 'managed' && r.type === type && r.name === name && r.index === index);
    if (found === undefined)
      throw new Error(`${this.address}: no ${type}.${name}${index === undefined ? '' : `[${JSON.stringify(index)}]`} in the plan`);
    return found.values;
  }
}

export class Plan {
  constructor(readonly json: PlanJson) {}

  module(name: string): PlannedModule {
    const address = `module.${name}`;
    const found = (this.json.planned_values.root_module.child_modules ?? []).find((m) => m.address === address);
    if (found === undefined) throw new Error(`no ${address} in the plan`);
    return new PlannedModule(address, found.resources ?? []);
  }

  /** Root outputs known at plan time (others are absent). */
  get outputs(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.json.planned_values.outputs ?? {}).map(([k, v]) => [k, v.value]));
  }

  /** The module's variables and outputs as Terraform read them (descriptions, defaults). */
  moduleConfiguration(name: string) {
    const call = this.json.configuration.root_module.module_calls?.[name];
    if (call === undefined) throw new Error(`no module call ${name}`);
    return { variables: call.module.variables ?? {}, outputs: call.module.outputs ?? {} };
  }
}

/* ------------------------------------------------------------------------------------------------
 * Running terraform
 * ---------------------------------------------------------------------------------------------- */

/** The environment of every terraform process: fake credentials, AWS on the stub, no user overrides. */
function terraformEnv(endpoint: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([k]) =>
      !k.startsWith('AWS_') && !k.startsWith('TF_VAR_') && !k.startsWith('TF_CLI_ARGS') && k !== 'TF_DATA_DIR' && k !== 'TF_WORKSPACE',
  );
  // A CLI configuration file that is named but missing only adds a warning to every command.
  const cliConfig = process.env.TF_CLI_CONFIG_FILE;
  const missingCliConfig = cliConfig !== undefined && !existsSync(cliConfig);
  return {
    ...Object.fromEntries(inherited.filter(([k]) => !(missingCliConfig && k === 'TF_CLI_CONFIG_FILE'))),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_STS: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_PLUGIN_CACHE_DIR: PLUGIN_CACHE_DIR,
  };
}

export function runTerraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

async function mustRun(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformResult> {
  const r = await runTerraform(args, cwd, env);
  if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} (in ${relative(REPO_ROOT, cwd)}) failed:\n${r.stderr}${r.stdout}`);
  return r;
}

/** A stand-in for STS that answers GetCallerIdentity (and ECS DescribeTaskDefinition, for releases' families), and refuses anything else. */
async function startAwsStub(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      res.setHeader('content-type', 'text/xml');
      if (/Action=GetCallerIdentity/.test(body)) {
        res.end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${TEST_ACCOUNT_ID}:user/deploybridge-test</Arn><UserId>AIDATEST</UserId><Account>${TEST_ACCOUNT_ID}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      // The families release_config names: the module reads their roles (data.aws_ecs_task_definition.release).
      if (/DescribeTaskDefinition$/.test(String(req.headers['x-amz-target']))) {
        const family = String((JSON.parse(body) as { taskDefinition?: string }).taskDefinition);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(
          JSON.stringify({
            taskDefinition: {
              family,
              revision: 1,
              status: 'ACTIVE',
              taskDefinitionArn: `arn:aws:ecs:eu-west-1:${TEST_ACCOUNT_ID}:task-definition/${family}:1`,
              taskRoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${family}-task`,
              executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${family}-execution`,
              containerDefinitions: [{ name: 'migrate', image: 'migrate:1', essential: true }],
            },
          }),
        );
        return;
      }
      res.statusCode = 400;
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>NotStubbed</Code><Message>the test stub answers GetCallerIdentity only: ${body.slice(0, 80)}</Message></Error><RequestId>test</RequestId></ErrorResponse>`,
      );
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { endpoint: baseUrl, close };
}

/* ------------------------------------------------------------------------------------------------
 * Once per vitest run, across workers
 * ---------------------------------------------------------------------------------------------- */

const memos = new Map<string, Promise<unknown>>();

/**
 * Where this run's plans go: the run's own directory (removed at the end), or, with
 * TERRAFORM_PLAN_CACHE_DIR set (CI runs the suite twice, on two Node versions), a directory named
 * after everything a plan depends on, so that the second run reuses the first one's plans.
 */
function runDir(): string {
  const shared = process.env.TERRAFORM_PLAN_CACHE_DIR;
  return shared === undefined || shared === '' ? inject('terraformRunDir') : join(shared, planInputsHash());
}

/** A hash of what the plans depend on: the module's files, package.json, the scenarios, this file, terraform's version. */
function planInputsHash(): string {
  const hash = createHash('sha256');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((d) => !d.name.startsWith('.terraform') && !d.name.endsWith('.tfstate'))
      .flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]))
      .sort();
  for (const file of [...files(MODULE_DIR), join(REPO_ROOT, 'package.json'), import.meta.filename])
    hash
      .update(`${relative(REPO_ROOT, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  hash
    .update(JSON.stringify(SCENARIOS))
    .update(JSON.stringify(REFUSED_SCENARIOS))
    .update(FAKE_PACKAGE)
    .update(TERRAFORM_VERSION ?? '');
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock of `key` (an atomic mkdir, with the owner's pid inside); false if another process holds it. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

/** Is the process holding the lock gone (a worker that ended before its computation did)? */
function ownerGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just taken: the pid is being written
  }
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Computes `key` once per vitest run: the first worker to take the lock computes and writes the
 * result; the others wait for it (and take over if that worker's process ends first). A failure is
 * shared too, so every test that needs it fails with the same message. Test files await every
 * computation they start (awaitPlans), so none is left behind when a worker moves on.
 */
function once<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const memo = memos.get(key);
  if (memo !== undefined) return memo as Promise<T>;
  const promise = (async () => {
    const dir = runDir();
    mkdirSync(dir, { recursive: true });
    const result = join(dir, `${key}.result.json`);
    const lock = join(dir, `${key}.lock`);
    const deadline = Date.now() + 300_000;
    while (!existsSync(result)) {
      if (takeLock(lock)) {
        let outcome: { value: T } | { error: string };
        try {
          outcome = { value: await compute() };
        } catch (error) {
          outcome = { error: error instanceof Error ? error.message : String(error) };
        }
        writeFileSync(`${result}.tmp.${process.pid}`, JSON.stringify(outcome));
        renameSync(`${result}.tmp.${process.pid}`, result);
        break;
      }
      if (ownerGone(lock)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${key} (another test worker computes it)`);
      await sleep(100);
    }
    const outcome = JSON.parse(readFileSync(result, 'utf8')) as { value: T } | { error: string };
    if ('error' in outcome) throw new Error(outcome.error);
    return outcome.value;
  })();
  memos.set(key, promise);
  return promise;
}

/* ------------------------------------------------------------------------------------------------
 * The work copies and their root modules
 * ---------------------------------------------------------------------------------------------- */

/** Copies what a Git checkout of the module holds (terraform/ and package.json), without local state. */
function copyRepository(to: string, withPackage: boolean): void {
  mkdirSync(to, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'package.json'), join(to, 'package.json'));
  cpSync(MODULE_DIR, join(to, 'terraform'), {
    recursive: true,
    filter: (src) => !/(^|[\\/])(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate[^\\/]*)$/.test(src),
  });
  if (withPackage) {
    mkdirSync(join(to, 'dist'), { recursive: true });
    writeFileSync(join(to, PACKAGE_FILE), FAKE_PACKAGE);
  }
}

/** Module blocks of the fixture root (test/terraform/scenarios.ts), written as Terraform JSON. */
function writeFixtureRoot(dir: string, scenarios: Record<string, Values>): void {
  mkdirSync(dir, { recursive: true });
  const config = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
    provider: { aws: { region: TEST_REGION } },
    module: Object.fromEntries(Object.entries(scenarios).map(([name, inputs]) => [name, { source: '../terraform', ...inputs }])),
  };
  writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(config, null, 2)}\n`);
}

interface Workspace {
  /** A checkout with the built package in dist/: the example and the fixture root. */
  withPackage: string;
  /** A fresh checkout without dist/: the example as a new user plans it before building. */
  withoutPackage: string;
  providerSelections: Record<string, string>;
}

const ROOTS = {
  example: (w: Workspace) => join(w.withPackage, 'terraform', 'examples', 'complete'),
  fixture: (w: Workspace) => join(w.withPackage, 'fixture'),
  refusals: (w: Workspace) => join(w.withPackage, 'refusals'),
  exampleWithoutPackage: (w: Workspace) => join(w.withoutPackage, 'terraform', 'examples', 'complete'),
};

function initArgs(): string[] {
  return ['init', '-backend=false', '-input=false', '-no-color', ...(PLUGIN_DIR === undefined ? [] : [`-plugin-dir=${PLUGIN_DIR}`])];
}

/** The copies, each root module initialised once (one after the other: the plugin cache is not safe for concurrent installs). */
function workspace(): Promise<Workspace> {
  return once('workspace', async () => {
    const base = join(runDir(), 'work');
    const w: Workspace = { withPackage: join(base, 'with-package'), withoutPackage: join(base, 'without-package'), providerSelections: {} };
    copyRepository(w.withPackage, true);
    copyRepository(w.withoutPackage, false);
    writeFixtureRoot(ROOTS.fixture(w), SCENARIOS);
    writeFixtureRoot(ROOTS.refusals(w), REFUSED_SCENARIOS);
    mkdirSync(PLUGIN_CACHE_DIR, { recursive: true });
    const env = terraformEnv('http://127.0.0.1:9');
    for (const root of Object.values(ROOTS)) await mustRun(initArgs(), root(w), env);
    const version = await mustRun(['version', '-json'], ROOTS.example(w), env);
    w.providerSelections = (JSON.parse(version.stdout) as { provider_selections: Record<string, string> }).provider_selections;
    return w;
  });
}

/** `terraform plan` of a root module with the stub running; the plan's JSON, or the failed run. */
async function plan(root: string): Promise<{ json: PlanJson } | { failed: TerraformResult }> {
  const stub = await startAwsStub();
  try {
    const env = terraformEnv(stub.endpoint);
    const out = join(root, 'test.tfplan');
    const planned = await runTerraform(['plan', '-input=false', '-lock=false', '-no-color', `-out=${out}`], root, env);
    if (planned.code !== 0) return { failed: planned };
    const shown = await mustRun(['show', '-json', '-no-color', out], root, env);
    return { json: JSON.parse(shown.stdout) as PlanJson };
  } finally {
    await stub.close();
  }
}

async function successfulPlan(key: string, root: string): Promise<PlanJson> {
  const r = await plan(root);
  if ('failed' in r) throw new Error(`terraform plan of ${key} failed:\n${r.failed.stderr}`);
  return r.json;
}

/** One error of a failed plan: the module block it is about (`''`: none) and its message. */
interface PlanError {
  module: string;
  message: string;
}

/**
 * The errors of `terraform plan -json` of a root module (none when it plans), each with the module
 * block it names (the diagnostic's snippet context, `module.NAME`) and its message without
 * Terraform's closing "This was checked by …" paragraph.
 */
async function planErrors(root: string): Promise<PlanError[]> {
  const stub = await startAwsStub();
  try {
    const planned = await runTerraform(['plan', '-json', '-input=false', '-lock=false', '-no-color'], root, terraformEnv(stub.endpoint));
    return planned.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as {
            type: string;
            diagnostic?: { severity: string; summary: string; detail: string; snippet?: { context?: string } };
          },
      )
      .flatMap(({ type, diagnostic }) =>
        type === 'diagnostic' && diagnostic?.severity === 'error'
          ? [
              {
                module: /^module\.([^.[]+)/.exec(diagnostic.snippet?.context ?? '')?.[1] ?? '',
                message: diagnostic.detail.replace(/\n\nThis was checked by [\s\S]*$/, '') || diagnostic.summary,
              },
            ]
          : [],
      );
  } finally {
    await stub.close();
  }
}

/* ------------------------------------------------------------------------------------------------
 * What the tests use
 * ---------------------------------------------------------------------------------------------- */

/** The plan of terraform/examples/complete, unchanged, in a checkout whose dist/ holds the package. */
export async function examplePlan(): Promise<Plan> {
  const w = await workspace();
  return new Plan(await once('plan-example', () => successfulPlan('terraform/examples/complete', ROOTS.example(w))));
}

/** The plan of the fixture root: one module block per scenario of test/terraform/scenarios.ts. */
export async function fixturePlan(): Promise<Plan> {
  const w = await workspace();
  return new Plan(await once('plan-fixture', () => successfulPlan('the fixture root', ROOTS.fixture(w))));
}

/** `terraform plan` of the example in a checkout that was never built (no dist/). */
export async function planWithoutPackage(): Promise<TerraformResult> {
  const w = await workspace();
  return once('plan-without-package', async () => {
    const r = await plan(ROOTS.exampleWithoutPackage(w));
    if ('json' in r) throw new Error('the plan of the example succeeded without a package');
    return r.failed;
  });
}

/**
 * The errors of `terraform plan` of the refusals root (test/terraform/refusals.ts: one module block
 * per configuration the function refuses), by module block, one message a line.
 */
export async function refusalErrors(): Promise<Record<string, string[]>> {
  const w = await workspace();
  return once('plan-refusals', async () => {
    const byModule: Record<string, string[]> = {};
    // Terraform checks an input against other inputs only once every input has passed its own
    // checks: the blocks not refused yet are planned again, until a round refuses none of them.
    let remaining = REFUSED_SCENARIOS;
    while (Object.keys(remaining).length > 0) {
      writeFixtureRoot(ROOTS.refusals(w), remaining);
      const errors = await planErrors(ROOTS.refusals(w));
      for (const { module, message } of errors) (byModule[module] ??= []).push(...message.split('\n'));
      const refused = new Set(errors.map((e) => e.module));
      const left = Object.fromEntries(Object.entries(remaining).filter(([name]) => !refused.has(name)));
      if (Object.keys(left).length === Object.keys(remaining).length) break;
      remaining = left;
    }
    return byModule;
  });
}

/**
 * Starts every plan of the run at once (they run in parallel) and waits for all of them, so that no
 * plan a worker started is left unfinished when it moves on; each test then reads the one it needs
 * (and fails with its error, if any).
 */
export async function awaitPlans(): Promise<void> {
  if (terraformMissing) return;
  await Promise.allSettled([examplePlan(), fixturePlan(), planWithoutPackage(), refusalErrors()]);
}

/** Provider versions the work copies were initialised with (registry address → version). */
export async function providerSelections(): Promise<Record<string, string>> {
  return (await workspace()).providerSelections;
}

/* ------------------------------------------------------------------------------------------------
 * Reading what Terraform planned
 * ---------------------------------------------------------------------------------------------- */

/** The function's environment variables as planned. */
export function lambdaEnvironment(m: PlannedModule): Record<string, string> {
  const environment = m.one('aws_lambda_function', 'this').environment as Array<{ variables: Record<string, string> }>;
  return environment[0]?.variables ?? {};
}

/** One statement of an IAM policy document, with its lists always lists. */
export interface Statement {
  sid: string | undefined;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principals: Record<string, string[]>;
  /** test → variable → values, e.g. { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } }. */
  conditions: Record<string, Record<string, string[]>>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

/** The statements of an IAM policy document (JSON text, as sent to AWS). */
export function policyStatements(json: unknown): Statement[] {
  if (typeof json !== 'string') throw new Error(`a policy known at plan time was expected, got ${JSON.stringify(json)}`);
  const doc = JSON.parse(json) as { Statement: Array<Record<string, unknown>> };
  return doc.Statement.map((s) => ({
    sid: s.Sid as string | undefined,
    effect: s.Effect as string,
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
    principals:
      s.Principal === undefined
        ? {}
        : s.Principal === '*'
          ? { '*': ['*'] }
          : Object.fromEntries(Object.entries(s.Principal as Record<string, unknown>).map(([k, v]) => [k, list(v)])),
    conditions: Object.fromEntries(
      Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).map(([test, vars]) => [
        test,
        Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, list(v)])),
      ]),
    ),
  }));
}
