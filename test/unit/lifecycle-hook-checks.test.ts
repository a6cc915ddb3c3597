/**
 * The lifecycle hook's checks as an on-call engineer meets them: for each kind of failure, the
 * answer ECS reads, the message Slack gets (the URL, what came back, how long it took; the alarm,
 * its reason, since when) and the metrics (`HookInvocations` per call, `HookChecksFailed` by check
 * kind). ECS's own payloads in; CloudWatch answered by aws-sdk-client-mock; smoke URLs served on
 * 127.0.0.1; time on a virtual clock (nothing waits).
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { DEPLOYMENT_ARN, type Handler, invocation, POST_PRODUCTION, POST_TEST, useHookHarness } from '../helpers/lifecycleHook.js';

const REVISION_ARN = 'arn:aws:ecs:us-west-2:123456789012:service-revision/my-cluster/my-service/9313423515462893900';
const ROLLS_BACK = 'the hook answered FAILED: ECS rolls the deployment back to the revision that served before';

/** ECS's invocation at `stage`, naming the api service of myproject (dev). */
function invocationAt(stage: 'POST_TEST_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT', hookDetails?: Record<string, unknown>) {
  return invocation(stage === 'POST_TEST_TRAFFIC_SHIFT' ? POST_TEST : POST_PRODUCTION, hookDetails === undefined ? {} : { hookDetails });
}

/** The message of a hook that failed at POST_TEST_TRAFFIC_SHIFT with this check. */
function failedMessage(problem: string) {
  return {
    severity: 'error',
    title: 'Rollout check failed: api at POST_TEST_TRAFFIC_SHIFT',
    service: 'myproject_service_api_dev',
    facts: [
      ['Stage', 'POST_TEST_TRAFFIC_SHIFT'],
      ['Check failed', problem],
      ['Revision under test', REVISION_ARN],
      ['Service deployment', DEPLOYMENT_ARN],
      ['Action', ROLLS_BACK],
    ],
    event: { type: 'deployment.check_failed' },
  };
}

describe('lifecycle hook checks: answer, message and metrics', () => {
  const hook = useHookHarness();
  const { cloudwatchMock, serve } = hook;
  const hookApp = (rollout: Record<string, unknown>) => hook.app(rollout);

  const smoke = (url: string) => ({
    api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url, expect_status: 200, expect_body: 'ok', timeout_seconds: 5 }] },
  });

  it('pass: smoke URL and alarms at the stage answer SUCCEEDED; HookInvocations 1, nothing failed, no message', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' }] });
    const base = await serve((_req, res) => res.end('ok'));
    const { app, metrics, notifier } = hookApp({ api: { ...smoke(`${base}/health`).api, alarms: ['api-5xx'] } });
    await expect(app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(metrics.counts).toEqual({ HookInvocations: 1 });
    expect(metrics.ofHookChecks).toEqual([]);
    expect(notifier.sent).toEqual([]);
    expect(
      hook
        .output()
        .logs()
        .map((l) => l.message),
    ).toEqual(['lifecycle hook answered SUCCEEDED: 1 alarm OK (api-5xx); 1 smoke URL OK']);
  });

  it.each([
    {
      kind: 'another status',
      respond: ((_req, res) => res.writeHead(502).end('bad gateway')) as Handler,
      problem: (url: string) => `smoke ${url}: status 502, expected 200 (body: "bad gateway") after 0 ms`,
    },
    {
      kind: 'the expected text missing from the body',
      respond: ((_req, res) => res.end('{"status":"degraded"}')) as Handler,
      problem: (url: string) => `smoke ${url}: the body does not contain "ok" (body: "{\\"status\\":\\"degraded\\"}") after 0 ms`,
    },
  ])(
    '$kind: FAILED, the message names the URL, what came back and how long it took; HookChecksFailed{check=smoke}',
    async ({ respond, problem }) => {
      const base = await serve(respond);
      const { app, metrics, notifier } = hookApp(smoke(`${base}/health`));
      await expect(app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(notifier.sent).toEqual([failedMessage(problem(`${base}/health`))]);
      expect(metrics.counts).toEqual({ HookInvocations: 1, HookChecksFailed: 1 });
      expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'smoke', value: 1 }]);
    },
  );

  it("a timeout: FAILED after the URL's timeout on the injected clock (no real waiting), with the time it took; HookChecksFailed{check=smoke}", async () => {
    const asked = deferred();
    const base = await serve(() => asked.resolve());
    const { app, metrics, notifier, clock } = hookApp(smoke(`${base}/health`));
    const answer = app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext());
    await asked.promise;
    clock.runOutAttempt();
    await expect(answer).resolves.toEqual({ hookStatus: 'FAILED' });
    // The invocation's deadline (1.5 s before its 600 s end), then the URL's own timeout, the shorter.
    expect(clock.timeouts).toEqual([598_500, 5000]);
    expect(clock.elapsed()).toBe(5000);
    expect(notifier.sent).toEqual([failedMessage(`smoke ${base}/health: no answer within 5 s after 5000 ms`)]);
    expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'smoke', value: 1 }]);
  });

  it('connection refused: FAILED, saying so; HookChecksFailed{check=smoke}', async () => {
    const { baseUrl, close } = await listenOnLoopback(createServer());
    await close();
    const { app, metrics, notifier } = hookApp(smoke(`${baseUrl}/health`));
    await expect(app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(notifier.sent).toHaveLength(1);
    // Refused, or reset when another test's server took the port meanwhile.
    expect(notifier.sent[0]?.facts[1]).toEqual([
      'Check failed',
      expect.stringMatching(new RegExp(`^smoke ${baseUrl}/health: could not connect \\(ECONN(REFUSED|RESET)\\) after 0 ms$`)),
    ]);
    expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'smoke', value: 1 }]);
  });

  it('an alarm in ALARM: FAILED naming it, its reason and since when; HookChecksFailed{check=alarms}', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'api-5xx',
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
          StateTransitionedTimestamp: new Date('2026-03-05T15:58:00Z'),
        },
      ],
    });
    const { app, metrics, notifier } = hookApp({ api: { alarms: ['api-5xx'] } });
    await expect(app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(notifier.sent).toEqual([
      failedMessage(
        'alarm api-5xx is in ALARM since 2026-03-05T15:58:00.000Z: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
      ),
    ]);
    expect(metrics.counts).toEqual({ HookInvocations: 1, HookChecksFailed: 1 });
    expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'alarms', value: 1 }]);
  });

  it('a named alarm that does not exist: FAILED, saying so (the gate cannot check it); HookChecksFailed{check=alarms}', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' }] });
    const { app, metrics, notifier } = hookApp({ api: { alarms: ['api-5xx', 'api-p99-latnecy'] } });
    await expect(app.handleHook(invocationAt('POST_TEST_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(notifier.sent).toEqual([failedMessage('alarm api-p99-latnecy does not exist')]);
    expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'alarms', value: 1 }]);
  });

  it('the bake: IN_PROGRESS while it lasts (hookDetails carried from call to call), then SUCCEEDED; every call counted, nothing failed', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' }] });
    const { app, metrics, notifier, clock } = hookApp({
      api: { alarms: ['api-5xx'], bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 2 } },
    });
    const first = await app.handleHook(invocationAt('POST_PRODUCTION_TRAFFIC_SHIFT'), lambdaContext());
    expect(first).toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 60,
      hookDetails: { deploybridgeBakeStartedAt: '2026-03-05T16:00:00.000Z' },
    });
    await clock.sleep(60_000);
    const second = await app.handleHook(invocationAt('POST_PRODUCTION_TRAFFIC_SHIFT', first.hookDetails), lambdaContext());
    expect(second).toEqual(first);
    await clock.sleep(60_000);
    await expect(app.handleHook(invocationAt('POST_PRODUCTION_TRAFFIC_SHIFT', second.hookDetails), lambdaContext())).resolves.toEqual({
      hookStatus: 'SUCCEEDED',
    });
    // Without the carried start, the bake would begin again: the third call proves it was read.
    expect(metrics.counts).toEqual({ HookInvocations: 3 });
    expect(metrics.ofHookChecks).toEqual([]);
    expect(notifier.sent).toEqual([]);
    expect(cloudwatchMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  });

  it('a service this install does not know: FAILED, the message says why; counted as rejected, no check kind', async () => {
    const { app, metrics, notifier } = hookApp({ api: { alarms: ['api-5xx'] } });
    const other = invocationAt('POST_TEST_TRAFFIC_SHIFT');
    other.executionDetails = {
      ...other.executionDetails,
      serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/myproject_cluster_dev/payments',
    };
    await expect(app.handleHook(other, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(notifier.sent[0]?.facts[1]).toEqual([
      'Check failed',
      'service "arn:aws:ecs:us-west-2:123456789012:service/myproject_cluster_dev/payments" is not a service of this project and env (cluster myproject_cluster_dev); a gate that cannot check does not let traffic through',
    ]);
    expect(metrics.counts).toEqual({ HookInvocations: 1, EventsRejected: 1 });
    expect(cloudwatchMock.calls()).toHaveLength(0);
  });

  it('a stage with nothing configured for it answers SUCCEEDED at once: the smoke URL of another stage is not requested', async () => {
    const requested: string[] = [];
    const base = await serve((req, res) => {
      requested.push(req.url ?? '');
      res.end('ok');
    });
    const { app, metrics, clock } = hookApp(smoke(`${base}/health`));
    await expect(app.handleHook(invocationAt('POST_PRODUCTION_TRAFFIC_SHIFT'), lambdaContext())).resolves.toEqual({
      hookStatus: 'SUCCEEDED',
    });
    expect(requested).toEqual([]);
    expect(clock.elapsed()).toBe(0);
    expect(metrics.counts).toEqual({ HookInvocations: 1 });
  });
});
