/**
 * Credentials. The Lambda bundle takes them from the environment only (build.mjs puts
 * src/aws/lambdaCredentials.ts in place of the SDK's default chain; test/bundle/ checks the
 * bundle); the local run and the preflight run from source on the SDK's full default chain, so a
 * profile in AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE signs their requests. The AWS side is
 * an ECS-compatible server on 127.0.0.1 that records which access key id signed each request.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider, NO_ENVIRONMENT_CREDENTIALS } from '../../src/aws/lambdaCredentials.js';
import { runLocal } from '../../src/local/run.js';
import { runVerify } from '../../src/verify/cli.js';
import { captureOutput } from '../helpers/logs.js';
import { listenOnLoopback } from '../helpers/loopback.js';

const PROFILE_KEY_ID = 'AKIAPROFILEEXAMPLE01';

/** The ECS operations the server answers: the preflight's cluster lookup and a deployment. */
function answer(operation: string, input: Record<string, unknown>): unknown {
  if (operation === 'DescribeClusters')
    return { clusters: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/myproject_cluster_dev', reason: 'MISSING' }] };
  if (operation === 'UpdateService') {
    const arn = `arn:aws:ecs:us-east-1:123456789012:task-definition/${String(input.taskDefinition ?? input.service)}:7`;
    return {
      service: {
        serviceName: input.service,
        status: 'ACTIVE',
        taskDefinition: arn,
        deployments: [{ id: 'ecs-svc/1234', status: 'PRIMARY', taskDefinition: arn, rolloutState: 'IN_PROGRESS' }],
      },
    };
  }
  throw new Error(`the test server does not answer ${operation}`);
}

/** Starts the server; each request's operation and the access key id of its signature are recorded. */
async function startEcs() {
  const signed: Array<{ operation: string; accessKeyId: string | undefined }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      signed.push({ operation, accessKeyId: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify(answer(operation, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>)));
    });
  });
  const loopback = await listenOnLoopback(server);
  return { ...loopback, signed };
}

let dir: string;
let ecs: Awaited<ReturnType<typeof startEcs>>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deploybridge-credentials-'));
  ecs = await startEcs();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await ecs.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Where the profile's keys are: the credentials file, as `aws configure` writes them, or AWS_CONFIG_FILE alone. */
type ProfileFiles = 'config and credentials files' | 'config file only';

/** No credentials in the environment; a profile in the shared files. */
function useProfile(files: ProfileFiles): void {
  const keys = `aws_access_key_id = ${PROFILE_KEY_ID}\naws_secret_access_key = profileSecretAccessKeyExample0000000000\n`;
  if (files === 'config file only') {
    writeFileSync(join(dir, 'config'), `[profile deploybridge-test]\nregion = us-east-1\n${keys}`);
  } else {
    writeFileSync(join(dir, 'config'), '[profile deploybridge-test]\nregion = us-east-1\n');
    writeFileSync(join(dir, 'credentials'), `[deploybridge-test]\n${keys}`);
  }
  vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  vi.stubEnv('AWS_PROFILE', 'deploybridge-test');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL', ecs.baseUrl);
}

describe.each<ProfileFiles>(['config and credentials files', 'config file only'])(
  'the local run and the preflight: the SDK’s full default chain (profile in the %s)',
  (files) => {
    it('`npm run verify -- --live` signs with the profile of AWS_PROFILE in the shared files', async () => {
      useProfile(files);
      const env = {
        PROJECT_NAME: 'myproject',
        PROJECT_ENV: 'dev',
        SERVICE_CONFIG: '{}',
        ENABLE_SLACK_NOTIFICATIONS: 'false',
        AWS_ENDPOINT_URL: ecs.baseUrl,
      };
      const printed: string[] = [];
      const code = await runVerify(['--live'], env, (line) => printed.push(line));
      expect(printed.at(-1)).toBe('summary  myproject/dev: 3 ok, 0 problems, 0 warnings (exit 0)');
      expect(code).toBe(0);
      expect(ecs.signed).toEqual([{ operation: 'DescribeClusters', accessKeyId: PROFILE_KEY_ID }]);
    });

    it('`npm start -- <event> --live` deploys signed with the profile of AWS_PROFILE in the shared files', async () => {
      useProfile(files);
      const env = {
        PROJECT_NAME: 'myproject',
        PROJECT_ENV: 'dev',
        AWS_REGION: 'us-east-1',
        ENABLE_SLACK_NOTIFICATIONS: 'false',
        ENABLE_S3_MONITORING: 'false',
      };
      const output = captureOutput();
      const printed: string[] = [];
      try {
        const code = await runLocal(['events/manual-deploy.json', '--live'], env, (line) => printed.push(line));
        expect(code, printed.join('\n')).toBe(0);
      } finally {
        output.restore();
      }
      expect(ecs.signed).toEqual([{ operation: 'UpdateService', accessKeyId: PROFILE_KEY_ID }]);
    });
  },
);

describe('the Lambda bundle’s provider (src/aws/lambdaCredentials.ts): the environment only', () => {
  it('answers the credentials Lambda puts in the environment', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAENVIRONMENTEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'environmentSecretAccessKeyExample');
    vi.stubEnv('AWS_SESSION_TOKEN', 'environment-session-token');
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAENVIRONMENTEXAMPLE',
      secretAccessKey: 'environmentSecretAccessKeyExample',
      sessionToken: 'environment-session-token',
    });
  });

  it('without them, fails with an error that says where credentials come from, even when a profile would have answered', async () => {
    useProfile('config and credentials files');
    const failure = await defaultProvider()().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ name: 'CredentialsProviderError', message: NO_ENVIRONMENT_CREDENTIALS, tryNextLink: false });
    expect((failure as Error).cause).toMatchObject({ name: 'CredentialsProviderError' });
  });
});
