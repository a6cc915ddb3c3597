/**
 * The rehearsal tells the truth: for every sample in events/, the local run's plan and Slack
 * messages are what the function does when AWS answers exactly what the local run assumed. The
 * function is the Lambda entry point (src/index.ts) as deployed — configuration from its
 * environment, real SDK clients (answered by aws-sdk-client-mock with the local run's described
 * answers), the deployments table on dynalite, Slack through a bot token on a Slack-compatible
 * server on 127.0.0.1 — invoked with the local run's Lambda context.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { HandleResult } from '../../src/entry/app.js';
import { isFunctionUrlEvent } from '../../src/interactions/functionUrlEvent.js';
import { ROLLOUT_ACTIONS } from '../../src/interactions/rollout.js';
import { LOCAL_ACCOUNT, withLocalDefaults } from '../../src/local/defaults.js';
import { answerCall, describedAws, type DescribedCall } from '../../src/local/describedCalls.js';
import { otherBus, readLocalInput, type RawEvent } from '../../src/local/input.js';
import { batchSummary, hookSummary, planSummary } from '../../src/local/report.js';
import type { HookAnswer } from '../../src/rollout/hook.js';
import { isLifecycleHookInvocation } from '../../src/triggers/events.js';
import { runLocal } from '../../src/local/run.js';
import type { SlackPayload } from '../../src/slack/messages.js';
import { maskText } from '../../src/shared/redact.js';
import { parseInteraction } from '../../src/slack/interactions.js';
import { slackSignature } from '../../src/slack/signature.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { captureOutput } from '../helpers/logs.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { recordSuiteOutput } from '../helpers/suiteOutput.js';

const SAMPLES = [
  ...readdirSync('events')
    .filter((f) => f.endsWith('.json'))
    .map((f) => `events/${f}`),
  ...readdirSync('events/put-events').map((f) => `events/put-events/${f}`),
];

/** What a sample needs besides the embedded defaults: the release sequence is run with RELEASE_CONFIG (docs/releases.md). */
const SAMPLE_ENV: Record<string, Record<string, string>> = {
  'events/release-sequence.json': {
    RELEASE_CONFIG: JSON.stringify({
      api: { run_before: { family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], timeout_minutes: 20 } },
      worker: { after: ['api'] },
    }),
    DEPLOYMENTS_TABLE: 'local',
  },
};

/** Where the local run assumes deploybridge runs (its embedded defaults and account, region us-east-1). */
const ORIGIN = { region: 'us-east-1', account: LOCAL_ACCOUNT };

/** One Slack call, as the local run numbers them: message n, its update, a reply in its thread. */
interface SlackCall {
  kind: 'message' | 'update' | 'reply';
  message: number;
  payload: Pick<SlackPayload, 'text' | 'attachments'>;
}

/** The Slack calls the local run printed with --json: each heading line, then its Block Kit JSON indented by four. */
function printedSlackCalls(lines: string[]): SlackCall[] {
  const calls: SlackCall[] = [];
  let messages = 0;
  const heading = /^\s*Slack \(not sent\)(?:, (message|update of message|reply in the thread of message) (\d+))?: /;
  for (let i = 0; i < lines.length; i++) {
    const match = heading.exec(lines[i] ?? '');
    if (match === null || lines[i]?.endsWith(': no message')) continue;
    const start = lines.indexOf('    {', i + 1);
    const end = lines.indexOf('    }', start);
    const payload = JSON.parse(lines.slice(start, end + 1).join('\n')) as SlackPayload;
    const kind = match[1] === undefined || match[1] === 'message' ? 'message' : match[1] === 'update of message' ? 'update' : 'reply';
    const message = match[2] === undefined ? messages + 1 : Number(match[2]);
    if (kind === 'message') messages = Math.max(messages, message);
    calls.push({ kind, message, payload: { text: payload.text, attachments: payload.attachments } });
    i = end;
  }
  return calls;
}

/** What a Lambda invocation came to: the handler's answer, or its failure. */
type Invocation = { result: HandleResult | SQSBatchResponse | HookAnswer } | { failure: Error };

describe('the local run agrees with the function on the same answers', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let slack: Awaited<ReturnType<typeof startSlackApi>>;
  let output: ReturnType<typeof captureOutput>;
  let tables = 0;
  beforeAll(async () => {
    db = await startDynamoDb();
    slack = await startSlackApi();
    // Put-events entries get their id and time from the clock: both runs see the same instant.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-02T10:00:00Z') });
    output = captureOutput();
  });
  afterAll(async () => {
    output.restore();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await slack.close();
    await db.close();
  });

  /** Runs the function (the Lambda entry point) on a sample, answered as the local run answers. */
  async function runFunction(file: string) {
    const input = readLocalInput(file, ORIGIN);
    // With a Slack click, the local run takes the approvals' defaults too; with a lifecycle hook invocation, the rollout checks.
    const defaults = withLocalDefaults(
      { ...SAMPLE_ENV[file] },
      {
        clicks: input.events.some((event) => isFunctionUrlEvent(event)),
        hooks: input.events.some((event) => isLifecycleHookInvocation(event)),
      },
    ).env as Record<string, string>;
    const config = loadConfig(defaults);
    /** The events the Function URL handed off (Lambda `Invoke`, `Event`), to invoke as Lambda would. */
    const handOffs: unknown[] = [];
    const sequence = input.kind === 'sequence';
    const aws = describedAws(config, { account: ORIGIN.account, ...(sequence ? { sequence: input.events } : {}) });
    const calls: DescribedCall[] = [];
    let current: RawEvent = input.events[0] ?? {};
    const ofBatch = aws.eventOfBatchCall(input.events);
    const mocks = [
      ['ecs', mockClient(ECSClient)],
      ['lambda', mockClient(LambdaClient)],
      ['s3', mockClient(S3Client)],
      ['ecr', mockClient(ECRClient)],
      ['ssm', mockClient(SSMClient)],
      ['cloudwatch', mockClient(CloudWatchClient)],
    ] as const;
    for (const [service, mock] of mocks) {
      mock.send.callsFake(async (command: { input: object }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        const commandInput = command.input as Record<string, unknown>;
        if (service === 'lambda' && name === 'Invoke' && commandInput.InvocationType === 'Event') {
          handOffs.push(JSON.parse(new TextDecoder().decode(commandInput.Payload as Uint8Array)));
          return { $metadata: {}, StatusCode: 202 };
        }
        const event = input.kind === 'batch' ? ofBatch(service, commandInput) : current;
        const answered = answerCall(service, name, commandInput, aws.answers[service], event);
        calls.push(answered.call);
        return { $metadata: {}, ...answered.output };
      });
    }
    const table = `deployments-${++tables}`;
    await db.createTable(table);
    const env = {
      ...defaults,
      AWS_LAMBDA_FUNCTION_NAME: 'myproject-deploybridge-dev',
      AWS_REGION: ORIGIN.region,
      // Offline, one event (or batch) is a dry run; a sequence deploys (its writes described).
      DRY_RUN: String(!sequence),
      DEPLOYMENTS_TABLE: table,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_CHANNEL: 'C0DEPLOYS',
      SLACK_API_URL: slack.apiUrl,
    };
    vi.resetModules();
    // Each sample its own environment: what one set (APPROVERS, RELEASE_CONFIG) must not linger into the next.
    vi.unstubAllEnvs();
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = await import('../../src/index.js');
    const invoke = async (event: unknown): Promise<Invocation> => {
      try {
        return { result: (await handler(event, aws.context())) as HandleResult | SQSBatchResponse | HookAnswer };
      } catch (error) {
        return { failure: error as Error };
      }
    };
    const slackFrom = slack.calls.length;
    const messagesFrom = slack.messages.length;
    const handled: Array<{ event: RawEvent; invocation: Invocation; calls: DescribedCall[] }> = [];
    try {
      if (input.kind === 'batch') handled.push({ event: {}, invocation: await invoke(input.batch), calls: calls.splice(0) });
      else
        for (const [index, event] of input.events.entries()) {
          // An entry sent to a bus the install does not listen on never reaches the function.
          if (input.kind === 'entries' && otherBus(input.buses[index] ?? 'default', { ...config, ...ORIGIN }) !== undefined) continue;
          current = event;
          if (isFunctionUrlEvent(event)) {
            // Slack's click, signed now as the local run signs it; then the hand-off, as Lambda invokes it.
            // A pause's click is decided at the time the sample gives it (the pause's timeout is the
            // event's), as the local run decides it: the function runs at that time too.
            const body = String(event.body);
            const payload = parseInteraction(body);
            const rollout = payload.kind === 'click' && (Object.values(ROLLOUT_ACTIONS) as string[]).includes(payload.click.actionId);
            const now = Date.now();
            if (rollout) vi.setSystemTime((event.requestContext as { timeEpoch: number }).timeEpoch);
            const timestamp = String(Math.floor(Date.now() / 1000));
            const signature = slackSignature(config.slackSigningSecret ?? '', timestamp, body);
            const headers = { ...(event.headers as object), 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
            await invoke({ ...event, headers });
            for (const handOff of handOffs.splice(0)) await invoke(handOff);
            vi.setSystemTime(now);
            calls.splice(0);
            continue;
          }
          handled.push({ event, invocation: await invoke(event), calls: calls.splice(0) });
        }
    } finally {
      for (const [, mock] of mocks) mock.restore();
    }
    const numberOf = (ts: string | undefined) => slack.messages.slice(messagesFrom).findIndex((m) => m.ts === ts) + 1;
    let posted = 0;
    const slackCalls = slack.calls.slice(slackFrom).map((call): SlackCall => {
      const payload = { text: call.body.text ?? '', attachments: call.body.attachments as SlackPayload['attachments'] };
      if (call.method === 'chat.update') return { kind: 'update', message: numberOf(call.body.ts), payload };
      if (call.body.thread_ts !== undefined) return { kind: 'reply', message: numberOf(call.body.thread_ts), payload };
      return { kind: 'message', message: ++posted, payload };
    });
    return { kind: input.kind, handled, slackCalls };
  }

  it.each(SAMPLES)('%s', async (file) => {
    const printed: string[] = [];
    const code = await runLocal([file, '--json'], SAMPLE_ENV[file] ?? {}, (line) => printed.push(line));
    recordSuiteOutput(printed.join('\n'));
    const local = printed.join('\n');

    const fn = await runFunction(file);
    // What the function did, in the words of the local run's plan: the same deployments, skips,
    // notices and results, from the same AWS calls with the same answers.
    for (const { event, invocation, calls } of fn.handled) {
      if ('failure' in invocation) {
        expect(local).toContain(
          `Invocation failed (${fn.kind === 'batch' ? 'every record would return to the queue' : 'Lambda would retry the event'}): ${invocation.failure.message}`,
        );
        continue;
      }
      const summary =
        fn.kind === 'batch'
          ? batchSummary(
              output.logs().findLast((line) => line.message === 'batch handled')?.fields,
              invocation.result as SQSBatchResponse,
              calls,
            )
          : isLifecycleHookInvocation(event)
            ? hookSummary(
                invocation.result as HookAnswer,
                output.logs().findLast((line) => /^lifecycle hook (answered|failed)/.test(line.message))?.fields,
                event,
                calls,
              )
            : planSummary(invocation.result as HandleResult, event, calls);
      // Masked as the terminal masks what the local run prints (RunTask's clientToken reads as a token).
      const words = summary.map((line) => maskText(line));
      const at = printed.indexOf(words[0] ?? '');
      expect(at, words[0]).toBeGreaterThanOrEqual(0);
      const block = printed.slice(at, at + words.length);
      // A batch plans its events concurrently: its calls are the same, in an order of their own.
      if (fn.kind === 'batch') expect([...block].sort()).toEqual([...words].sort());
      else expect(block).toEqual(words);
    }
    expect(code).toBe(fn.handled.some(({ invocation }) => 'failure' in invocation) ? 1 : 0);
    // What Slack received, in order: each message, update and reply, as the local run printed it.
    expect(printedSlackCalls(printed)).toEqual(fn.slackCalls);
  });
});
