/**
 * SNS for Amazon Q Developer in chat applications, through aws-sdk-client-mock: what is published
 * (the custom notification, to the configured topic, in the topic's region), a throttled publish
 * retried within the channel's attempts, a denied one given up and counted, and the client loaded
 * only when the channel publishes.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnsChannel, buildChatbotNotification } from '../../src/channels/sns.js';
import { createChannelNotifier } from '../../src/channels/setup.js';
import { createLogger } from '../../src/shared/observability.js';
import { createLogOnlyNotifier } from '../../src/slack/notifier.js';
import { fakeMetrics, testConfig } from '../helpers/app.js';
import { fanOut } from '../helpers/channels.js';
import { captureOutput } from '../helpers/logs.js';
import { channelMessage, DEPLOYMENT_ID, ECS_DEPLOYMENT } from '../helpers/notifications.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:myproject-deploys';
const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
const steps = [ECS_DEPLOYMENT.started, ECS_DEPLOYMENT.succeeded, ECS_DEPLOYMENT.failed, ECS_DEPLOYMENT.rolledBack];

const sns = mockClient(SNSClient);
let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  sns.reset();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});
afterAll(() => {
  sns.restore();
});

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });
const denied = () =>
  Object.assign(new Error('User is not authorized to perform: SNS:Publish on resource: arn:aws:sns:…'), {
    name: 'AuthorizationErrorException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });

describe('SNS channel', () => {
  it('publishes each message of the deployment to the topic as a Chatbot custom notification, threaded by the deployment', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const { notifier, metrics } = fanOut(createLogOnlyNotifier(log), [createSnsChannel(TOPIC, [])]);
    for (const n of steps) notifier.notify(n);
    await notifier.flush();
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn)).toEqual(steps.map(() => TOPIC));
    expect(published.map((p) => JSON.parse(p.Message ?? '{}') as unknown)).toEqual(
      steps.map((n, i) => buildChatbotNotification({ ...channelMessage(n, `n-${i + 1}`), time: '2026-12-07T10:06:07.000Z' })),
    );
    expect(published.map((p) => (JSON.parse(p.Message ?? '{}') as { metadata: { threadId: string } }).metadata.threadId)).toEqual(
      steps.map(() => DEPLOYMENT_ID),
    );
    expect(metrics.counts).toEqual({});
  });

  it("publishes in the topic's region", async () => {
    sns.on(PublishCommand).resolves({});
    const { notifier } = fanOut(createLogOnlyNotifier(log), [createSnsChannel(TOPIC, [])]);
    notifier.notify(ECS_DEPLOYMENT.started);
    await notifier.flush();
    const client = sns.commandCalls(PublishCommand)[0]?.thisValue as SNSClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('a throttled publish is retried within its attempts (waits 250, 500 ms), then given up, counted and logged', async () => {
    sns.on(PublishCommand).rejects(throttled());
    const { notifier, metrics, clock } = fanOut(createLogOnlyNotifier(log), [createSnsChannel(TOPIC, [])]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(clock.waits).toEqual([250, 500]);
    expect(metrics.ofChannels).toEqual([{ name: 'NotificationsFailed', channel: 'sns', value: 1 }]);
    const line = output.logs().find((l) => l.message === 'sns notification failed');
    expect(line?.fields.error).toBe('Throttling (HTTP 400); gave up after 3 attempts');
  });

  it("a denied publish is not retried; its reason is the error name and status, not AWS's message", async () => {
    sns.on(PublishCommand).rejectsOnce(denied());
    const { notifier, metrics } = fanOut(createLogOnlyNotifier(log), [createSnsChannel(TOPIC, [])]);
    notifier.notify(ECS_DEPLOYMENT.failed);
    await notifier.flush();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(metrics.ofChannels).toEqual([{ name: 'NotificationsFailed', channel: 'sns', value: 1 }]);
    expect(output.logs().find((l) => l.message === 'sns notification failed')?.fields.error).toBe('AuthorizationErrorException (HTTP 403)');
  });

  it('SNS_TOPIC_ARN and SNS_EVENTS from the configuration: only failures and rollbacks to the topic', async () => {
    sns.on(PublishCommand).resolves({});
    const config = testConfig({
      ENABLE_SLACK_NOTIFICATIONS: 'false',
      SNS_TOPIC_ARN: TOPIC,
      SNS_EVENTS: 'deployment.failed,deployment.rolled_back',
    });
    const notifier = createChannelNotifier(config, log, fakeMetrics());
    for (const n of steps) notifier.notify(n);
    await notifier.flush();
    expect(
      sns
        .commandCalls(PublishCommand)
        .map((c) => (JSON.parse(c.args[0].input.Message ?? '{}') as { metadata: { eventType: string } }).metadata.eventType),
    ).toEqual(['deployment.failed', 'deployment.rolled_back']);
  });
});
