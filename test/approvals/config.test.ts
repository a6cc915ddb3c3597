/**
 * Turning approvals on: APPROVERS, the signing secret, APPROVAL_EXPIRY_MINUTES, and what approvals
 * stand on (bot token and channel, signing secret, deployments table), each missing one reported
 * with every other problem of the configuration.
 */
import { describe, expect, it } from 'vitest';
import { configProblems, testConfig } from '../helpers/app.js';

const ON = {
  APPROVERS: 'U0APPROVER,W0GRIDUSER',
  SLACK_BOT_TOKEN_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-bot-token',
  SLACK_CHANNEL: 'C0DEPLOYS',
  SLACK_SIGNING_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-signing-secret',
  DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
};

describe('approval configuration', () => {
  it('is off by default: no approvers, requests expire after 1440 minutes', () => {
    const config = testConfig();
    expect(config.approvers).toEqual([]);
    expect(config.approvalExpiryMinutes).toBe(1440);
    expect(config.slackSigningSecret).toBeUndefined();
    expect(config.slackSigningSecretSsmParameter).toBeUndefined();
  });

  it('reads the approvers, the signing secret parameter, the expiry and the function name Lambda sets', () => {
    const config = testConfig({ ...ON, APPROVAL_EXPIRY_MINUTES: '60', AWS_LAMBDA_FUNCTION_NAME: 'myproject-deploybridge-dev' });
    expect(config.approvers).toEqual(['U0APPROVER', 'W0GRIDUSER']);
    expect(config.slackSigningSecretSsmParameter).toBe('/deploybridge/myproject/dev/slack-signing-secret');
    expect(config.approvalExpiryMinutes).toBe(60);
    expect(config.functionName).toBe('myproject-deploybridge-dev');
  });

  it('with approvers and nothing else, says every missing piece, with the other problems of the configuration', () => {
    expect(
      configProblems({
        PROJECT_NAME: 'myproject',
        PROJECT_ENV: 'dev',
        ENABLE_S3_MONITORING: 'false',
        APPROVERS: 'U0APPROVER',
        LOG_LEVEL: 'loud',
      }),
    ).toEqual([
      'LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
      'APPROVERS needs a Slack bot token',
      'APPROVERS needs SLACK_CHANNEL (the channel approvals are asked in)',
      "APPROVERS needs the Slack app's signing secret",
      'APPROVERS needs the deployments table (DEPLOYMENTS_TABLE), where approval requests wait',
    ]);
  });

  it('a bot token without a channel is said once, by the bot token rule', () => {
    const { SLACK_CHANNEL: _, ...withoutChannel } = ON;
    expect(configProblems({ PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', ENABLE_S3_MONITORING: 'false', ...withoutChannel })).toEqual([
      'SLACK_CHANNEL (the channel id the bot posts to) is required with a Slack bot token',
    ]);
  });

  it('refuses approvers that are not Slack user ids, approvals without Slack, both secrets, a secret with spaces, an expiry out of bounds', () => {
    expect(
      configProblems({
        PROJECT_NAME: 'myproject',
        PROJECT_ENV: 'dev',
        ENABLE_S3_MONITORING: 'false',
        ...ON,
        APPROVERS: 'U0APPROVER, alice,@bob',
        ENABLE_SLACK_NOTIFICATIONS: 'false',
        SLACK_SIGNING_SECRET: 'a secret with-SIGNINGSECRET789 spaces',
        APPROVAL_EXPIRY_MINUTES: '10081',
      }),
    ).toEqual([
      'APPROVERS must list Slack user ids (U… or W…), got "alice", "@bob"',
      'SLACK_SIGNING_SECRET must be a secret without spaces',
      'set either SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_SSM_PARAMETER, not both',
      'APPROVAL_EXPIRY_MINUTES must be at most 10080 (7 days), got 10081',
      'APPROVERS needs Slack: ENABLE_SLACK_NOTIFICATIONS is false',
    ]);
    expect(
      configProblems({ ...ON, PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', ENABLE_S3_MONITORING: 'false', APPROVAL_EXPIRY_MINUTES: '0' }),
    ).toEqual(['APPROVAL_EXPIRY_MINUTES must be at least 1']);
  });

  it('an empty APPROVERS is off (the module passes nothing when its list is empty)', () => {
    expect(testConfig({ APPROVERS: '' }).approvers).toEqual([]);
  });
});
