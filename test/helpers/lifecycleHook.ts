/**
 * What the lifecycle hook's tests share: ECS's documented invocation payloads naming the api service
 * of myproject (dev), and a harness with CloudWatch answered by aws-sdk-client-mock, smoke URLs
 * served on 127.0.0.1 (closed after each test), the output captured, and time on a virtual clock.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';
import { testApp } from './app.js';
import { awsSample } from './fixtures.js';
import { captureOutput } from './logs.js';
import { listenOnLoopback } from './loopback.js';
import { virtualClock } from './virtualClock.js';

export const SERVICE_ARN = 'arn:aws:ecs:us-west-2:123456789012:service/myproject_cluster_dev/myproject_service_api_dev';
export const DEPLOYMENT_ARN =
  'arn:aws:ecs:us-west-2:123456789012:service-deployment/myproject_cluster_dev/myproject_service_api_dev/EZe5RNVLH6PPzHXINuP28';
export const POST_TEST = 'lifecycle-hook-invocation-post-test-traffic-shift.json';
export const POST_PRODUCTION = 'lifecycle-hook-invocation-post-production-traffic-shift.json';
/** The time of the harness's clock: the samples' day. */
export const HOOK_TIME = Date.parse('2026-03-05T16:00:00Z');

/** A documented invocation payload, naming the api service of myproject (dev) instead of my-service. */
export function invocation(sample: string, changes: Record<string, unknown> = {}) {
  const payload = awsSample(`ecs/${sample}`) as unknown as { executionDetails: Record<string, unknown> } & Record<string, unknown>;
  return {
    ...payload,
    resourceArn: DEPLOYMENT_ARN,
    executionDetails: { ...payload.executionDetails, serviceArn: SERVICE_ARN },
    ...changes,
  };
}

/** What a smoke URL's server answers. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Registers the harness's set-up and tear-down in the enclosing `describe`.
 *
 * @example
 * const hook = useHookHarness();
 * const { app } = hook.app({ api: { alarms: ['api-5xx'] } });
 * hook.cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
 * expect(hook.output().logs()).toEqual([]);
 */
export function useHookHarness() {
  const cloudwatchMock = mockClient(CloudWatchClient);
  const cloudwatch = new CloudWatchClient({ region: 'us-west-2', maxAttempts: 1 });
  let output: ReturnType<typeof captureOutput> | undefined;
  let servers: Array<() => Promise<void>> = [];
  beforeEach(() => {
    cloudwatchMock.reset();
    servers = [];
    output = captureOutput();
  });
  afterEach(async () => {
    output?.restore();
    for (const close of servers) await close();
  });
  return {
    cloudwatchMock,
    /** The CloudWatch client the mock answers, for an app a test builds itself. */
    cloudwatch,
    /** The test's captured output (log lines, metrics, text). */
    output: () => output as ReturnType<typeof captureOutput>,
    /** Serves `handler` on 127.0.0.1 until the test ends; resolves with its base URL. */
    serve: async (handler: Handler): Promise<string> => {
      const { baseUrl, close } = await listenOnLoopback(createServer(handler));
      servers.push(close);
      return baseUrl;
    },
    /** An app with `rollout` as ROLLOUT_CONFIG (unset when empty), the mocked CloudWatch and a virtual clock. */
    app: (rollout: Record<string, unknown>, clock = virtualClock(HOOK_TIME), env: Record<string, string> = {}) => {
      const rolloutEnv: Record<string, string> = Object.keys(rollout).length === 0 ? {} : { ROLLOUT_CONFIG: JSON.stringify(rollout) };
      const built = testApp({ ...rolloutEnv, ...env }, { clients: { cloudwatch: async () => cloudwatch }, clock });
      return { ...built, clock };
    },
  };
}
