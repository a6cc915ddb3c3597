/**
 * The channels' configuration: each off until its URL (or topic) is set, as a value or an SSM
 * parameter; filters checked against the event types; secrets never echoed in a problem.
 */
import { describe, expect, it } from 'vitest';
import { channelRoutes } from '../../src/channels/setup.js';
import { configProblems, testConfig } from '../helpers/app.js';

const TEAMS = 'https://prod-12.westus.logic.azure.com/workflows/4f2c/triggers/manual/paths/invoke?sig=TEAMSSIG-SECRET789';

describe('channels configuration', () => {
  it('every channel is off by default; Slack alone is configured', () => {
    expect(channelRoutes(testConfig())).toEqual([]);
  });

  it('each channel from a value or an SSM parameter, with its filter', () => {
    const config = testConfig({
      TEAMS_WEBHOOK_URL: TEAMS,
      GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/google-chat-webhook-url',
      GOOGLE_CHAT_EVENTS: 'deployment.*, warning.*',
      WEBHOOK_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-url',
      WEBHOOK_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/webhook-secret',
      WEBHOOK_EVENTS: 'deployment.failed,deployment.rolled_back',
      SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:deploys',
      SNS_EVENTS: '*',
    });
    expect(channelRoutes(config)).toEqual([
      { name: 'teams', url: { value: TEAMS }, events: [] },
      {
        name: 'google_chat',
        url: { parameter: '/deploybridge/myproject/dev/google-chat-webhook-url' },
        events: ['deployment.*', 'warning.*'],
      },
      {
        name: 'webhook',
        url: { parameter: '/deploybridge/myproject/dev/webhook-url' },
        secret: { parameter: '/deploybridge/myproject/dev/webhook-secret' },
        events: ['deployment.failed', 'deployment.rolled_back'],
      },
      { name: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:deploys', events: ['*'] },
    ]);
  });

  it('refuses what cannot work, naming the variable and never echoing a secret', () => {
    const problems = configProblems({
      TEAMS_WEBHOOK_URL: 'not a url TEAMSSIG-SECRET789',
      TEAMS_WEBHOOK_SSM_PARAMETER: '/p/teams',
      GOOGLE_CHAT_EVENTS: 'deployment.failed',
      WEBHOOK_URL: 'https://hooks.example.com/HOOKPATH-SECRET135',
      SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:deploys.fifo',
      SNS_EVENTS: 'deployment.faild,approval.*',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'TEAMS_WEBHOOK_URL must be an http(s) URL',
        'set either TEAMS_WEBHOOK_URL or TEAMS_WEBHOOK_SSM_PARAMETER, not both',
        'GOOGLE_CHAT_EVENTS is set, but its channel is not configured',
        'WEBHOOK_SECRET (or WEBHOOK_SECRET_SSM_PARAMETER) is required with WEBHOOK_URL: every delivery is signed with it',
        expect.stringMatching(/^SNS_TOPIC_ARN must be the ARN of a standard SNS topic/),
        expect.stringMatching(/^SNS_EVENTS: unknown event type "deployment\.faild" \(did you mean deployment\.failed\?\); use event types/),
        expect.stringMatching(/^SNS_EVENTS: unknown event type "approval\.\*"/),
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/SECRET789|SECRET135/);
  });

  it('a signing secret needs its webhook, and at least 16 characters', () => {
    expect(configProblems({ WEBHOOK_SECRET: 'whsec-SIGNING-SECRET-8642' })).toContain(
      'WEBHOOK_SECRET is set but WEBHOOK_URL (or WEBHOOK_SSM_PARAMETER) is not',
    );
    const short = configProblems({ WEBHOOK_URL: 'https://hooks.example.com/x', WEBHOOK_SECRET: 'short-secret' });
    expect(short).toContain('WEBHOOK_SECRET must be at least 16 printable ASCII characters');
    expect(short.join('\n')).not.toContain('short-secret');
  });
});
