/**
 * The bot-token transport against a Slack-compatible Web API on 127.0.0.1: errors Slack answers
 * with HTTP 200 and `"ok": false`, rate limits, a message that can no longer be updated, and the
 * token, which never appears in a log line or a message.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/observability.js';
import type { Notification, ThreadUpdate } from '../../src/present/notification.js';
import { createSlackBotNotifier } from '../../src/slack/bot.js';
import type { SlackSendOptions } from '../../src/slack/notifier.js';
import { createNotifier } from '../../src/slack/setup.js';
import { configProblems, fakeMetrics, testConfig } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';

const FAST: Partial<SlackSendOptions> = { budgetMs: 1500, attemptTimeoutMs: 500, retryDelayMs: 20 };
const started: Notification = {
  severity: 'info',
  title: 'Deployment started: api',
  service: 'myproject_service_api_dev',
  facts: [['Status', 'in progress']],
};
const failed: ThreadUpdate = {
  state: { severity: 'error', title: 'Deployment failed: api', facts: [['Status', 'failed']] },
  reply: { severity: 'error', title: 'Why it failed: api', facts: [['Why tasks failed', '• CannotPullContainerError']] },
  standalone: {
    severity: 'error',
    title: 'Deployment failed: api',
    facts: [
      ['Status', 'failed'],
      ['Why tasks failed', '• CannotPullContainerError'],
    ],
  },
};

type Api = Awaited<ReturnType<typeof startSlackApi>>;

describe('Slack with a bot token', () => {
  let api: Api | undefined;
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await api?.close();
    api = undefined;
  });

  function bot(target: Api, token = TEST_BOT_TOKEN, channel = 'C0DEPLOYS') {
    const metrics = fakeMetrics();
    const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
    return {
      metrics,
      notifier: createSlackBotNotifier(
        { token: async () => token, channel, apiUrl: target.apiUrl },
        { environment: 'dev', log, metrics },
        FAST,
      ),
    };
  }

  it('posts the first message, updates it, and replies in its thread, with the token as a bearer', async () => {
    api = await startSlackApi();
    const { notifier, metrics } = bot(api);
    const message = await notifier.open(started);
    expect(message).toEqual({ channel: 'C0DEPLOYS', ts: '1717405200.000001' });
    expect(await notifier.follow(message, failed)).toEqual(message);
    await notifier.flush();
    expect(
      api.calls.map((c) => [c.method, c.body.channel, c.body.ts, c.body.thread_ts, c.body.attachments?.[0]?.color, c.body.text]),
    ).toEqual([
      ['chat.postMessage', 'C0DEPLOYS', undefined, undefined, '#1D9BD1', 'Deployment started: api (dev)'],
      ['chat.update', 'C0DEPLOYS', '1717405200.000001', undefined, '#E01E5A', 'Deployment failed: api (dev)'],
      ['chat.postMessage', 'C0DEPLOYS', undefined, '1717405200.000001', '#E01E5A', 'Why it failed: api (dev)'],
    ]);
    expect(api.calls.every((c) => c.authorization === `Bearer ${TEST_BOT_TOKEN}`)).toBe(true);
    expect(metrics.counts).toEqual({});
  });

  it('an error Slack answers with HTTP 200 ("ok": false) is a failure: counted, logged with its code, never with the token', async () => {
    api = await startSlackApi();
    const { notifier, metrics } = bot(api, TEST_BOT_TOKEN, 'C0NOSUCHCHANNEL');
    expect(await notifier.open(started)).toBeUndefined();
    await notifier.flush();
    expect(api.calls).toHaveLength(1); // a permanent error is not retried
    expect(metrics.counts).toEqual({ NotificationsFailed: 1 });
    expect(output.logs().find((l) => l.message === 'slack notification failed')?.fields).toEqual({
      title: 'Deployment started: api',
      service: 'myproject_service_api_dev',
      method: 'chat.postMessage',
      error: 'Slack error channel_not_found',
    });
  });

  it('a wrong token is reported as invalid_auth, and the token is in no log line', async () => {
    api = await startSlackApi();
    const wrong = 'xoxb-111-SECRETBOTTOKEN456-wrong';
    const { notifier } = bot(api, wrong);
    notifier.notify(started);
    await notifier.flush();
    expect(output.logs().find((l) => l.message === 'slack notification failed')?.fields.error).toBe('Slack error invalid_auth');
    expect(output.text()).not.toContain('SECRETBOTTOKEN456');
  });

  it('waits for Retry-After on 429 and delivers; retries a transient Slack error', async () => {
    let answered = 0;
    api = await startSlackApi((call, res, answer) => {
      answered++;
      if (answered === 1) {
        res.statusCode = 429;
        res.setHeader('retry-after', '0');
        answer({ ok: false, error: 'ratelimited' });
        return;
      }
      if (answered === 2) return answer({ ok: false, error: 'internal_error' });
      api?.handle(call, answer);
    });
    const { notifier, metrics } = bot(api);
    expect(await notifier.open(started)).toEqual({ channel: 'C0DEPLOYS', ts: expect.any(String) });
    expect(api.calls).toHaveLength(3);
    expect(metrics.counts).toEqual({});
  });

  it('a message that can no longer be updated: the step is posted as a message of its own, which the deployment continues in', async () => {
    api = await startSlackApi();
    const { notifier, metrics } = bot(api);
    const now = await notifier.follow({ channel: 'C0DEPLOYS', ts: '1600000000.000001' }, failed);
    expect(api.calls.map((c) => `${c.method} ${c.body.thread_ts ?? ''}`.trim())).toEqual(['chat.update', 'chat.postMessage']);
    expect(api.messages.map((m) => m.title)).toEqual([':x: Deployment failed: api']);
    expect(now).toEqual({ channel: 'C0DEPLOYS', ts: api.messages[0]?.ts });
    expect(metrics.counts).toEqual({ NotificationsFailed: 1 });
  });

  it('a routine step of a deployment whose first message is not known posts nothing; any other step starts a message', async () => {
    api = await startSlackApi();
    const { notifier } = bot(api);
    expect(await notifier.follow(undefined, { state: started, standalone: started, routine: true })).toBeUndefined();
    expect(api.calls).toEqual([]);
    expect(await notifier.follow(undefined, failed)).toEqual({ channel: 'C0DEPLOYS', ts: expect.any(String) });
    expect(api.calls.map((c) => c.body.text)).toEqual(['Deployment failed: api (dev)']);
  });

  it('reads the token from SSM (SLACK_BOT_TOKEN_SSM_PARAMETER), decrypted, once', async () => {
    api = await startSlackApi();
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/dev/myproject/slack-bot-token', Value: TEST_BOT_TOKEN, Type: 'SecureString' } });
    try {
      const config = testConfig({
        SLACK_BOT_TOKEN_SSM_PARAMETER: '/dev/myproject/slack-bot-token',
        SLACK_CHANNEL: 'C0DEPLOYS',
        SLACK_API_URL: api.apiUrl,
      });
      const notifier = createNotifier(config, createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }), fakeMetrics());
      await notifier.open(started);
      await notifier.open(started);
      expect(api.calls.map((c) => c.authorization)).toEqual([`Bearer ${TEST_BOT_TOKEN}`, `Bearer ${TEST_BOT_TOKEN}`]);
      expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
        { Name: '/dev/myproject/slack-bot-token', WithDecryption: true },
      ]);
    } finally {
      ssm.restore();
    }
  });
});

describe('Slack bot configuration', () => {
  it('defaults the API to https://slack.com/api and needs a channel with a token', () => {
    expect(testConfig().slackApiUrl).toBe('https://slack.com/api');
    expect(testConfig({ SLACK_API_URL: 'http://127.0.0.1:9/api/' }).slackApiUrl).toBe('http://127.0.0.1:9/api');
    expect(
      configProblems({ PROJECT_NAME: 'p', PROJECT_ENV: 'dev', ENABLE_S3_MONITORING: 'false', SLACK_BOT_TOKEN: TEST_BOT_TOKEN }),
    ).toEqual(['SLACK_CHANNEL (the channel id the bot posts to) is required with a Slack bot token']);
  });

  it('refuses a token given twice, a token with spaces (without echoing it) and an API URL that is not one', () => {
    const problems = configProblems({
      PROJECT_NAME: 'p',
      PROJECT_ENV: 'dev',
      ENABLE_S3_MONITORING: 'false',
      SLACK_BOT_TOKEN: 'xoxb SECRETBOTTOKEN456',
      SLACK_BOT_TOKEN_SSM_PARAMETER: '/p/token',
      SLACK_CHANNEL: 'C0DEPLOYS',
      SLACK_API_URL: 'slack.com/api',
    });
    expect(problems).toEqual([
      'SLACK_BOT_TOKEN must be a token without spaces',
      'set either SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_SSM_PARAMETER, not both',
      'SLACK_API_URL must be an http(s) URL, got "slack.com/api"',
    ]);
    expect(problems.join('\n')).not.toContain('SECRETBOTTOKEN456');
  });
});
