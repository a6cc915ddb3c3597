/**
 * The lifecycle hook in the thread of the deployment deploybridge follows, through the Lambda entry
 * point as deployed: an approved push starts the deployment (its message and thread in Slack on
 * 127.0.0.1, its record on dynalite); ECS's hook invocations then add a line per stage, the bake
 * one line updated at each call, a failed smoke check a reply in the thread (not a message of its
 * own), and the outcome of the rolled-back deployment names the check that failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { DescribeServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiPush, approvalHandler, approvalIdOf, fieldsOf, titleOf, type ApprovalParts } from '../helpers/approvalHandler.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { slackText } from '../../src/local/thread.js';

const CLUSTER = 'myproject_cluster_dev';
const SERVICE = 'myproject_service_api_dev';
const SERVICE_ARN = `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${SERVICE}`;
const SERVICE_DEPLOYMENT = `arn:aws:ecs:us-east-1:123456789012:service-deployment/${CLUSTER}/${SERVICE}/EZe5RNVLH6PPzHXINuP28`;
const REVISION = `arn:aws:ecs:us-east-1:123456789012:service-revision/${CLUSTER}/${SERVICE}/9313423515462893900`;
const DEPLOYMENT_ID = 'ecs-svc/1234567890123456789';
const ROLLBACK_ID = 'ecs-svc/9999999999999999999';
const NOW = new Date('2026-03-02T10:00:00Z');

/** A documented hook invocation for this project's api service. */
function invocation(sample: string, hookDetails?: Record<string, unknown>) {
  const payload = awsSample(`ecs/${sample}`) as unknown as { executionDetails: Record<string, unknown> } & Record<string, unknown>;
  return {
    ...payload,
    resourceArn: SERVICE_DEPLOYMENT,
    executionDetails: { ...payload.executionDetails, serviceArn: SERVICE_ARN, targetServiceRevisionArn: REVISION },
    ...(hookDetails === undefined ? {} : { hookDetails }),
  };
}

const ecsEvent = (file: string, id: string, detail: Record<string, unknown>) =>
  adapt(`ecs/${file}`, detail, { id, time: new Date().toISOString(), resources: [SERVICE_ARN] });

describe('the lifecycle hook in the followed deployment’s thread', () => {
  let smokeUrl: string;
  let closeSmoke: () => Promise<void>;
  let status = 200;
  beforeEach(async () => {
    status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'upstream unavailable');
    });
    ({ baseUrl: smokeUrl, close: closeSmoke } = await listenOnLoopback(server));
  });
  afterEach(async () => {
    await closeSmoke();
  });

  const handler = approvalHandler({ tablePrefix: 'hook-thread', env: { APPROVERS: 'U0APPROVER' } });
  let api: ApprovalParts['api'];
  beforeEach(() => {
    const { ecs } = handler.parts();
    ({ api } = handler.parts());
    // Why tasks failed: no stopped task, no service event (the hook's check is the reason).
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: SERVICE, events: [] }] });
  });

  /** An approved push of the api, in progress; the hook checks smoke at POST_TEST_TRAFFIC_SHIFT and bakes 10 min at POST_PRODUCTION_TRAFFIC_SHIFT. */
  async function followed() {
    const rollout = {
      api: {
        smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${smokeUrl}/health`, expect_status: 200, expect_body: 'ok' }],
        bake: { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', minutes: 10 },
      },
    };
    const invoke = await handler.coldStart({ ROLLOUT_CONFIG: JSON.stringify(rollout) });
    await invoke(apiPush('v1.4.3', 'push-1'));
    await handler.click(invoke, approvalIdOf(handler.requests()[0]));
    await invoke(ecsEvent('deployment-in-progress.json', 'ecs-1', { deploymentId: DEPLOYMENT_ID }));
    return invoke;
  }
  const deploymentTs = () => api.messages[0]?.ts;
  const threadReplies = () => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === deploymentTs());
  const topLevel = () => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === undefined);

  it('a deployment deploybridge did not start: the failed check is a message of its own, no thread line', async () => {
    const invoke = await handler.coldStart({
      ROLLOUT_CONFIG: JSON.stringify({ api: { smoke: [{ stage: 'POST_TEST_TRAFFIC_SHIFT', url: `${smokeUrl}/health` }] } }),
    });
    status = 503;
    await expect(invoke(invocation('lifecycle-hook-invocation-post-test-traffic-shift.json'))).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(topLevel().map(titleOf)).toEqual(['Rollout check failed: api at POST_TEST_TRAFFIC_SHIFT']);
    expect(api.calls.filter((c) => c.body.thread_ts !== undefined)).toEqual([]);
  });

  it('a stage that passes adds a line: the stage, the checks run, the result, the time', async () => {
    const invoke = await followed();
    await expect(invoke(invocation('lifecycle-hook-invocation-post-test-traffic-shift.json'))).resolves.toEqual({
      hookStatus: 'SUCCEEDED',
    });
    const [line] = threadReplies().filter((c) => titleOf(c)?.startsWith('Rollout check'));
    expect(titleOf(line)).toBe('Rollout check passed at POST_TEST_TRAFFIC_SHIFT: api');
    expect(fieldsOf(line)).toEqual(
      expect.arrayContaining([
        '*Stage*\nPOST_TEST_TRAFFIC_SHIFT',
        '*Check: smoke*\npassed: 1 smoke URL OK',
        '*Result*\nSUCCEEDED (passed: ECS moves on)',
        '*Time*\n2026-03-02 10:00 UTC',
      ]),
    );
  });

  it('the bake is one line, updated at each call until it is done', async () => {
    const invoke = await followed();
    const first = (await invoke(invocation('lifecycle-hook-invocation-post-production-traffic-shift.json'))) as {
      hookStatus: string;
      hookDetails: Record<string, unknown>;
    };
    expect(first.hookStatus).toBe('IN_PROGRESS');
    vi.setSystemTime(new Date(NOW.getTime() + 5 * 60_000));
    await invoke(invocation('lifecycle-hook-invocation-post-production-traffic-shift.json', first.hookDetails));
    vi.setSystemTime(new Date(NOW.getTime() + 10 * 60_000));
    await expect(invoke(invocation('lifecycle-hook-invocation-post-production-traffic-shift.json', first.hookDetails))).resolves.toEqual({
      hookStatus: 'SUCCEEDED',
    });
    const bakeLines = threadReplies().filter((c) => titleOf(c)?.startsWith('Bake'));
    expect(bakeLines).toHaveLength(1);
    const updates = api.calls.filter((c) => c.method === 'chat.update' && titleOf(c)?.startsWith('Bake'));
    expect(new Set(updates.map((c) => c.body.ts)).size).toBe(1);
    expect(updates[0]?.body.ts).not.toBe(deploymentTs());
    expect(api.messages[0]?.replies.filter((r) => r.title.includes('Bake'))).toEqual([
      { colour: '#2EB67D', title: ':white_check_mark: Bake passed at POST_PRODUCTION_TRAFFIC_SHIFT: api' },
    ]);
    expect(updates.map(titleOf)).toEqual([
      'Bake in progress at POST_PRODUCTION_TRAFFIC_SHIFT: api',
      'Bake passed at POST_PRODUCTION_TRAFFIC_SHIFT: api',
    ]);
  });

  it('a canary whose smoke check fails: FAILED, the failure in the thread (no message of its own), and the rolled-back outcome names the check', async () => {
    const invoke = await followed();
    status = 500;
    await expect(invoke(invocation('lifecycle-hook-invocation-post-test-traffic-shift.json'))).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(topLevel().map(titleOf)).toEqual(['Approval needed: api']);
    const failure = threadReplies().find((c) => titleOf(c) === 'Rollout check failed: api at POST_TEST_TRAFFIC_SHIFT');
    expect(failure?.body.attachments?.[0]?.color).toBe('#E01E5A');
    expect(fieldsOf(failure).join('\n')).toContain(`smoke ${smokeUrl}/health: status 500, expected 200`);

    // ECS rolls the deployment back on the FAILED answer.
    await invoke(
      ecsEvent('deployment-failed.json', 'ecs-2', { deploymentId: DEPLOYMENT_ID, reason: 'ECS deployment failed: lifecycle hook failed.' }),
    );
    await invoke(
      ecsEvent('deployment-in-progress-rollback.json', 'ecs-3', {
        deploymentId: ROLLBACK_ID,
        reason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0000000000000000001.',
      }),
    );
    await invoke(
      ecsEvent('deployment-completed.json', 'ecs-4', { deploymentId: ROLLBACK_ID, reason: `ECS deployment ${ROLLBACK_ID} completed.` }),
    );
    const outcome = api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === deploymentTs()).at(-1);
    expect(titleOf(outcome)).toBe('Deployment rolled back: api');
    expect(fieldsOf(outcome).join('\n')).toContain(`*Check failed at POST_TEST_TRAFFIC_SHIFT*\nsmoke ${smokeUrl}/health: status 500`);

    // What the on-call engineer sees, as text, call by call: kept in reports/ for the docs and the closing note.
    const text = api.calls
      .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update')
      .map((c) => [`${c.method}${c.body.thread_ts === undefined ? '' : ' (in thread)'}`, ...slackText(c.body as never, '  ')].join('\n'));
    mkdirSync('reports', { recursive: true });
    writeFileSync('reports/slack-canary-smoke-failure.txt', `${text.join('\n\n').replaceAll(smokeUrl, 'http://127.0.0.1:PORT')}\n`);
  });
});
