/** The scan of src/ that iam.test.ts and module.test.ts rely on, on a small synthetic code base. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';
import { awsCalls, envReads, lambdaSources, type SourceFile } from './source.js';

let dir: string;
let files: SourceFile[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploybridge-scan-'));
  mkdirSync(join(dir, 'aws'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write(
    'index.ts',
    [
      "import { load } from './config.js';",
      "import type { Settings } from './settings.js';",
      "export const handler = async (settings?: Settings) => (await import('./deploy.js')).deploy(load(), settings);",
    ].join('\n'),
  );
  write(
    'config.ts',
    [
      "export const DEFAULTS = { cluster: '{project}_cluster_{env}', other: 'x' } as const;",
      'export function load(env = process.env) {',
      '  const read = reader(env);',
      "  return { p: read.required('PROJECT_NAME'), c: read.pattern('CLUSTER_NAME_PATTERN', DEFAULTS.cluster), d: read.boolean('DRY_RUN', false),",
      "    l: read.oneOf('LOG_LEVEL', ['debug', 'info'], 'info'), t: read.positiveInteger('TIMEOUT_SECONDS', 600), j: read.json('SOME_CONFIG', schema(1, 2)), r: env.AWS_REGION };",
      '}',
      "// read.optional('COMMENTED_OUT') is not a read",
    ].join('\n'),
  );
  write(
    'deploy.ts',
    [
      "import { ECSClient, UpdateServiceCommand as Update } from './aws/ecs.js';",
      "import { LambdaClient, InvokeCommand, UpdateFunctionCodeCommand, waitUntilFunctionUpdatedV2, type GetAliasCommand } from '@aws-sdk/client-lambda';",
      "import { getParameter } from '@aws-lambda-powertools/parameters/ssm';",
      'export async function deploy() {',
      "  await new ECSClient({}).send(new Update({ service: 's' }));",
      "  const sdk = await import('./aws/ecs.js');",
      "  await new ECSClient({}).send(new sdk.DescribeServicesCommand({ services: ['s'] }));",
      '  const lambda = new LambdaClient({});',
      "  await lambda.send(new InvokeCommand({ FunctionName: 'f' }));",
      "  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', S3Bucket: 'b', S3Key: 'k' }));",
      "  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: 'f' });",
      "  await getParameter('/x', { decrypt: true });",
      '}',
    ].join('\n'),
  );
  write('aws/ecs.ts', "export { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';\n");
  // Imported for its types only: no code of it is in the bundle.
  write(
    'settings.ts',
    "import { ListClustersCommand } from '@aws-sdk/client-ecs';\nexport interface Settings { verbose: boolean }\nnew ListClustersCommand({});\n",
  );
  write(
    'unreachable.ts',
    "import { ListServicesCommand } from '@aws-sdk/client-ecs';\nnew ListServicesCommand({});\nprocess.env.UNREACHABLE_VAR;\n",
  );
  files = lambdaSources(join(dir, 'index.ts'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scan of the Lambda sources', () => {
  it('follows static and dynamic relative imports from the entry, not type-only ones, and nothing else', () => {
    expect(files.map((f) => relative(dir, join(REPO_ROOT, f.path))).sort()).toEqual(['aws/ecs.ts', 'config.ts', 'deploy.ts', 'index.ts']);
  });

  it('finds the environment variables read, with literal defaults', () => {
    const reads = envReads(files);
    expect([...reads.keys()].sort()).toEqual([
      'AWS_REGION',
      'CLUSTER_NAME_PATTERN',
      'DRY_RUN',
      'LOG_LEVEL',
      'PROJECT_NAME',
      'SOME_CONFIG',
      'TIMEOUT_SECONDS',
    ]);
    expect(reads.get('PROJECT_NAME')).toMatchObject({ required: true, literalDefault: undefined });
    expect(reads.get('CLUSTER_NAME_PATTERN')?.literalDefault).toBe('{project}_cluster_{env}');
    expect(reads.get('DRY_RUN')?.literalDefault).toBe('false');
    expect(reads.get('LOG_LEVEL')?.literalDefault).toBe('info');
    expect(reads.get('TIMEOUT_SECONDS')?.literalDefault).toBe('600');
    expect(reads.get('SOME_CONFIG')?.literalDefault).toBeUndefined();
  });

  it('derives the IAM actions: commands (also re-exported, renamed, or sent from a module object), waiters, libraries, implied S3 reads', () => {
    const calls = awsCalls(files);
    expect(calls.problems).toEqual([]);
    expect([...calls.actions.keys()].sort()).toEqual([
      'ecs:DescribeServices', // new sdk.DescribeServicesCommand
      'ecs:UpdateService',
      'lambda:GetFunction', // waitUntilFunctionUpdatedV2 polls GetFunction
      'lambda:InvokeFunction', // InvokeCommand
      'lambda:UpdateFunctionCode',
      's3:GetObject', // UpdateFunctionCode from S3Bucket/S3Key
      'ssm:GetParameter', // Powertools getParameter
    ]);
  });

  it('reports a command it cannot attribute to a client package', () => {
    const calls = awsCalls([{ path: 'x.ts', text: 'new MysteryCommand({});' }]);
    expect(calls.problems).toEqual([expect.stringMatching(/MysteryCommand/)]);
  });

  it('reports the aggregated client, whose calls cannot be derived', () => {
    const calls = awsCalls([{ path: 'x.ts', text: "import { ECS } from '@aws-sdk/client-ecs';\nawait new ECS({}).updateService({});" }]);
    expect(calls.problems).toEqual([expect.stringMatching(/aggregated client ECS/)]);
  });
});
