/**
 * The Lambda handler itself answers ECS's lifecycle hook invocation, also when the configuration
 * is invalid: ECS gets `FAILED`, never an exception (an exception would roll back without a reason).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../helpers/app.js';
import { awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { listenOnLoopback } from '../helpers/loopback.js';

describe('the handler, invoked as a lifecycle hook', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    vi.resetModules();
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.unstubAllEnvs();
  });

  it('with an invalid configuration answers FAILED with the problems logged and ConfigInvalid counted', async () => {
    vi.stubEnv('PROJECT_NAME', '');
    vi.stubEnv('PROJECT_ENV', 'dev');
    vi.stubEnv('SERVICE_CONFIG', '{}');
    const { handler } = await import('../../src/entry/handler.js');
    const answer = await handler(awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json'), lambdaContext());
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    const [line] = output.logs();
    expect(line).toMatchObject({ level: 'error', fields: { problems: ['PROJECT_NAME is required'] } });
    expect(line?.message).toMatch(/^lifecycle hook failed: .*PROJECT_NAME is required/);
    expect(
      output
        .metrics()
        .flatMap(
          (m) =>
            (m._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]?.Metrics.map(
              (x) => x.Name,
            ) ?? [],
        ),
    ).toEqual(['ConfigInvalid']);
  });

  it('with a valid configuration answers through the App (an unknown service: FAILED)', async () => {
    vi.stubEnv('PROJECT_NAME', 'myproject');
    vi.stubEnv('PROJECT_ENV', 'dev');
    vi.stubEnv('SERVICE_CONFIG', '{}');
    const { handler } = await import('../../src/entry/handler.js');
    const answer = await handler(awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json'), lambdaContext());
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(output.logs().map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('a canary failing its smoke check, through the Lambda handler: FAILED, HookInvocations and HookChecksFailed{check=smoke} emitted', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' }] });
    const { baseUrl, close } = await listenOnLoopback(createServer((_req, res) => res.writeHead(503).end('no healthy upstream')));
    try {
      vi.stubEnv('PROJECT_NAME', 'myproject');
      vi.stubEnv('PROJECT_ENV', 'dev');
      vi.stubEnv('SERVICE_CONFIG', '{}');
      vi.stubEnv(
        'ROLLOUT_CONFIG',
        JSON.stringify({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${baseUrl}/health` }], alarms: ['api-5xx'] } }),
      );
      const { handler } = await import('../../src/entry/handler.js');
      const sample = awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json') as unknown as { executionDetails: object };
      const payload = {
        ...sample,
        executionDetails: {
          ...sample.executionDetails,
          serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/myproject_cluster_dev/myproject_service_api_dev',
        },
      };
      await expect(handler(payload, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input.AlarmNames)).toEqual([['api-5xx']]);
      expect(output.logs()[0]?.message).toMatch(
        new RegExp(
          `^lifecycle hook failed: smoke ${baseUrl}/health: status 503, expected 200 \\(body: "no healthy upstream"\\) after \\d+ ms$`,
        ),
      );
      const emitted = output.metrics().map((m) => {
        const [directive] = (m._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> })
          .CloudWatchMetrics;
        const names = [
          ...(directive?.Metrics ?? []).map((metric) => metric.Name),
          ...(directive?.Dimensions.flat() ?? []).filter((d) => d !== 'environment' && d !== 'service'),
        ];
        return Object.fromEntries(names.map((name): [string, unknown] => [name, m[name]]));
      });
      expect(emitted).toEqual([
        { HookChecksFailed: 1, check: 'smoke' },
        { HookInvocations: 1, trigger: 'hook' },
      ]);
    } finally {
      await close();
      cloudwatch.restore();
    }
  });
});
