/**
 * The lifecycle hook's edges, each a condition a mutation test found untested: where the bake runs
 * and what it carries, which services the hook answers for, which checks a failure lists, the pages
 * of DescribeAlarms, and how a smoke check follows redirects and reads a large body.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { lambdaContext, testApp } from '../helpers/app.js';
import { invocation, POST_PRODUCTION, POST_TEST, useHookHarness } from '../helpers/lifecycleHook.js';
import { virtualClock } from '../helpers/virtualClock.js';

const ok = (n: string) => ({
  AlarmName: n,
  StateValue: 'OK' as const,
  StateReason: 'fine',
  StateTransitionedTimestamp: new Date('2026-03-05T15:50:00Z'),
});
const firing = (n: string) => ({ ...ok(n), StateValue: 'ALARM' as const, StateReason: 'bad' });

describe('the lifecycle hook at its edges', () => {
  const hook = useHookHarness();
  const { cloudwatchMock, cloudwatch, serve, app: hookApp } = hook;

  it('the bake runs at its own stage only: another stage answers SUCCEEDED at once', async () => {
    const { app } = hookApp({ api: { bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });
  it('alarms throttled during the bake: IN_PROGRESS keeps the bake start, so the bake does not restart', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }));
    const { app } = hookApp({ api: { alarms: ['a'], bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } } });
    const hookDetails = { deploybridgeBakeStartedAt: '2026-03-05T15:55:00.000Z' };
    await expect(app.handleHook(invocation(POST_PRODUCTION, { hookDetails }), lambdaContext())).resolves.toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 30,
      hookDetails,
    });
  });
  it('a carried bake start in the future, or not a time, restarts the bake now', async () => {
    const { app } = hookApp({ api: { bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 } } });
    for (const carried of ['2026-03-05T17:00:00.000Z', 1234]) {
      await expect(
        app.handleHook(invocation(POST_PRODUCTION, { hookDetails: { deploybridgeBakeStartedAt: carried } }), lambdaContext()),
      ).resolves.toEqual({
        hookStatus: 'IN_PROGRESS',
        callBackDelay: 60,
        hookDetails: { deploybridgeBakeStartedAt: '2026-03-05T16:00:00.000Z' },
      });
    }
  });
  it('an ECS service whose name is a Lambda function of the catalog answers FAILED: the gate fails closed', async () => {
    const built = testApp(
      { LAMBDA_CONFIG: JSON.stringify({ thumbnailer: {} }) },
      { clients: { cloudwatch: async () => cloudwatch }, clock: virtualClock() },
    );
    const inv = invocation(POST_TEST);
    inv.executionDetails = {
      ...inv.executionDetails,
      serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/myproject_cluster_dev/myproject_service_thumbnailer_dev',
    };
    await expect(built.app.handleHook(inv, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
  });
  it('a service ARN in the old format (no cluster) is still recognised', async () => {
    const { app } = hookApp({});
    const inv = invocation(POST_TEST);
    inv.executionDetails = { ...inv.executionDetails, serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/myproject_service_api_dev' };
    await expect(app.handleHook(inv, lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });
  it('an ARN that names no service is a rejected event (EventsRejected), not an unexpected error', async () => {
    const { app, metrics } = hookApp({});
    const inv = invocation(POST_TEST);
    inv.executionDetails = { ...inv.executionDetails, serviceArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/x' };
    await expect(app.handleHook(inv, lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(metrics.counts.EventsRejected).toBe(1);
  });
  it('the failure message lists each failed check, and only those', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [firing('a'), ok('b')] });
    const base = await serve((_q, r) => {
      r.statusCode = 503;
      r.end();
    });
    const { app, notifier } = hookApp({ api: { alarms: ['a', 'b'], smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/h` }] } });
    await app.handleHook(invocation(POST_TEST), lambdaContext());
    const facts = (notifier.sent[0] as { facts: [string, string][] }).facts.filter(([k]) => k === 'Check failed');
    expect(facts).toHaveLength(2);
    cloudwatchMock.reset();
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [ok('a'), ok('b')] });
    const second = hookApp({ api: { alarms: ['a', 'b'], smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/h` }] } });
    await second.app.handleHook(invocation(POST_TEST), lambdaContext());
    const facts2 = (second.notifier.sent[0] as { facts: [string, string][] }).facts.filter(([k]) => k === 'Check failed');
    expect(facts2.map(([, v]) => v)).toEqual([expect.stringMatching(/^smoke /)]);
  });
  it('alarms on the second page of DescribeAlarms are read', async () => {
    cloudwatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [ok('a')], NextToken: 't' })
      .resolves({ MetricAlarms: [ok('b')] });
    const { app } = hookApp({ api: { alarms: ['a', 'b'] } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });
  it('an alarm in ALARM without timestamps or reason is still named', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM' }] });
    const { app } = hookApp({ api: { alarms: ['a'] } });
    await app.handleHook(invocation(POST_TEST), lambdaContext());
    expect(hook.output().logs()[0]?.message).toBe('lifecycle hook failed: alarm a is in ALARM: ');
  });
  it('a smoke check without expect_body passes on its status alone', async () => {
    const base = await serve((_q, r) => r.end('fine'));
    const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/h` }] } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });
  it('only a 301–399 answer with a Location is followed: 201 or 400 with a Location, 300, and 302 without one are judged as they are', async () => {
    const base = await serve((q, r) => {
      if (q.url === '/created') r.writeHead(201, { location: '/x' }).end();
      else if (q.url === '/bad') r.writeHead(400, { location: '/x' }).end();
      else if (q.url === '/multi') r.writeHead(300, { location: '/x' }).end();
      else if (q.url === '/nowhere') r.writeHead(302).end();
      else r.end('x');
    });
    for (const [path, status] of [
      ['/created', 201],
      ['/bad', 400],
      ['/multi', 200],
      ['/nowhere', 302],
    ] as const) {
      const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}${path}`, expect_status: status }] } });
      await expect(app.handleHook(invocation(POST_TEST), lambdaContext()), path).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    }
  });
  it('a same-origin redirect loop fails after the first request and 5 redirects', async () => {
    let asked = 0;
    const base = await serve((_q, r) => {
      asked++;
      r.writeHead(302, { location: '/loop' }).end();
    });
    const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/loop` }] } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(asked).toBe(6);
  });
  it('a redirect from http to https on the same host and port is not followed (another origin)', async () => {
    const base = await serve((q, r) => {
      if (q.url === '/h') r.writeHead(302, { location: base.replace('http:', 'https:') + '/x' }).end();
      else r.end('x');
    });
    const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/h` }] } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(hook.output().logs()[0]?.message).toContain('not followed');
  });
  it('a body that never ends is judged on its first 64 KiB', async () => {
    const base = await serve((_q, r) => {
      r.write('ok' + 'x'.repeat(70_000)); /* never ends */
    });
    const { app } = hookApp({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${base}/h`, expect_body: 'ok' }] } });
    await expect(app.handleHook(invocation(POST_TEST), lambdaContext())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });
});
