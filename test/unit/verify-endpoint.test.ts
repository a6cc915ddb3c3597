/**
 * `npm run verify -- --live` talks to whatever `AWS_ENDPOINT_URL` names, through the real SDK
 * clients (no mock): here an ECS-compatible server on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';
import { runVerify } from '../../src/verify/cli.js';
import { listenOnLoopback } from '../helpers/loopback.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await close?.();
});

it('sends its reads to AWS_ENDPOINT_URL', async () => {
  const received: Array<{ target: string | undefined; body: unknown }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        target: req.headers['x-amz-target'] as string | undefined,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          clusters: [],
          failures: [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/myproject_cluster_dev', reason: 'MISSING' }],
        }),
      );
    });
  });
  const loopback = await listenOnLoopback(server);
  close = loopback.close;
  vi.stubEnv('AWS_ENDPOINT_URL', loopback.baseUrl);
  const env = {
    PROJECT_NAME: 'myproject',
    PROJECT_ENV: 'dev',
    SERVICE_CONFIG: '{}',
    ENABLE_SLACK_NOTIFICATIONS: 'false',
    AWS_ENDPOINT_URL: loopback.baseUrl,
  };
  const printed: string[] = [];
  const code = await runVerify(['--live'], env, (line) => printed.push(line));
  expect(received).toEqual([
    { target: 'AmazonEC2ContainerServiceV20141113.DescribeClusters', body: { clusters: ['myproject_cluster_dev'] } },
  ]);
  expect(printed).toEqual([
    'deploybridge preflight for myproject/dev in us-east-1 (live, AWS_ENDPOINT_URL set)',
    'ok       the configuration is valid (0 services named: none)',
    'ok       cluster myproject_cluster_dev not found in us-east-1; no ECS service is configured, and Lambda targets do not need it',
    'ok       Slack notifications are off (ENABLE_SLACK_NOTIFICATIONS=false)',
    'summary  myproject/dev: 3 ok, 0 problems, 0 warnings (exit 0)',
  ]);
  expect(code).toBe(0);
});

it.each([
  ['an empty body', 'application/json', ''],
  ['an HTML page', 'text/html', '<html><body><h1>404 Not Found</h1></body></html>'],
])('a server that is not AWS (an HTTP proxy answering 404 with %s): the preflight could not ask AWS, exit 2', async (_what, type, body) => {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.statusCode = 404;
      res.setHeader('content-type', type);
      res.end(body);
    });
  });
  const loopback = await listenOnLoopback(server);
  close = loopback.close;
  vi.stubEnv('AWS_ENDPOINT_URL', loopback.baseUrl);
  const env = {
    PROJECT_NAME: 'myproject',
    PROJECT_ENV: 'dev',
    SERVICE_CONFIG: JSON.stringify({ api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }] }),
    ENABLE_SLACK_NOTIFICATIONS: 'false',
    AWS_ENDPOINT_URL: loopback.baseUrl,
  };
  const printed: string[] = [];
  const code = await runVerify(['--live'], env, (line) => printed.push(line));
  // The first answer settles it: nothing is reported about the account as if AWS had said it.
  expect(received).toHaveLength(1);
  expect(printed).toEqual([
    'the preflight could not run: what answered is not AWS (HTTP 404 without an AWS request id); check AWS_ENDPOINT_URL and any proxy between here and AWS',
  ]);
  expect(code).toBe(2);
});

it('`npm run verify -- --live` holds back the SDK’s Node-version warning: one line, the last (as the local run does)', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.setHeader('x-amzn-requestid', 'b5f1c7e0-0000-4000-8000-000000000001');
      res.end(JSON.stringify({ clusters: [], failures: [{ arn: 'myproject_cluster_dev', reason: 'MISSING' }] }));
    });
  });
  const loopback = await listenOnLoopback(server);
  close = loopback.close;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: loopback.baseUrl,
    PROJECT_NAME: 'myproject',
    PROJECT_ENV: 'dev',
    SERVICE_CONFIG: '{}',
    ENABLE_SLACK_NOTIFICATIONS: 'false',
  };
  const run = (...args: string[]) =>
    promisify(execFile)('node_modules/.bin/tsx', ['src/verify/cli.ts', ...args], { env, encoding: 'utf8' });
  const { stdout, stderr } = await run('--live');
  expect(stderr).toBe('');
  const lines = stdout.replace(/\n$/, '').split('\n');
  expect(lines[0]).toBe('deploybridge preflight for myproject/dev in us-east-1 (live, AWS_ENDPOINT_URL set)');
  expect(stdout).not.toContain('NodeVersionSupportWarning');
  const note = lines.findIndex((l) => l.includes('Node >= 22'));
  if (Number(process.versions.node.split('.')[0]) < 22) {
    expect(note).toBe(lines.length - 1);
    expect(lines[note]).toMatch(
      /^note: the AWS SDK says its releases after January 2027 need Node >= 22; this is Node v20\.\S+ \(the function runs on nodejs22\.x\)$/,
    );
  } else expect(note).toBe(-1);
  // --json: the document stays one JSON value; the note is a field of it.
  const json = await run('--live', '--json');
  expect(json.stderr).toBe('');
  expect((JSON.parse(json.stdout) as { note?: string }).note).toBe(note === -1 ? undefined : lines[note]);
});
