/**
 * The preflight with approvals: said offline; with --live, the signing secret's SSM parameter
 * exists; with --slack, the bot can post in the channel and every approver is a user of the
 * workspace (users.info on a Slack-compatible server on 127.0.0.1).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/verify/cli.js';
import { mockAccount, type FakeAccount } from '../helpers/fakeAccount.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { recordSuiteOutput } from '../helpers/suiteOutput.js';

const SECRET_PARAMETER = '/deploybridge/myproject/dev/slack-signing-secret';
const ENV: Record<string, string> = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  AWS_REGION: 'us-east-1',
  ENABLE_S3_MONITORING: 'false',
  SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
  SLACK_CHANNEL: 'C0DEPLOYS',
  APPROVERS: 'U0APPROVER,W0GRIDUSER',
  SLACK_SIGNING_SECRET_SSM_PARAMETER: SECRET_PARAMETER,
  DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
};

/** An account with nothing but the signing secret's parameter. */
const emptyAccount = (): FakeAccount => ({
  clusters: {},
  taskDefinitions: [],
  repositories: {},
  parameters: { [SECRET_PARAMETER]: { type: 'SecureString', version: 1 } },
  objects: {},
  functions: {},
  denied: [],
});

async function verify(argv: string[], env: Record<string, string>) {
  const printed: string[] = [];
  const code = await runVerify(argv, env, (line) => {
    printed.push(line);
    recordSuiteOutput(line);
  });
  return { code, lines: printed, text: printed.join('\n') };
}

describe('the preflight with approvals', () => {
  let api: Awaited<ReturnType<typeof startSlackApi>>;
  let account: FakeAccount;
  let mocks: ReturnType<typeof mockAccount>;
  beforeEach(async () => {
    api = await startSlackApi();
    account = emptyAccount();
    mocks = mockAccount(account);
  });
  afterEach(async () => {
    mocks.reset();
    await api.close();
  });

  it('offline, says who approves, how long a request waits and where the signing secret comes from', async () => {
    const { code, lines } = await verify([], { ...ENV, SLACK_API_URL: api.apiUrl });
    expect(lines).toContain(
      `ok       approvals on: every deployment waits for one of U0APPROVER, W0GRIDUSER to approve it in channel C0DEPLOYS; a request expires after 1440 minutes; clicks verified with the signing secret of the SSM parameter ${SECRET_PARAMETER} (--live checks that it exists)`,
    );
    expect(api.calls).toEqual([]);
    expect(code).toBe(0);
  });

  it('--live: the signing secret parameter must exist, as a SecureString', async () => {
    expect((await verify(['--live'], { ...ENV, SLACK_API_URL: api.apiUrl })).lines).toContain(
      `ok       approvals on: every deployment waits for one of U0APPROVER, W0GRIDUSER to approve it in channel C0DEPLOYS; a request expires after 1440 minutes; the signing secret's SSM parameter ${SECRET_PARAMETER} exists (SecureString; value not read)`,
    );
    delete account.parameters[SECRET_PARAMETER];
    const missing = await verify(['--live'], { ...ENV, SLACK_API_URL: api.apiUrl });
    expect(missing.lines.filter((l) => l.startsWith('problem'))).toEqual([
      `problem  the signing secret's SSM parameter ${SECRET_PARAMETER} does not exist: every click would be refused. Fix: aws ssm put-parameter --type SecureString --name ${SECRET_PARAMETER} --value "$SIGNING_SECRET" (Basic Information → App Credentials → Signing Secret of the Slack app)`,
    ]);
    expect(missing.code).toBe(1);
  });

  it('--slack: the bot posts in the channel, and every approver is a person of the workspace', async () => {
    const { code, lines, text } = await verify(['--slack'], { ...ENV, SLACK_API_URL: api.apiUrl });
    expect(api.calls.map((c) => [c.method, c.body.channel ?? c.body.user])).toEqual([
      ['chat.postMessage', 'C0DEPLOYS'],
      ['users.info', 'U0APPROVER'],
      ['users.info', 'W0GRIDUSER'],
    ]);
    expect(lines.slice(-4)).toEqual([
      'ok       test message delivered to Slack through the bot token (channel C0DEPLOYS): the bot can post approval requests there',
      'ok       approver U0APPROVER is Alice Approver, a user of the workspace',
      'ok       approver W0GRIDUSER is Bob Grid, a user of the workspace',
      'summary  myproject/dev: 6 ok, 0 problems, 0 warnings (exit 0)',
    ]);
    expect(text).not.toContain(TEST_BOT_TOKEN);
    expect(code).toBe(0);
  });

  it('--slack: an approver Slack does not know, one deactivated and a bot are problems, each with what to do', async () => {
    const { code, lines } = await verify(['--slack'], {
      ...ENV,
      SLACK_API_URL: api.apiUrl,
      APPROVERS: 'U0APPROVER,U0NOBODY,U0LEFTCORP,U0RELEASEBOT',
    });
    expect(lines.filter((l) => l.startsWith('problem'))).toEqual([
      'problem  approver U0NOBODY could not be found in the workspace: Slack error user_not_found. Fix: use the member id of the person (Slack: their profile → ⋯ → Copy member ID) in APPROVERS',
      'problem  approver U0LEFTCORP (Carol Gone) is deactivated: they can no longer approve. Fix: remove them from APPROVERS',
      'problem  approver U0RELEASEBOT (releasebot) is a bot, not a person. Fix: name people in APPROVERS',
    ]);
    expect(code).toBe(1);
  });

  it('--slack: a token without users:read says which scope to add', async () => {
    await api.close();
    api = await startSlackApi((call, _res, answer) =>
      call.method === 'users.info' ? answer({ ok: false, error: 'missing_scope' }) : api.handle(call, answer),
    );
    const { lines } = await verify(['--slack'], { ...ENV, SLACK_API_URL: api.apiUrl, APPROVERS: 'U0APPROVER' });
    expect(lines.filter((l) => l.startsWith('problem'))).toEqual([
      'problem  approver U0APPROVER could not be found in the workspace: Slack error missing_scope. Fix: add the users:read scope to the Slack app (OAuth & Permissions) and reinstall it',
    ]);
  });

  it('without approvers, says nothing of approvals and looks nobody up', async () => {
    const { APPROVERS: _, ...off } = ENV;
    const { lines } = await verify(['--slack'], { ...off, SLACK_API_URL: api.apiUrl });
    expect(lines.join('\n')).not.toContain('approv');
    expect(api.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
  });
});
