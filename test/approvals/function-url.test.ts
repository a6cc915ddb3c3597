/**
 * Slack's requests to the Function URL, through the Lambda entry point as deployed (configuration
 * from its environment, real SDK clients answered by aws-sdk-client-mock, Slack on 127.0.0.1):
 * what is refused and how, what an approver's click hands off, and that Slack hears back in time
 * however slow AWS is.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE_ENV, lambdaContext } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';
import { recordFigure } from '../reliability/figures.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import {
  clickPayload,
  formBody,
  functionUrlEvent,
  signedClick,
  signingHeaders,
  TEST_SIGNING_SECRET,
} from '../helpers/slackInteractions.js';

type Answer = { statusCode: number; headers: Record<string, string>; body: string };
type Api = Awaited<ReturnType<typeof startSlackApi>>;

const FUNCTION = 'myproject-deploybridge-dev';
/** The JSON event an Invoke carried. */
const payloadOf = (payload: unknown) => JSON.parse(new TextDecoder().decode(payload as Uint8Array)) as Record<string, unknown>;
/** The time of every test: requests are signed at it, or at a time said from it. */
const NOW = new Date('2026-03-02T10:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

describe('the Function URL', () => {
  let api: Api;
  let output: ReturnType<typeof captureOutput>;
  let lambda: AwsClientStub<LambdaClient>;
  let ssm: AwsClientStub<SSMClient>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    api = await startSlackApi();
    output = captureOutput();
    lambda = mockClient(LambdaClient);
    ssm = mockClient(SSMClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  });
  afterEach(async () => {
    output.restore();
    lambda.restore();
    ssm.restore();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await api.close();
  });

  /** The entry point, loaded afresh with the function's environment (a cold start). */
  async function coldStart(env: Record<string, string> = {}) {
    const variables = {
      ...BASE_ENV,
      APPROVERS: 'U0APPROVER',
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_CHANNEL: 'C0DEPLOYS',
      SLACK_API_URL: api.apiUrl,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      DEPLOYMENTS_TABLE: 'myproject-deploybridge-dev-deployments',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
      ...env,
    };
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
    vi.resetModules();
    const { handler } = await import('../../src/index.js');
    return async (event: unknown) => (await handler(event, lambdaContext())) as Answer;
  }

  const rejectedCount = () =>
    output
      .metrics()
      .filter((m) => m.trigger === 'interaction')
      .reduce((sum, m) => sum + Number(m.InteractionsRejected ?? 0), 0);
  const refusals = () => output.logs().filter((l) => l.message.startsWith('interaction refused'));
  const responseUrl = () => `${new URL(api.apiUrl).origin}/actions/T0/1/response`;

  it.each([
    ['another path (404)', functionUrlEvent('x', { path: '/' }), 404, 'no such path (/)'],
    ['a GET (405)', functionUrlEvent(undefined, { method: 'GET' }), 405, 'method GET is not POST'],
    ['no headers (401)', functionUrlEvent(formBody(clickPayload())), 401, 'no X-Slack-Request-Timestamp header'],
    [
      'no signature (401)',
      functionUrlEvent(formBody(clickPayload()), { headers: { 'x-slack-request-timestamp': String(nowSeconds) } }),
      401,
      'no X-Slack-Signature header',
    ],
    [
      'a forged signature (401)',
      signedClick({}, { secret: 'not-the-secret', timestamp: nowSeconds }),
      401,
      'X-Slack-Signature does not match',
    ],
    [
      'a stale timestamp, 10 minutes old (401)',
      signedClick({}, { timestamp: nowSeconds - 600 }),
      401,
      'X-Slack-Request-Timestamp is 600 s from now (more than 300 s)',
    ],
    ['no body (401)', functionUrlEvent(undefined), 401, 'no body'],
    ['a body over 128 KiB (401)', functionUrlEvent(`payload=${'x'.repeat(140_000)}`), 401, 'body of 140008 bytes is over 131072'],
  ])('refuses %s: posts nothing, calls no AWS, counts it and logs why without the body', async (_, event, status, reason) => {
    const invoke = await coldStart();
    const response = await invoke(event);
    expect(response.statusCode).toBe(status);
    expect(response.body).not.toContain('payload');
    if (status === 405) expect(response.headers.allow).toBe('POST');
    expect(api.calls).toEqual([]);
    expect(lambda.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(rejectedCount()).toBe(1);
    expect(refusals().map((l) => [l.level, l.fields.reason, l.fields.status, l.fields.source_ip, l.fields.request_id])).toEqual([
      ['warn', reason, status, '123.123.123.123', 'url-req-1'],
    ]);
    expect(output.text()).not.toContain('block_actions');
  });

  it('reads the signing secret from SSM (decrypted) and makes no other AWS call to refuse a forged request', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: TEST_SIGNING_SECRET } });
    const invoke = await coldStart({
      SLACK_SIGNING_SECRET: '',
      SLACK_SIGNING_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/slack-signing-secret',
    });
    expect((await invoke(signedClick({}, { secret: 'forged' }))).statusCode).toBe(401);
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/deploybridge/myproject/dev/slack-signing-secret', WithDecryption: true },
    ]);
    expect(lambda.calls()).toHaveLength(0);
    expect(rejectedCount()).toBe(1);
  });

  it("hands an approver's click off to an asynchronous invocation of itself, carrying the signed request as it came", async () => {
    const invoke = await coldStart();
    const event = signedClick({ actionId: 'deploybridge.approve', value: 'approval-1' });
    expect(await invoke(event)).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' });
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call?.args[0].input.FunctionName).toBe(FUNCTION);
    expect(call?.args[0].input.InvocationType).toBe('Event');
    const headers = event.headers as Record<string, string>;
    expect(payloadOf(call?.args[0].input.Payload)).toEqual({
      deploybridge: 'interaction',
      request: { timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'], body: event.body },
      requestId: 'url-req-1',
    });
    expect(api.calls).toEqual([]);
    expect(output.logs().find((l) => l.message === 'interaction handed off')?.fields).toMatchObject({
      action: 'deploybridge.approve',
      value: 'approval-1',
      user: 'U0APPROVER',
    });
    expect(rejectedCount()).toBe(0);
  });

  it('reads a base64-encoded body as Slack sent it: the signature is of the decoded body', async () => {
    const invoke = await coldStart();
    expect((await invoke(signedClick({}, { base64: true }))).statusCode).toBe(200);
    const payload = payloadOf(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload) as { request: { body: string } };
    expect(payload.request.body.startsWith('payload=')).toBe(true);
  });

  it('tells someone who is not an approver, on their own, that only approvers may act, and hands nothing off', async () => {
    const invoke = await coldStart();
    const event = signedClick({ user: { id: 'U0INTRUDER', name: 'mallory' }, responseUrl: responseUrl() });
    expect((await invoke(event)).statusCode).toBe(200);
    expect(lambda.calls()).toHaveLength(0);
    expect(api.calls.map((c) => [c.method, c.body.response_type, c.body.replace_original, c.body.text])).toEqual([
      ['actions/T0/1/response', 'ephemeral', false, 'Only approvers may approve or reject deployments: nothing was changed.'],
    ]);
    expect(output.logs().find((l) => l.message.includes('may not press'))?.fields).toMatchObject({
      user: 'U0INTRUDER',
      decision: 'not allowed',
      told: true,
    });
  });

  it('replies to no response_url but Slack’s own', async () => {
    const invoke = await coldStart();
    const event = signedClick({ user: { id: 'U0INTRUDER' }, responseUrl: 'https://attacker.example/collect' });
    expect((await invoke(event)).statusCode).toBe(200);
    expect(api.calls).toEqual([]);
    expect(output.logs().find((l) => l.message.includes('may not press'))?.fields.told).toBe(false);
  });

  it('answers a link button (not one deploybridge acts on) and an interaction that is not a click with 200, doing nothing', async () => {
    const invoke = await coldStart();
    expect((await invoke(signedClick({ actionId: 'WaXA', value: 'click_me_123' }))).statusCode).toBe(200);
    const shortcut = formBody({ type: 'shortcut', callback_id: 'x' });
    expect((await invoke(functionUrlEvent(shortcut, { headers: signingHeaders(shortcut, nowSeconds) }))).statusCode).toBe(200);
    expect(lambda.calls()).toHaveLength(0);
    expect(rejectedCount()).toBe(0);
  });

  it('tells the approver when the hand-off fails, and counts it', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));
    const invoke = await coldStart();
    expect((await invoke(signedClick({ responseUrl: responseUrl() }))).statusCode).toBe(200);
    expect(api.calls.map((c) => c.body.text)).toEqual([expect.stringContaining('could not act on your click')]);
    expect(output.metrics().some((m) => m.InteractionHandOffsFailed === 1)).toBe(true);
    expect(output.logs().find((l) => l.message === 'interaction not handed off')?.level).toBe('error');
  });

  describe('with every AWS answer taking 5 s', () => {
    /** Invokes and lets fake time run until the answer; returns it and how long it took in that time. */
    async function timed(invoke: (event: unknown) => Promise<Answer>, event: unknown) {
      const start = Date.now();
      let answered: { response: Answer; ms: number } | undefined;
      void invoke(event).then((response) => {
        answered = { response, ms: Date.now() - start };
      });
      for (let waited = 0; answered === undefined && waited < 10_000; waited += 50) await vi.advanceTimersByTimeAsync(50);
      return answered;
    }
    const slow =
      <T>(value: T) =>
      () =>
        new Promise<T>((resolve) => setTimeout(() => resolve(value), 5000));

    it('answers an approver 200 within 3 s though the hand-off has not answered', async () => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: NOW });
      lambda.on(InvokeCommand).callsFake(slow({ StatusCode: 202 }));
      const invoke = await coldStart();
      const answered = await timed(invoke, signedClick());
      expect(answered?.response.statusCode).toBe(200);
      expect(answered?.ms).toBeLessThan(3000);
      recordFigure('approval_click_answer_ms', answered?.ms ?? -1);
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
      expect(output.logs().find((l) => l.message === 'interaction handed off, not confirmed in time')?.fields.waited_ms).toBe(2000);
    });

    it('with the signing secret in SSM: a cold container answers within 3 s (503: not verified, try again); once SSM has answered, 200', async () => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: NOW });
      ssm.on(GetParameterCommand).callsFake(slow({ Parameter: { Value: TEST_SIGNING_SECRET } }));
      lambda.on(InvokeCommand).callsFake(slow({ StatusCode: 202 }));
      // Powertools caches a parameter per process: a name of its own, so that nothing cached answers it.
      const invoke = await coldStart({
        SLACK_SIGNING_SECRET: '',
        SLACK_SIGNING_SECRET_SSM_PARAMETER: '/deploybridge/myproject/dev/slow-signing-secret',
      });
      const first = await timed(invoke, signedClick());
      expect(first?.response.statusCode).toBe(503);
      expect(first?.ms).toBeLessThan(3000);
      expect(lambda.calls()).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(5000);
      const second = await timed(invoke, signedClick());
      expect(second?.response.statusCode).toBe(200);
      expect(second?.ms).toBeLessThan(3000);
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    });
  });

  describe('the asynchronous invocation a click is handed off to', () => {
    /** A hand-off event carrying `event`'s request as the Function URL would pass it on. */
    function handOffOf(event: Record<string, unknown>, change: Partial<{ timestamp: string; signature: string; body: string }> = {}) {
      const headers = event.headers as Record<string, string>;
      return {
        deploybridge: 'interaction',
        request: {
          timestamp: headers['x-slack-request-timestamp'],
          signature: headers['x-slack-signature'],
          body: event.body as string,
          ...change,
        },
        requestId: 'url-req-1',
      };
    }

    it.each([
      [
        'sent by someone else (not signed with the secret)',
        handOffOf(signedClick({}, { secret: 'forged', timestamp: nowSeconds })),
        'X-Slack-Signature does not match',
      ],
      [
        'replayed after the window (signed 10 minutes ago)',
        handOffOf(signedClick({}, { timestamp: nowSeconds - 600 })),
        'X-Slack-Request-Timestamp is 600 s from now (more than 300 s)',
      ],
      [
        'whose body was changed (another approver named)',
        handOffOf(signedClick({}, { timestamp: nowSeconds }), { body: formBody(clickPayload({ value: 'approval-2' })) }),
        'X-Slack-Signature does not match',
      ],
      [
        'of someone not an approver, signed',
        handOffOf(signedClick({ user: { id: 'U0INTRUDER' } }, { timestamp: nowSeconds })),
        'the user may not press this button',
      ],
      ['that is not one at all', { deploybridge: 'interaction', request: 'no' }, 'not a hand-off deploybridge sends'],
    ])('refuses a hand-off %s: nothing is done, it is counted and logged', async (_, event, reason) => {
      const invoke = await coldStart();
      expect(await invoke(event)).toEqual({ status: 'refused', reason });
      expect(api.calls).toEqual([]);
      expect(lambda.calls()).toHaveLength(0);
      expect(rejectedCount()).toBe(1);
      expect(output.logs().find((l) => l.message.startsWith('hand-off refused'))?.fields.reason).toBe(reason);
    });
  });
});
