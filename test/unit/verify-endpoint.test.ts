/**
 * `npm run verify -- --live` talks to whatever `AWS_ENDPOINT_URL` names, through the real SDK
 * clients (no mock): here an ECS-compatible server on 127.0.0.1.
 */
import { createServer } from 'node:http';
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
