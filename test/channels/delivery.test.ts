/**
 * Slack and the channels besides it, together, against receivers on 127.0.0.1: what each receives
 * (the payloads the renderers build, Google Chat in the deployment's thread, the webhook signed),
 * filters, and independence — a channel that answers 500 or never answers costs only its own
 * attempts, never delays Slack nor stops the deployment, and is counted NotificationsFailed with
 * its channel. Attempts run on virtual time: their waits and timeouts are read, never waited for.
 */
import { createHmac } from 'node:crypto';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGoogleChatPayload } from '../../src/channels/googleChat.js';
import { createChannelNotifier } from '../../src/channels/setup.js';
import { buildTeamsPayload, createTeamsChannel } from '../../src/channels/teams.js';
import { buildWebhookDocument, createWebhookChannel } from '../../src/channels/webhook.js';
import { createGoogleChatChannel } from '../../src/channels/googleChat.js';
import { createLogger } from '../../src/shared/observability.js';
import { buildSlackPayload } from '../../src/slack/messages.js';
import { createSlackNotifier } from '../../src/slack/notifier.js';
import { fakeMetrics, serviceUpdated, testApp, testConfig, UpdateServiceCommand } from '../helpers/app.js';
import { fanOut, googleChatUrl, SIGNING_SECRET, teamsUrl, webhookUrl } from '../helpers/channels.js';
import { adapt } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { channelMessage, DEPLOYMENT_ID, ECS_DEPLOYMENT } from '../helpers/notifications.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startSlackServer } from '../helpers/slackServer.js';
import { WEBHOOK_SECRETS } from '../helpers/suiteOutput.js';
import { virtualClock } from '../helpers/virtualClock.js';

type SlackServer = Awaited<ReturnType<typeof startSlackServer>>;

const steps = [ECS_DEPLOYMENT.started, ECS_DEPLOYMENT.succeeded, ECS_DEPLOYMENT.failed, ECS_DEPLOYMENT.rolledBack];
const fixed = (n: (typeof steps)[number], i: number) => ({ ...channelMessage(n, `n-${i + 1}`), time: '2026-12-07T10:06:07.000Z' });

let output: ReturnType<typeof captureOutput>;
let servers: Array<{ close(): Promise<void> }> = [];
beforeEach(() => {
  output = captureOutput();
});
afterEach(async () => {
  output.restore();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(respond);
  servers.push(r);
  return r;
}

async function slackServer(): Promise<SlackServer> {
  const s = await startSlackServer();
  servers.push(s);
  return s;
}

/** Slack's webhook notifier on a virtual clock of its own. */
function slackNotifier(url: string, metrics = fakeMetrics()) {
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
  return createSlackNotifier(async () => url, { environment: 'dev', log, metrics }, { clock: virtualClock() });
}

const failures = () =>
  output
    .logs()
    .filter((l) => l.message.endsWith('notification failed'))
    .map((l) => [l.message, l.fields.error]);

describe('every channel hears the deployment', () => {
  it('Slack, Teams, Google Chat and the webhook each receive the four messages as their renderers build them', async () => {
    const [slack, teams, chat, hook] = await Promise.all([
      slackServer(),
      receiver(),
      receiver(),
      receiver((_q, res) => res.writeHead(204).end()),
    ]);
    const { notifier, metrics } = fanOut(slackNotifier(slack.url), [
      createTeamsChannel(async () => teamsUrl(teams.baseUrl), []),
      createGoogleChatChannel(async () => googleChatUrl(chat.baseUrl), []),
      createWebhookChannel(
        async () => webhookUrl(hook.baseUrl),
        async () => SIGNING_SECRET,
        [],
      ),
    ]);
    for (const n of steps) notifier.notify(n);
    await notifier.flush();

    expect(slack.received.map((r) => r.body)).toEqual(steps.map((n) => buildSlackPayload(n, { environment: 'dev' })));
    expect(teams.received.map((r) => r.body)).toEqual(steps.map((n, i) => buildTeamsPayload(fixed(n, i))));
    expect(chat.received.map((r) => r.body)).toEqual(steps.map((n, i) => buildGoogleChatPayload(fixed(n, i))));
    expect(hook.received.map((r) => r.body)).toEqual(steps.map((n, i) => buildWebhookDocument(fixed(n, i))));
    expect(metrics.counts).toEqual({});
    expect(failures()).toEqual([]);
  });

  it("Google Chat: every message of the deployment in its thread, replying to it or starting it; the webhook's key and token kept", async () => {
    const chat = await receiver();
    const { notifier } = fanOut(slackNotifier('http://127.0.0.1:9/unused'), [
      createGoogleChatChannel(async () => googleChatUrl(chat.baseUrl), []),
    ]);
    for (const n of steps) notifier.notify(n);
    await notifier.flush();
    expect(chat.received.map((r) => [r.path, r.query, (r.body as { thread?: unknown }).thread])).toEqual(
      steps.map(() => [
        '/v1/spaces/AAAA-deploys/messages',
        { key: 'AIzaSy-test-key', token: 'CHATTOKEN-SECRET246', messageReplyOption: 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD' },
        { threadKey: DEPLOYMENT_ID },
      ]),
    );
  });

  it('the webhook: application/json, signed with sha256=HMAC-SHA256("{timestamp}.{body}") under the secret; another secret does not verify', async () => {
    const hook = await receiver();
    const { notifier, clock } = fanOut(slackNotifier('http://127.0.0.1:9/unused'), [
      createWebhookChannel(
        async () => webhookUrl(hook.baseUrl),
        async () => SIGNING_SECRET,
        [],
      ),
    ]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    const [delivery] = hook.received;
    const timestamp = delivery?.headers['x-deploybridge-timestamp'] as string;
    expect(delivery?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(timestamp).toBe(String(Math.floor(clock.now() / 1000)));
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery?.raw}`).digest('hex')}`;
    expect(delivery?.headers['x-deploybridge-signature']).toBe(sign(SIGNING_SECRET));
    expect(delivery?.headers['x-deploybridge-signature']).not.toBe(sign('whsec-another-secret-0000'));
    expect(delivery?.headers['x-deploybridge-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('retries', () => {
  it('a webhook delivery retried after a 500 is the same document, with the same id, signed the same: a receiver deduplicates on its id', async () => {
    const hook = await receiver((_q, res, attempt) => (attempt === 1 ? res.writeHead(500).end() : res.writeHead(204).end()));
    const { notifier, metrics } = fanOut(slackNotifier('http://127.0.0.1:9/unused'), [
      createWebhookChannel(
        async () => webhookUrl(hook.baseUrl),
        async () => SIGNING_SECRET,
        [],
      ),
    ]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    expect(hook.received.map((r) => (r.body as { id: string }).id)).toEqual(['n-1', 'n-1']);
    const [first, retry] = hook.received;
    expect(retry?.raw).toBe(first?.raw);
    expect(retry?.headers['x-deploybridge-signature']).toBe(first?.headers['x-deploybridge-signature']);
    expect(metrics.ofChannels).toEqual([]);
  });
});

describe('filters', () => {
  it('each channel hears what its …_EVENTS names (types or families); no filter hears everything', async () => {
    const [teams, hook] = await Promise.all([receiver(), receiver()]);
    const warning = {
      ...ECS_DEPLOYMENT.started,
      title: 'Env file deleted: s3://b/api/.env',
      event: { type: 'warning.env_file_deleted' as const },
    };
    const { notifier } = fanOut(slackNotifier('http://127.0.0.1:9/unused'), [
      createTeamsChannel(async () => teamsUrl(teams.baseUrl), []),
      createWebhookChannel(
        async () => webhookUrl(hook.baseUrl),
        async () => SIGNING_SECRET,
        ['deployment.failed', 'deployment.rolled_back', 'warning.*'],
      ),
    ]);
    for (const n of [...steps, warning]) notifier.notify(n);
    await notifier.flush();
    expect(teams.received).toHaveLength(5);
    expect(hook.received.map((r) => (r.body as { type: string }).type)).toEqual([
      'deployment.failed',
      'deployment.rolled_back',
      'warning.env_file_deleted',
    ]);
  });

  it('a message without a typed event reaches Slack only', async () => {
    const [slack, teams] = await Promise.all([slackServer(), receiver()]);
    const { notifier } = fanOut(slackNotifier(slack.url), [createTeamsChannel(async () => teamsUrl(teams.baseUrl), [])]);
    const { event: _event, ...untyped } = ECS_DEPLOYMENT.started;
    notifier.notify(untyped);
    await notifier.flush();
    expect([slack.received.length, teams.received.length]).toEqual([1, 0]);
  });
});

describe('channels are independent', () => {
  it('Teams answering 500: its 3 attempts (waits 250 and 500 ms), NotificationsFailed{channel=teams}, a warn line; Slack and the webhook get theirs once', async () => {
    const [slack, teams, hook] = await Promise.all([slackServer(), receiver((_q, res) => res.writeHead(500).end('internal')), receiver()]);
    const { notifier, metrics, clock } = fanOut(slackNotifier(slack.url), [
      createTeamsChannel(async () => teamsUrl(teams.baseUrl), []),
      createWebhookChannel(
        async () => webhookUrl(hook.baseUrl),
        async () => SIGNING_SECRET,
        [],
      ),
    ]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    expect([slack.received.length, teams.received.length, hook.received.length]).toEqual([1, 3, 1]);
    expect(clock.waits).toEqual([250, 500]);
    expect(metrics.ofChannels).toEqual([{ name: 'NotificationsFailed', channel: 'teams', value: 1 }]);
    expect(failures()).toEqual([['teams notification failed', 'HTTP 500; gave up after 3 attempts']]);
    const line = output.logs().find((l) => l.message === 'teams notification failed');
    expect(line?.level).toBe('warn');
    expect(line?.fields).toMatchObject({ channel: 'teams', title: 'Deployment failed: api', event_type: 'deployment.failed' });
  });

  it('Teams never answering does not delay Slack: Slack has delivered while Teams still hangs; Teams gives up within its budget', async () => {
    const slack = await slackServer();
    let runOut = () => undefined as void;
    const teams = await receiver(() => queueMicrotask(runOut)); // never answers: each attempt runs out of time
    const { notifier, clock } = fanOut(slackNotifier(slack.url), [createTeamsChannel(async () => teamsUrl(teams.baseUrl), [])]);
    let released = false;
    const opened = notifier.open(ECS_DEPLOYMENT.started);
    // Slack's message is delivered (open resolves) before anything ends Teams' hanging attempt.
    await opened;
    expect(slack.received).toHaveLength(1);
    expect(released).toBe(false);
    runOut = () => {
      released = true;
      clock.runOutAttempt();
    };
    // Teams' first attempt is in flight; from now on, each attempt runs out when it arrives.
    runOut();
    await notifier.flush();
    // 3 s for the first attempt, 250 ms wait, then the rest of the 5 s budget for the second; no third.
    expect(clock.timeouts).toEqual([3000, 1750]);
    expect(clock.elapsed()).toBe(5000);
    expect(failures()).toEqual([
      ['teams notification failed', "timed out; no time left to retry within the invocation's Teams budget (5000 ms)"],
    ]);
  });

  it('a channel failing never stops the deployment: the event is handled, the deployment started, Slack told', async () => {
    const [slack, teams] = await Promise.all([slackServer(), receiver((_q, res) => res.writeHead(503).end())]);
    const metrics = fakeMetrics();
    const { notifier } = fanOut(slackNotifier(slack.url, metrics), [createTeamsChannel(async () => teamsUrl(teams.baseUrl), [])]);
    const { app, ecsMock, metrics: appMetrics } = testApp({}, { notifier });
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3', 'ecs-svc/42'));
    const result = await app.handle(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }));
    expect(result).toMatchObject({ status: 'planned', deployments: [{ status: 'started', deploymentId: 'ecs-svc/42' }] });
    expect(appMetrics.counts).toMatchObject({ DeploymentsStarted: 1 });
    expect((slack.received[0]?.body as { text: string }).text).toBe('Deployment started: api (dev)');
    expect(teams.received).toHaveLength(3);
    expect(failures()).toEqual([['teams notification failed', 'HTTP 503; gave up after 3 attempts']]);
  });
});

describe('secrets', () => {
  it('no URL and no secret in any log line, however each channel fails (404, refused connection, unreadable SSM parameter)', async () => {
    const refused = await receiver();
    await refused.close();
    const [teams, chat] = await Promise.all([
      receiver((_q, res) => res.writeHead(404).end('no such flow')),
      receiver((_q, res) => res.writeHead(400).end()),
    ]);
    const { notifier, metrics } = fanOut(slackNotifier('http://127.0.0.1:9/unused'), [
      createTeamsChannel(async () => teamsUrl(teams.baseUrl), []),
      createGoogleChatChannel(async () => googleChatUrl(chat.baseUrl), []),
      createWebhookChannel(
        async () => webhookUrl(refused.baseUrl),
        async () => SIGNING_SECRET,
        [],
      ),
    ]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    expect(failures()).toEqual(
      expect.arrayContaining([
        ['teams notification failed', 'HTTP 404'],
        ['google_chat notification failed', 'HTTP 400'],
        ['webhook notification failed', expect.stringMatching(/^network error ECONNREFUSED; /)],
      ]),
    );
    expect(metrics.ofChannels.map((m) => m.channel).sort()).toEqual(['google_chat', 'teams', 'webhook']);
    for (const secret of [...WEBHOOK_SECRETS, 'AIzaSy-test-key', '/workflows/4f2c', '/hooks/']) expect(output.text()).not.toContain(secret);
  });

  it('an unreadable SSM parameter fails that channel alone, naming the secret, not its value', async () => {
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('User is not authorized to access /deploybridge/x'), { name: 'AccessDeniedException' }));
    try {
      const slack = await slackServer();
      const config = testConfig({
        SLACK_WEBHOOK_URL: slack.url,
        TEAMS_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/teams-webhook-url',
      });
      const metrics = fakeMetrics();
      const notifier = createChannelNotifier(
        config,
        createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
        metrics,
      );
      notifier.notify(ECS_DEPLOYMENT.failed);
      await notifier.flush();
      expect(slack.received).toHaveLength(1);
      expect(failures()).toEqual([['teams notification failed', 'Teams webhook URL unavailable (AccessDeniedException)']]);
      expect(metrics.ofChannels).toEqual([{ name: 'NotificationsFailed', channel: 'teams', value: 1 }]);
    } finally {
      ssm.restore();
    }
  });
});

describe('from the configuration', () => {
  it("each channel's URL and secret from an SSM SecureString (decrypted, read once), like Slack's webhook", async () => {
    const [teams, chat, hook] = await Promise.all([receiver(), receiver(), receiver()]);
    const values: Record<string, string> = {
      '/deploybridge/myproject/dev/teams-webhook-url': teamsUrl(teams.baseUrl),
      '/deploybridge/myproject/dev/google-chat-webhook-url': googleChatUrl(chat.baseUrl),
      '/deploybridge/myproject/dev/webhook-url': webhookUrl(hook.baseUrl),
      '/deploybridge/myproject/dev/webhook-secret': SIGNING_SECRET,
    };
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand)
      .callsFake((input: { Name: string }) => ({ Parameter: { Name: input.Name, Type: 'SecureString', Value: values[input.Name] } }));
    try {
      const config = testConfig({
        ENABLE_SLACK_NOTIFICATIONS: 'false',
        TEAMS_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/teams-webhook-url',
        GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/google-chat-webhook-url',
        WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-url',
        WEBHOOK_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-secret',
        WEBHOOK_EVENTS: 'deployment.failed',
      });
      const metrics = fakeMetrics();
      const notifier = createChannelNotifier(
        config,
        createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
        metrics,
      );
      for (const n of steps) notifier.notify(n);
      await notifier.flush();
      notifier.notify(ECS_DEPLOYMENT.failed);
      await notifier.flush();
      expect([teams.received.length, chat.received.length, hook.received.length]).toEqual([5, 5, 2]);
      const signature = hook.received[0]?.headers['x-deploybridge-signature'];
      const timestamp = hook.received[0]?.headers['x-deploybridge-timestamp'] as string;
      expect(signature).toBe(
        `sha256=${createHmac('sha256', SIGNING_SECRET).update(`${timestamp}.${hook.received[0]?.raw}`).digest('hex')}`,
      );
      expect(
        ssm
          .commandCalls(GetParameterCommand)
          .map((c) => [c.args[0].input.Name, c.args[0].input.WithDecryption])
          .sort(),
      ).toEqual(
        Object.keys(values)
          .map((name) => [name, true])
          .sort(),
      );
      expect(metrics.counts).toEqual({});
    } finally {
      ssm.restore();
    }
  });
});
