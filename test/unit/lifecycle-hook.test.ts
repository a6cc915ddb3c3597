/**
 * deploybridge as an ECS service deployment's lifecycle hook: ECS's own invocation payloads (the
 * documentation's samples) in, the answer ECS reads out, CloudWatch answered by aws-sdk-client-mock,
 * smoke URLs served on 127.0.0.1, time on a virtual clock.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BASE_ENV, configProblems, lambdaContext, sentCommands, testApp, testConfig } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { awsSample } from '../helpers/fixtures.js';
import { DEPLOYMENT_ARN, invocation, POST_PRODUCTION, POST_TEST, useHookHarness } from '../helpers/lifecycleHook.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { virtualClock } from '../helpers/virtualClock.js';

function alarm(
  name: string,
  state: 'OK' | 'ALARM',
  reason = 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
) {
  return { AlarmName: name, StateValue: state, StateReason: reason, StateTransitionedTimestamp: new Date('2026-03-05T15:50:00Z') };
}

describe('lifecycle hook', () => {
  const hook = useHookHarness();
  const { cloudwatchMock, serve, app: hookApp } = hook;

  it('a stage with nothing configured answers SUCCEEDED at once, with no AWS call', async () => {
    const { app, metrics, notifier } = hookApp({});
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(notifier.sent).toEqual([]);
    expect(cloudwatchMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ HookInvocations: 1 });
    expect(metrics.triggers).toEqual(['hook']);
    expect(
      hook
        .output()
        .logs()
        .map((l) => [l.level, l.message]),
    ).toEqual([['info', 'lifecycle hook answered SUCCEEDED: nothing to check at POST_TEST_TRAFFIC_SHIFT']]);
  });

  it('answers every documented stage payload (SUCCEEDED when nothing is configured for it)', async () => {
    const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: 'http://127.0.0.1:9/never' }] } });
    for (const sample of [
      'lifecycle-hook-invocation-pre-scale-up.json',
      'lifecycle-hook-invocation-post-scale-up.json',
      'lifecycle-hook-invocation-test-traffic-shift.json',
      'lifecycle-hook-invocation-pre-production-traffic-shift.json',
      'lifecycle-hook-invocation-production-traffic-shift.json',
      'lifecycle-hook-invocation-production-traffic-shift-rollback.json',
      POST_PRODUCTION,
    ]) {
      await expect(app.handleHook(invocation(sample), lambdaContext()), sample).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    }
  });

  it('a service this install does not know (the documentation sample as sent: my-cluster/my-service) answers FAILED and says why', async () => {
    const { app, metrics, notifier } = hookApp({});
    const answer = await app.handleHook(awsSample('ecs/lifecycle-hook-invocation-post-test-traffic-shift.json'), lambdaContext());
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(metrics.counts).toEqual({ HookInvocations: 1, EventsRejected: 1 });
    const logs = hook.output().logs();
    expect(logs.map((l) => l.message)).toEqual([
      expect.stringMatching(/^lifecycle hook failed: /),
      'notification: Rollout check failed: unknown service at POST_TEST_TRAFFIC_SHIFT',
    ]);
    // Reported, since ECS rolls back on it.
    expect(notifier.sent).toEqual([
      {
        severity: 'error',
        title: 'Rollout check failed: unknown service at POST_TEST_TRAFFIC_SHIFT',
        service: 'arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service',
        facts: [
          ['Stage', 'POST_TEST_TRAFFIC_SHIFT'],
          [
            'Check failed',
            'service "arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service" is not a service of this project and env (cluster myproject_cluster_dev); a gate that cannot check does not let traffic through',
          ],
          ['Service deployment', 'arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28'],
          ['Action', 'the hook answered FAILED: ECS rolls the deployment back to the revision that served before'],
        ],
        event: { type: 'deployment.check_failed' },
      },
    ]);
    expect(logs[0]).toMatchObject({
      level: 'warn',
      message:
        'lifecycle hook failed: service "arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service" is not a service of this project and env (cluster myproject_cluster_dev); a gate that cannot check does not let traffic through',
      fields: { hook_status: 'FAILED', lifecycle_stage: 'POST_TEST_TRAFFIC_SHIFT' },
    });
  });

  it('a service of another cluster answers FAILED', async () => {
    const { app } = hookApp({});
    const other = invocation(POST_TEST);
    other.executionDetails = {
      ...other.executionDetails,
      serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/other_cluster/myproject_service_api_dev',
    };
    await expect(app.handleHook(other, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
  });

  it('a malformed invocation answers FAILED naming the field, and never throws', async () => {
    const { app, metrics } = hookApp({});
    const malformed = { executionId: 'e1', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', resourceArn: DEPLOYMENT_ARN };
    await expect(app.handleHook(malformed, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(metrics.counts.EventsRejected).toBe(1);
    expect(hook.output().logs()[0]?.message).toBe(
      'lifecycle hook failed: malformed lifecycle hook invocation: field "executionDetails" is missing',
    );
  });

  it('a bug answers FAILED with the error logged, not an exception', async () => {
    // A client that is not one: the alarms check meets a TypeError (a bug, not an AWS error).
    const broken = testApp(
      { ROLLOUT_CONFIG: JSON.stringify({ api: { alarms: ['api-5xx'] } }) },
      { clients: { cloudwatch: async () => ({}) as CloudWatchClient }, clock: virtualClock() },
    );
    await expect(broken.app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(hook.output().logs()[0]?.message).toBe(
      'lifecycle hook failed: alarms could not be read: TypeError: client.send is not a function',
    );
  });

  it('an error outside the checks answers FAILED too (the configuration read at the call throws)', async () => {
    const { app, config } = hookApp({});
    Object.defineProperty(config, 'rollout', {
      get() {
        throw new Error('boom');
      },
    });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(
      hook
        .output()
        .logs()
        .map((l) => [l.level, l.message, l.fields.error]),
    ).toEqual([
      ['error', 'lifecycle hook failed on an unexpected error', 'boom'],
      ['info', 'notification: Rollout check failed: unknown service at POST_TEST_TRAFFIC_SHIFT', undefined],
    ]);
  });

  describe('alarms', () => {
    const rollout = { api: { alarms: ['api-5xx', 'api-p99-latency'] } };

    it('are read at every invocation; all OK answers SUCCEEDED', async () => {
      cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'OK'), alarm('api-p99-latency', 'OK')] });
      const { app } = hookApp(rollout);
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      await expect(app.handleHook(invocation(POST_PRODUCTION), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      const call = {
        command: 'DescribeAlarmsCommand',
        input: { AlarmNames: ['api-5xx', 'api-p99-latency'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 },
      };
      expect(sentCommands(cloudwatchMock)).toEqual([call, call]);
    });

    it('one in ALARM answers FAILED, naming the alarm, its reason and since when', async () => {
      cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'ALARM'), alarm('api-p99-latency', 'OK')] });
      const { app, metrics, notifier } = hookApp(rollout);
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'alarms', value: 1 }]);
      expect(notifier.sent).toEqual([
        {
          severity: 'error',
          title: 'Rollout check failed: api at POST_TEST_TRAFFIC_SHIFT',
          service: 'myproject_service_api_dev',
          facts: [
            ['Stage', 'POST_TEST_TRAFFIC_SHIFT'],
            [
              'Check failed',
              'alarm api-5xx is in ALARM since 2026-03-05T15:50:00.000Z: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
            ],
            ['Revision under test', 'arn:aws:ecs:us-west-2:123456789012:service-revision/my-cluster/my-service/9313423515462893900'],
            ['Service deployment', DEPLOYMENT_ARN],
            ['Action', 'the hook answered FAILED: ECS rolls the deployment back to the revision that served before'],
          ],
          event: { type: 'deployment.check_failed' },
        },
      ]);
      expect(hook.output().logs()[0]).toMatchObject({
        level: 'warn',
        message:
          'lifecycle hook failed: alarm api-5xx is in ALARM since 2026-03-05T15:50:00.000Z: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
        fields: { service: 'api', service_deployment_arn: DEPLOYMENT_ARN },
      });
    });

    it('a composite alarm in ALARM counts too; a name that matches no alarm answers FAILED', async () => {
      cloudwatchMock.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [alarm('api-5xx', 'ALARM', 'children in ALARM')] });
      const { app } = hookApp(rollout);
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.output().logs()[0]?.message).toBe(
        'lifecycle hook failed: alarm api-5xx is in ALARM since 2026-03-05T15:50:00.000Z: children in ALARM; alarm api-p99-latency does not exist',
      );
    });

    it('access denied answers FAILED (the gate cannot check); throttling outliving the retries answers IN_PROGRESS', async () => {
      cloudwatchMock
        .on(DescribeAlarmsCommand)
        .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $fault: 'client' }));
      await expect(hookApp(rollout).app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      cloudwatchMock.reset();
      cloudwatchMock.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }));
      await expect(hookApp(rollout).app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({
        hookStatus: 'IN_PROGRESS',
        callBackDelay: 30,
      });
    });

    it('not read before the invocation ends: IN_PROGRESS with a callBackDelay, answered in time', async () => {
      const called = deferred();
      cloudwatchMock.on(DescribeAlarmsCommand).callsFake(() => {
        called.resolve();
        return new Promise(() => undefined);
      });
      const { app, clock } = hookApp(rollout);
      const answer = app.handleHook(invocation(POST_TEST), lambdaContext({ remainingMs: 3000 }));
      await called.promise;
      clock.runOutAttempt();
      await expect(answer).resolves.toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
      // The answer leaves the margin to reach ECS: the deadline is 1.5 s before the invocation ends.
      expect(clock.timeouts).toEqual([1500]);
      expect(clock.elapsed()).toBe(1500);
    });
  });

  describe('smoke', () => {
    function smokeRollout(url: string, more: Record<string, unknown> = {}) {
      return {
        api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url, expect_status: 200, expect_body: 'ok', timeout_seconds: 5, ...more }] },
      };
    }

    it('passes with the expected status and text; runs at its stage only', async () => {
      const paths: string[] = [];
      const base = await serve((req, res) => {
        paths.push(`${req.method} ${req.url}`);
        res.end('status: ok');
      });
      const { app, metrics } = hookApp(smokeRollout(`${base}/health`));
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      await expect(app.handleHook(invocation(POST_PRODUCTION), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      expect(paths).toEqual(['GET /health']);
      expect(metrics.ofHookChecks).toEqual([]);
    });

    it('another status answers FAILED with the URL, the status, the first bytes of the body (masked) and the time', async () => {
      const base = await serve((_req, res) => {
        res.statusCode = 503;
        res.end(`upstream down: postgres://admin:hunter2@db.internal/app ${'x'.repeat(500)}`);
      });
      const { app, metrics } = hookApp(smokeRollout(`${base}/health`));
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(metrics.ofHookChecks).toEqual([{ name: 'HookChecksFailed', check: 'smoke', value: 1 }]);
      const message = hook.output().logs()[0]?.message ?? '';
      expect(message).toMatch(
        new RegExp(
          `^lifecycle hook failed: smoke ${base}/health: status 503, expected 200 \\(body: "upstream down: postgres://\\[redacted\\]@db.internal/app x+…"\\) after 0 ms$`,
        ),
      );
      expect(hook.output().text()).not.toContain('hunter2');
    });

    it('a body without the expected text answers FAILED', async () => {
      const base = await serve((_req, res) => res.end('degraded'));
      const { app } = hookApp(smokeRollout(`${base}/health`));
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.output().logs()[0]?.message).toBe(
        `lifecycle hook failed: smoke ${base}/health: the body does not contain "ok" (body: "degraded") after 0 ms`,
      );
    });

    it('a URL that does not answer answers FAILED when its timeout runs out', async () => {
      const asked = deferred();
      const base = await serve(() => asked.resolve());
      const { app, clock } = hookApp(smokeRollout(`${base}/health`));
      const answer = app.handleHook(invocation(POST_TEST), lambdaContext());
      await asked.promise;
      clock.runOutAttempt();
      await expect(answer).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.output().logs()[0]?.message).toBe(`lifecycle hook failed: smoke ${base}/health: no answer within 5 s after 5000 ms`);
    });

    it('an unreachable URL answers FAILED within the invocation: its timeout never outlasts the time left', async () => {
      const asked = deferred();
      const base = await serve(() => asked.resolve());
      const { app, clock } = hookApp(smokeRollout(`${base}/health`, { timeout_seconds: 30 }));
      const answer = app.handleHook(invocation(POST_TEST), lambdaContext({ remainingMs: 4000 }));
      await asked.promise;
      // The invocation's deadline and the smoke URL's timeout: both 1.5 s before the invocation ends.
      expect(clock.timeouts).toEqual([2500, 2500]);
      clock.runOutAttempt();
      await expect(answer).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.output().logs()[0]?.message).toBe(`lifecycle hook failed: smoke ${base}/health: no answer within 2.5 s after 2500 ms`);
    });

    it('a connection error answers FAILED', async () => {
      const { baseUrl, close } = await listenOnLoopback(createServer());
      await close();
      const { app } = hookApp(smokeRollout(`${baseUrl}/health`));
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      // Refused, or reset when another test's server took the port meanwhile.
      expect(hook.output().logs()[0]?.message).toMatch(
        /^lifecycle hook failed: smoke http:\/\/127\.0\.0\.1:\d+\/health: could not connect \(ECONN(REFUSED|RESET)\) after 0 ms$/,
      );
    });

    it('follows a redirect on the same host, not one to another host', async () => {
      const base = await serve((req, res) => {
        if (req.url === '/health') res.writeHead(302, { location: '/healthz' }).end();
        else if (req.url === '/healthz') res.end('ok');
        else res.writeHead(301, { location: 'http://localhost:1/elsewhere' }).end();
      });
      const { app } = hookApp({
        api: {
          smoke: [
            { stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/health`, expect_body: 'ok' },
            { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', url: `${base}/moved` },
          ],
        },
      });
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      await expect(app.handleHook(invocation(POST_PRODUCTION), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.output().logs()[1]?.message).toBe(
        `lifecycle hook failed: smoke ${base}/moved: status 301, expected 200 (redirect to http://localhost:1/elsewhere not followed) after 0 ms`,
      );
    });
  });

  describe('bake', () => {
    const rollout = { api: { alarms: ['api-5xx'], bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } } };

    it('answers IN_PROGRESS with the start carried in hookDetails, checking the alarms at each call, until the minutes have passed', async () => {
      cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'OK')] });
      const { app, clock } = hookApp(rollout);
      const first = await app.handleHook(invocation(POST_PRODUCTION), lambdaContext());
      expect(first).toEqual({
        hookStatus: 'IN_PROGRESS',
        callBackDelay: 60,
        hookDetails: { deploybridgeBakeStartedAt: '2026-03-05T16:00:00.000Z' },
      });
      // The shape the documentation prints for such an answer.
      expect(Object.keys(first).sort()).toEqual(
        Object.keys(awsSample('ecs/lifecycle-hook-response-in-progress-with-hook-details.json')).sort(),
      );
      await clock.sleep(9.5 * 60_000);
      const second = await app.handleHook(invocation(POST_PRODUCTION, { hookDetails: first.hookDetails }), lambdaContext());
      // The last wait is no longer than what is left.
      expect(second).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: first.hookDetails });
      await clock.sleep(30_000);
      await expect(app.handleHook(invocation(POST_PRODUCTION, { hookDetails: second.hookDetails }), lambdaContext())).resolves.toEqual({
        hookStatus: 'SUCCEEDED',
      });
      expect(cloudwatchMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
      expect(
        hook
          .output()
          .logs()
          .map((l) => l.message),
      ).toEqual([
        'lifecycle hook answered IN_PROGRESS: baking since 2026-03-05T16:00:00.000Z, 10 of 10 min left',
        'lifecycle hook answered IN_PROGRESS: baking since 2026-03-05T16:00:00.000Z, 1 of 10 min left',
        'lifecycle hook answered SUCCEEDED: 1 alarm OK (api-5xx); baked 10 min since 2026-03-05T16:00:00.000Z',
      ]);
    });

    it("keeps the hook configuration's own hookDetails; an alarm in ALARM during the bake answers FAILED", async () => {
      cloudwatchMock
        .on(DescribeAlarmsCommand)
        .resolvesOnce({ MetricAlarms: [alarm('api-5xx', 'OK')] })
        .resolves({ MetricAlarms: [alarm('api-5xx', 'ALARM')] });
      const { app, clock } = hookApp({
        api: { ...rollout.api, bake: { stage: 'POST_TEST_TRAFFIC_SHIFT', minutes: 10, callback_delay_seconds: 120 } },
      });
      const withDetails = 'lifecycle-hook-invocation-post-test-traffic-shift-with-hook-details.json';
      const first = await app.handleHook(invocation(withDetails), lambdaContext());
      expect(first).toEqual({
        hookStatus: 'IN_PROGRESS',
        callBackDelay: 120,
        hookDetails: { approvalChecked: true, S3_BUCKET_NAME: 'my-approval-bucket', deploybridgeBakeStartedAt: '2026-03-05T16:00:00.000Z' },
      });
      await clock.sleep(120_000);
      await expect(app.handleHook(invocation(withDetails, { hookDetails: first.hookDetails }), lambdaContext())).resolves.toEqual({
        hookStatus: 'FAILED',
      });
    });
  });

  describe('ROLLOUT_CONFIG', () => {
    it('fills in the defaults the contract states, keyed by the canonical service name', () => {
      const config = testConfig({
        ROLLOUT_CONFIG: JSON.stringify({
          api: {},
          web: {
            smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: 'http://10.0.0.5:8080/health' }],
            bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 },
          },
        }),
      });
      expect(config.rollout).toEqual({
        api: { smoke: [], alarms: [], bake: undefined },
        web: {
          smoke: [
            {
              stage: 'POST_TEST_TRAFFIC_SHIFT',
              url: 'http://10.0.0.5:8080/health',
              expectStatus: 200,
              expectBody: undefined,
              timeoutSeconds: 5,
            },
          ],
          alarms: [],
          bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10, callbackDelaySeconds: 60 },
        },
      });
    });

    it('refuses what would make a check that cannot work, each problem named', () => {
      expect(
        configProblems({
          ...BASE_ENV,
          LAMBDA_CONFIG: JSON.stringify({ thumbnailer: {} }),
          ROLLOUT_CONFIG: JSON.stringify({
            api: { smoke: [{ stage: 'AFTER_DEPLOY', url: 'ftp://x', expectStatus: 200 }], bake: { stage: 'POST_SCALE_UP', minutes: 0 } },
            thumbnailer: {},
          }),
        }),
      ).toEqual([
        'ROLLOUT_CONFIG.api.smoke.0.stage: stage must be one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT',
        'ROLLOUT_CONFIG.api.smoke.0.url: url must be an http(s) URL without credentials',
        'ROLLOUT_CONFIG.api.smoke.0: unknown field "expectStatus"',
        'ROLLOUT_CONFIG.api.bake.minutes: minutes must be more than 0 and at most 1440',
      ]);
      expect(
        configProblems({
          ...BASE_ENV,
          LAMBDA_CONFIG: JSON.stringify({ thumbnailer: {} }),
          ROLLOUT_CONFIG: '{"thumbnailer": {}}',
        }),
      ).toEqual(['ROLLOUT_CONFIG.thumbnailer: thumbnailer is a Lambda function (LAMBDA_CONFIG); rollout checks gate ECS services']);
    });
  });
});
