/**
 * Every route run by the Lambda bundle as build.mjs makes it (the SDK fitted to Lambda: environment
 * credentials, schemas and errors per command, no event-stream codec, no JMESPath), one event each
 * in a fresh `node` process as the bench runs them (bench/child.mjs), against the bench's stand-in
 * for AWS and Slack (bench/stub.mjs, on 127.0.0.1): what AWS received, by operation, and that Slack
 * was told. The tests of src/ run from source; these prove the cuts left every call deploybridge
 * sends in the bundle, working, and that each route loads few module files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleEnv } from '../../bench/routes.mjs';
import { type Stub, startStub } from '../../bench/stub.mjs';
import { buildBundle, LAMBDA_ENTRY_POINTS } from '../../build.mjs';

interface Route {
  event: string;
  /** Every AWS operation the route sends, how many times. */
  calls: Record<string, number>;
  /**
   * The most module files of the bundle the route may load. Each costs a cold start CPU besides its
   * bytes (build.mjs, "Fewer files per route"): the entry, the handler and the code it shares with
   * the click handler, then one chunk per SDK client, the SDK code the clients share, and for S3,
   * Lambda and SNS the REST and XML code they share. A build that splits them again fails here.
   */
  files: number;
  env?: Record<string, string>;
}

const ROUTES: Record<string, Route> = {
  'ECR push: the image described, the service redeployed': {
    event: 'events/ecr-push-api.json',
    calls: { DescribeTaskDefinition: 1, DescribeImages: 1, UpdateService: 1 },
    files: 6,
  },
  'SSM parameter change: who changed it, the service restarted': {
    event: 'events/ssm-parameter-update.json',
    calls: { DescribeParameters: 1, UpdateService: 1 },
    files: 7,
  },
  'S3 env file: read and compared with its previous version, three services restarted': {
    event: 'events/s3-env-file-created.json',
    calls: { GetObject: 2, ListObjectVersions: 1, UpdateService: 3 },
    files: 7,
  },
  'ECS deployment event: Slack only': { event: 'events/ecs-deployment-completed.json', calls: {}, files: 3 },
  'manual deploy': { event: 'events/manual-deploy.json', calls: { UpdateService: 1 }, files: 5 },
  'Lambda target: code updated, waited for, published, smoke-tested, alias moved': {
    event: 'events/lambda-s3-artifact-upload.json',
    calls: {
      GetFunction: 1,
      UpdateFunctionCode: 1,
      GetFunctionConfiguration: 1,
      PublishVersion: 1,
      Invoke: 1,
      GetAlias: 1,
      UpdateAlias: 1,
    },
    files: 6,
  },
  'the Slack webhook read from an SSM SecureString (Powertools Parameters), then the ECS event': {
    event: 'events/ecs-deployment-completed.json',
    calls: { GetParameter: 1 },
    files: 6,
    env: { SLACK_WEBHOOK_URL: '', SLACK_WEBHOOK_SSM_PARAMETER: '/dev/myproject/slack-webhook' },
  },
  'the deployments journal on DynamoDB: a manual deploy recorded': {
    event: 'events/manual-deploy.json',
    // The same calls as from source (npm start): the service's claim and the deployment's records.
    calls: { UpdateService: 1, GetItem: 3, PutItem: 4 },
    files: 7,
    env: { DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments' },
  },
};

/**
 * The Node built-ins a route may load. Importing one costs a cold start little, unless importing it
 * also loads its lazy parts (node:util loads parseArgs and MIMEType): a built-in only a rare path
 * needs is taken where it is used (`process.getBuiltinModule`), not imported, and a new one fails
 * here until it is weighed.
 */
const BUILTINS_LOADED = new Set([
  'node:console',
  'node:crypto',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:os',
  'node:path',
  'node:process',
  'node:stream',
  'node:stream/promises',
  'node:timers',
  'node:zlib',
]);

let dir: string;
let entry: string;
let stub: Stub;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deploybridge-routes-'));
  entry = join(dir, 'lambda', 'index.mjs');
  await buildBundle(join(dir, 'lambda'), { entryPoints: LAMBDA_ENTRY_POINTS, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  const event = JSON.parse(readFileSync('events/ecr-push-api.json', 'utf8')) as {
    account: string;
    region: string;
    detail: Record<string, string>;
  };
  stub = await startStub({
    image: `${event.account}.dkr.ecr.${event.region}.amazonaws.com/${event.detail['repository-name']}:${event.detail['image-tag']}`,
  });
}, 120_000);
afterAll(async () => {
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => stub.reset());

/** The bench's Lambda-like environment (bench/routes.mjs): fake credentials from the environment, the stub as AWS and Slack. */
function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return sampleEnv(stub, dir, extra);
}

/**
 * Runs bench/child.mjs on one event with the bundle, as Lambda runs it (no flags): its exit code,
 * its output, its result. In `inventory` mode the child also records the modules it loads.
 */
function run(
  event: string,
  env: NodeJS.ProcessEnv,
  mode: 'handle' | 'inventory' = 'handle',
): Promise<{ code: number | null; output: string; result: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/child.mjs', mode, entry, event], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let result = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      result += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, result }));
  });
}

interface Handled {
  results: Array<{ status: string; deployments?: string[] }>;
  /** The URL of every module the process loaded. */
  loaded: string[];
}

/** Runs one event with the bundle; resolves with what the handler returned (its summary) and the modules the process loaded. */
async function handle(event: string, env: NodeJS.ProcessEnv): Promise<Handled> {
  const { code, output, result } = await run(event, env, 'inventory');
  if (code !== 0) throw new Error(`bench/child.mjs exited ${code}:\n${output}`);
  // The child writes one byte when the handler returned, then the result.
  return JSON.parse(result.slice(1)) as Handled;
}

describe('each route, run by the Lambda bundle', () => {
  it.each(Object.entries(ROUTES))(
    '%s',
    async (_name, route) => {
      const { results, loaded } = await handle(route.event, lambdaEnv(route.env));
      expect(results).toHaveLength(1);
      expect(results[0]?.status).toBe('planned');
      for (const deployment of results[0]?.deployments ?? []) expect(['started', 'succeeded']).toContain(deployment);
      const sent: Record<string, number> = {};
      for (const call of stub.calls()) sent[call.target] = (sent[call.target] ?? 0) + 1;
      expect(sent).toEqual(route.calls);
      expect(stub.slackPosts()).toBeGreaterThanOrEqual(1);
      const bundle = pathToFileURL(join(dir, 'lambda')).href;
      const files = loaded.filter((url) => url.startsWith(`${bundle}/`)).map((url) => url.slice(bundle.length + 1));
      expect(files.length, files.join(' ')).toBeLessThanOrEqual(route.files);
      expect(loaded.filter((url) => url.startsWith('node:') && !BUILTINS_LOADED.has(url))).toEqual([]);
    },
    60_000,
  );
});

describe('a failed invocation, run by the Lambda bundle', () => {
  it('throws an error whose stack names deploybridge’s source file and line, not the bundle’s', async () => {
    // No PROJECT_NAME: the configuration is invalid and every invocation fails (src/entry/handler.ts).
    const { code, output } = await run('events/manual-deploy.json', lambdaEnv({ PROJECT_NAME: '' }));
    expect(code).not.toBe(0);
    expect(output).toContain('invalid configuration (1 problem): PROJECT_NAME is required');
    const source = readFileSync('src/config/config.ts', 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('throw new ConfigError(read.problems)')) + 1;
    expect(output).toMatch(new RegExp(`\\n\\s+at \\S+ \\(/.*/src/config/config\\.ts:${line}:1\\)\\n`));
    expect(stub.calls()).toEqual([]);
  }, 60_000);
});
