/**
 * Fault injection through a real HTTP endpoint: the SDK talks to a fake ECS on 127.0.0.1 that
 * throttles, fails, resets connections and answers slowly. Deployments must still complete within
 * the retry budget, or fail cleanly with one error notification; Slack faults change nothing.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/entry/createApp.js';
import { TransientDeploymentError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/observability.js';
import type { Notifier } from '../../src/slack/notifier.js';
import { createSlackNotifier } from '../../src/slack/notifier.js';
import { fakeMetrics, noLambdaClient, noCloudWatchClient, recordingNotifier, testConfig } from '../helpers/app.js';
import { startFakeEcs, type Fault } from '../helpers/fakeEcs.js';
import { adapt } from '../helpers/fixtures.js';
import { mockReads } from '../helpers/reads.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackServer } from '../helpers/slackServer.js';
import { virtualClock, type VirtualClock } from '../helpers/virtualClock.js';
import { recordFigure } from './figures.js';

type FakeEcs = Awaited<ReturnType<typeof startFakeEcs>>;

const parameterUpdate = (service = 'api') =>
  adapt('ssm/parameter-store-change-update-string.json', { name: `/dev/myproject/${service}/KEY` });
const throttle: Fault = { kind: 'error', status: 400, type: 'ThrottlingException' };
const serverError: Fault = { kind: 'error', status: 500, type: 'ServerException' };
const ok: Fault = { kind: 'ok' };

let faultsInjected = 0;
let deploymentsLost = 0;
let slackPostsPerMessage = 0;

/** An app whose ECS client is the real SDK client talking to the fake endpoint. */
function appOn(ecs: FakeEcs, env: Record<string, string> = {}, notifier: Notifier = recordingNotifier()) {
  const config = testConfig(env);
  const client = new ECSClient({
    endpoint: ecs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  const metrics = fakeMetrics();
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' });
  const app = createApp(config, {
    log,
    metrics,
    notifier,
    clients: { ...mockReads().clients, ecs: async () => client, lambda: noLambdaClient, cloudwatch: noCloudWatchClient },
    deployerOptions: { backoffBaseMs: 20 },
  });
  return { app, metrics, notifier };
}

/** Injects `faults` in order for UpdateService, then answers normally. */
function sequence(...faults: Fault[]) {
  return (request: { action: string }, index: number): Fault => {
    const fault = faults[index] ?? ok;
    if (fault.kind !== 'ok') faultsInjected++;
    return fault;
  };
}

describe('faults injected through a real HTTP endpoint', () => {
  let ecs: FakeEcs | undefined;
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await ecs?.close();
    ecs = undefined;
  });
  afterAll(() => {
    recordFigure('faults_injected', faultsInjected);
    recordFigure('deployments_lost_to_faults', deploymentsLost);
    recordFigure('slack_posts_per_message_at_most', slackPostsPerMessage);
  });

  it.each([
    ['a ThrottlingException burst', [throttle, throttle, throttle, throttle]],
    ['500s', [serverError, serverError, serverError]],
    ['connection resets', [{ kind: 'reset' }, { kind: 'reset' }] as Fault[]],
    ['slow answers', [{ kind: 'ok', delayMs: 400 }] as Fault[]],
    ['a mix of all of them', [throttle, { kind: 'reset' }, serverError, { kind: 'ok', delayMs: 200 }] as Fault[]],
  ])('%s: the deployment still starts, exactly once, with one notification', async (_what, faults) => {
    ecs = await startFakeEcs(sequence(...faults));
    const { app, notifier } = appOn(ecs);
    const result = await app.handle(parameterUpdate());
    if (result.status !== 'planned' || result.deployments[0]?.status !== 'started') deploymentsLost++;
    expect(result).toMatchObject({ status: 'planned', deployments: [{ service: 'api', status: 'started' }] });
    expect((notifier as ReturnType<typeof recordingNotifier>).sent.map((n) => n.severity)).toEqual(['info']);
    // One request per injected fault, then the one that succeeded; retries repeat the same UpdateService.
    const updateService = {
      action: 'UpdateService',
      input: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', forceNewDeployment: true },
    };
    expect(ecs.requests).toHaveLength(faults.filter((f) => f.kind !== 'ok').length + 1);
    expect(ecs.requests).toEqual(ecs.requests.map(() => updateService));
  });

  it('throttling that outlasts the retry budget fails cleanly: one error notification, the invocation fails for Lambda to retry', async () => {
    ecs = await startFakeEcs(() => {
      faultsInjected++;
      return throttle;
    });
    const { app, notifier, metrics } = appOn(ecs, { MAX_DEPLOYMENT_RETRIES: '1' });
    await expect(app.handle(parameterUpdate())).rejects.toBeInstanceOf(TransientDeploymentError);
    // 2 deployer attempts × 3 SDK attempts each.
    expect(ecs.requests).toHaveLength(6);
    expect((notifier as ReturnType<typeof recordingNotifier>).sent.map((n) => `${n.severity}: ${n.title}`)).toEqual([
      'error: Deployment failed: api',
    ]);
    expect(metrics.counts).toMatchObject({ DeploymentsFailed: 1, DeploymentsRetried: 1 });
    expect(output.logs().filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a permanent error is not retried at all', async () => {
    ecs = await startFakeEcs(() => {
      faultsInjected++;
      return { kind: 'error', status: 400, type: 'ServiceNotFoundException' };
    });
    const { app, notifier } = appOn(ecs);
    const result = await app.handle(parameterUpdate());
    expect(ecs.requests).toHaveLength(1);
    expect(result).toMatchObject({
      deployments: [{ status: 'failed', retryable: false, error: expect.stringContaining('ServiceNotFoundException') }],
    });
    expect((notifier as ReturnType<typeof recordingNotifier>).sent.map((n) => n.severity)).toEqual(['error']);
  });

  it.each([
    [
      '500',
      (_req: unknown, res: ServerResponse) => {
        res.statusCode = 500;
        res.end('boom');
      },
    ],
    [
      '429 with a long Retry-After',
      (_req: unknown, res: ServerResponse) => {
        res.statusCode = 429;
        res.setHeader('retry-after', '60');
        res.end('slow down');
      },
    ],
    // Never answers: each attempt runs out its (virtual) time.
    ['a hang', (_req: unknown, _res: ServerResponse, clock: VirtualClock) => clock.runOutAttempt()],
  ])('Slack answering %s never changes the deployment outcome', async (_what, respond) => {
    faultsInjected++;
    const clock = virtualClock();
    const slack = await startSlackServer((req, res) => respond(req, res, clock));
    ecs = await startFakeEcs(sequence());
    const metrics = fakeMetrics();
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' });
    const notifier = createSlackNotifier(
      async () => slack.url,
      { environment: 'dev', log, metrics },
      { budgetMs: 800, attemptTimeoutMs: 300, retryDelayMs: 20, clock },
    );
    const { app } = appOn(ecs, {}, notifier);
    try {
      const result = await app.handle(parameterUpdate());
      if (result.status !== 'planned' || result.deployments[0]?.status !== 'started') deploymentsLost++;
      expect(result).toMatchObject({ deployments: [{ status: 'started' }] });
      expect(ecs.requests).toHaveLength(1);
      // One message: never more than 3 attempts, whatever Slack answers.
      expect(slack.attempts()).toBeLessThanOrEqual(3);
      slackPostsPerMessage = Math.max(slackPostsPerMessage, slack.attempts());
    } finally {
      await slack.close();
    }
  });
});
