import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/observability.js';
import type { Notification } from '../../src/present/notification.js';
import { buildSlackPayload, SEVERITY_COLOURS } from '../../src/slack/messages.js';
import { createSlackNotifier, DEFAULT_SLACK_SEND_OPTIONS, type SlackSendOptions } from '../../src/slack/notifier.js';
import { createNotifier } from '../../src/slack/setup.js';
import { adapt } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackServer } from '../helpers/slackServer.js';
import { virtualClock } from '../helpers/virtualClock.js';
import { recordFigure } from '../reliability/figures.js';
import { fakeMetrics, serviceUpdated, testApp, testConfig, UpdateServiceCommand } from '../helpers/app.js';

const notification: Notification = {
  severity: 'error',
  title: 'Deployment failed: api',
  service: 'myproject_service_api_dev',
  facts: [
    ['Status', 'failed'],
    ['Reason', 'ServiceNotFoundException: <service> & co'],
  ],
  consoleUrl: 'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/c/services/s/deployments?region=us-east-1',
};

type Server = Awaited<ReturnType<typeof startSlackServer>>;

describe('Slack messages', () => {
  it('renders Block Kit inside a coloured attachment with the facts people act on', () => {
    const payload = buildSlackPayload(notification, { environment: 'dev' });
    expect(payload.text).toBe('Deployment failed: api (dev)');
    expect(payload.attachments[0]?.color).toBe('#E01E5A');
    expect(payload.attachments[0]?.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: ':x: Deployment failed: api', emoji: true } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Environment*\ndev' },
          { type: 'mrkdwn', text: '*Service*\nmyproject_service_api_dev' },
          { type: 'mrkdwn', text: '*Status*\nfailed' },
          { type: 'mrkdwn', text: '*Reason*\nServiceNotFoundException: &lt;service&gt; &amp; co' },
        ],
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in ECS console' }, url: notification.consoleUrl }],
      },
    ]);
  });

  it('uses green, red, blue and amber', () => {
    expect(SEVERITY_COLOURS).toEqual({ success: '#2EB67D', error: '#E01E5A', info: '#1D9BD1', warning: '#ECB22E' });
  });

  it('marks dry runs in the title and a context line', () => {
    const payload = buildSlackPayload({ ...notification, severity: 'info', dryRun: true }, { environment: 'dev' });
    expect(payload.text).toBe('[DRY RUN] Deployment failed: api (dev)');
    expect(payload.attachments[0]?.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Dry run: nothing was changed in AWS.' }],
    });
  });

  it('trims long values to what Slack accepts', () => {
    const payload = buildSlackPayload({ ...notification, facts: [['Reason', 'x'.repeat(5000)]] }, { environment: 'dev' });
    const section = payload.attachments[0]?.blocks[1] as { fields: Array<{ text: string }> };
    expect(section.fields.at(-1)?.text.length).toBeLessThanOrEqual(1900);
  });
});

describe('Slack delivery to a real webhook on 127.0.0.1', () => {
  let server: Server | undefined;
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await server?.close();
    server = undefined;
  });

  /** A webhook notifier with the production settings unless `options` say otherwise, on virtual time: its waits and timeouts are read, never waited for. */
  function notifier(url: string, options: Partial<SlackSendOptions> = {}, clock = virtualClock()) {
    const metrics = fakeMetrics();
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
    return { metrics, clock, notifier: createSlackNotifier(async () => url, { environment: 'dev', log, metrics }, { ...options, clock }) };
  }
  const failures = () =>
    output
      .logs()
      .filter((l) => l.message === 'slack notification failed')
      .map((l) => l.fields.error);
  const texts = () => server?.received.map((r) => (r.body as { text: string }).text);
  const rateLimited = (retryAfterSeconds: string) => (_req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = 429;
    res.setHeader('retry-after', retryAfterSeconds);
    res.end('rate_limited');
  };

  it('a deployment reaches Slack before the handler returns', async () => {
    server = await startSlackServer();
    const config = testConfig({ SLACK_WEBHOOK_URL: server.url });
    const slack = createNotifier(config, createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }), fakeMetrics());
    const { app, ecsMock } = testApp({ SLACK_WEBHOOK_URL: server.url }, { notifier: slack });
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3', 'ecs-svc/42'));
    await app.handle(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }));
    expect(server.received).toHaveLength(1);
    const body = server.received[0]?.body as {
      text: string;
      attachments: Array<{ color: string; blocks: Array<{ fields?: Array<{ text: string }> }> }>;
    };
    expect(body.text).toBe('Deployment started: api (dev)');
    expect(body.attachments[0]?.color).toBe('#1D9BD1');
    expect(body.attachments[0]?.blocks[1]?.fields?.map((f) => f.text)).toEqual(
      expect.arrayContaining([
        '*Deployment ID*\necs-svc/42',
        '*Task definition*\nmyproject_service_api_dev:3 (unchanged: new tasks read the new configuration)',
      ]),
    );
  });

  it('a webhook answering 500 gets 3 attempts per message (first + 2 retries, waiting 250 then 500 ms), then the message is given up with a metric and a warn log', async () => {
    server = await startSlackServer((_req, res) => {
      res.statusCode = 500;
      res.end('internal_error');
    });
    // A budget far larger than 3 attempts need: the attempts are capped, not the time.
    const { notifier: n, metrics, clock } = notifier(server.url, { budgetMs: 10_000 });
    n.notify(notification);
    await n.flush();
    expect(server.attempts()).toBe(3);
    expect(clock.waits).toEqual([250, 500]);
    expect(metrics.counts).toEqual({ NotificationsFailed: 1 });
    expect(failures()).toEqual(['HTTP 500; gave up after 3 attempts']);
  });

  it('a fan-out to a dead webhook costs at most 3 attempts per message', async () => {
    server = await startSlackServer((_req, res) => {
      res.statusCode = 503;
      res.end('unavailable');
    });
    const { notifier: n, metrics } = notifier(server.url, { budgetMs: 10_000 });
    for (let i = 0; i < 20; i++) n.notify({ ...notification, title: `Deployment failed: svc${i}` });
    await n.flush();
    recordFigure('dead_webhook_messages', new Set(server.received.map((r) => (r.body as { text: string }).text)).size);
    recordFigure('dead_webhook_posts', server.attempts());
    expect(server.attempts()).toBe(60);
    expect(metrics.counts).toEqual({ NotificationsFailed: 20 });
  });

  it("the messages of one invocation share one budget: a later message's retry does not get a budget of its own", async () => {
    server = await startSlackServer(rateLimited('1'));
    const { notifier: n, clock } = notifier(server.url, { budgetMs: 2000 });
    // The first message waits Retry-After once (1 s, inside the 2 s budget); its next wait would end past it.
    await n.open({ ...notification, title: 'first' });
    expect(clock.elapsed()).toBe(1000);
    // The second comes 1 s into the budget: its Retry-After wait would end past it, so it is not retried.
    n.notify({ ...notification, title: 'second' });
    await n.flush();
    expect(texts()).toEqual(['first (dev)', 'first (dev)', 'second (dev)']);
    expect(clock.waits).toEqual([1000]);
    expect(failures()).toEqual(Array(2).fill("HTTP 429; no time left to retry within the invocation's Slack budget (2000 ms)"));
  });

  it('each invocation has a budget of its own (flush ends one)', async () => {
    server = await startSlackServer(rateLimited('1'));
    const { notifier: n, clock } = notifier(server.url, { budgetMs: 1500 });
    n.notify({ ...notification, title: 'first invocation' });
    await n.flush();
    n.notify({ ...notification, title: 'second invocation' });
    await n.flush();
    // Each waited Retry-After once inside its own budget; a shared one would have left the second no time.
    expect(texts()).toEqual(['first invocation (dev)', 'first invocation (dev)', 'second invocation (dev)', 'second invocation (dev)']);
    expect(clock.waits).toEqual([1000, 1000]);
  });

  it('honours Retry-After on 429 (rather than its own shorter wait) and delivers', async () => {
    server = await startSlackServer((req, res, attempt) => (attempt === 1 ? rateLimited('1')(req, res) : res.end('ok')));
    const { notifier: n, metrics, clock } = notifier(server.url, { retryDelayMs: 20 });
    n.notify(notification);
    await n.flush();
    expect(server.attempts()).toBe(2);
    expect(clock.waits).toEqual([1000]);
    expect(metrics.counts).toEqual({});
  });

  it('gives up at once when Retry-After is beyond the budget', async () => {
    server = await startSlackServer(rateLimited('30'));
    const { notifier: n, metrics, clock } = notifier(server.url);
    n.notify(notification);
    await n.flush();
    expect(server.attempts()).toBe(1);
    expect(clock.waits).toEqual([]);
    expect(metrics.counts).toEqual({ NotificationsFailed: 1 });
    expect(failures()).toEqual([
      `HTTP 429; no time left to retry within the invocation's Slack budget (${DEFAULT_SLACK_SEND_OPTIONS.budgetMs} ms)`,
    ]);
  });

  it('a hanging webhook is abandoned within the budget (no retry runs past it) and never fails the deployment', async () => {
    const clock = virtualClock();
    // Never answers: each attempt runs out its time.
    server = await startSlackServer(() => clock.runOutAttempt());
    const { notifier: slow, metrics } = notifier(server.url, { budgetMs: 1500, attemptTimeoutMs: 500, retryDelayMs: 20 }, clock);
    const { app, ecsMock } = testApp({ SLACK_WEBHOOK_URL: server.url }, { notifier: slow, metrics });
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
    const result = await app.handle(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }));
    expect(result).toMatchObject({ deployments: [{ status: 'started' }] });
    expect(metrics.counts).toMatchObject({ DeploymentsStarted: 1, NotificationsFailed: 1 });
    // 500 ms, a 20 ms wait, 500 ms, a 40 ms wait, and the 440 ms left of the budget for the third.
    expect(clock.timeouts).toEqual([500, 500, 440]);
    expect(clock.waits).toEqual([20, 40]);
    expect(clock.elapsed()).toBe(1500);
    expect(failures()).toEqual(['timed out; gave up after 3 attempts']);
  });

  it('reads the webhook from an SSM SecureString (decrypted, cached) when SLACK_WEBHOOK_SSM_PARAMETER is set', async () => {
    server = await startSlackServer();
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/deploybridge/myproject/dev/slack-webhook-url', Type: 'SecureString', Value: server.url } });
    try {
      const config = testConfig({ SLACK_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-webhook-url' });
      const metrics = fakeMetrics();
      const slack = createNotifier(config, createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }), metrics);
      slack.notify(notification);
      await slack.flush();
      slack.notify({ ...notification, title: 'second' });
      await slack.flush();
      expect(server.received).toHaveLength(2);
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
      expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
        Name: '/deploybridge/myproject/dev/slack-webhook-url',
        WithDecryption: true,
      });
      expect(metrics.counts).toEqual({});
    } finally {
      ssm.restore();
    }
  });

  it('an unreadable SSM webhook fails the notification, not the deployment, and names no secret', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    try {
      const config = testConfig({ SLACK_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/other-webhook' });
      const metrics = fakeMetrics();
      const slack = createNotifier(config, createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }), metrics);
      slack.notify(notification);
      await slack.flush();
      expect(metrics.counts).toEqual({ NotificationsFailed: 1 });
      expect(output.logs().find((l) => l.message === 'slack notification failed')?.fields.error).toMatch(/^webhook URL unavailable/);
    } finally {
      ssm.restore();
    }
  });

  it('never writes the webhook URL to logs, even when it fails', async () => {
    server = await startSlackServer((_req, res) => {
      res.statusCode = 404;
      res.end('no_service');
    });
    const { notifier: n } = notifier(server.url);
    n.notify(notification);
    await n.flush();
    await server.close();
    const { notifier: refused } = notifier(server.url);
    refused.notify(notification);
    await refused.flush();
    server = undefined;
    expect(output.text()).toContain('slack notification failed');
    expect(output.text()).not.toContain('SECRETTOKEN123');
    expect(output.text()).not.toContain('/services/T000');
  });
});
