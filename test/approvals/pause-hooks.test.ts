/**
 * Pause hooks and Roll back in Slack, through the Lambda entry point as deployed: ECS's `ECS Hook
 * State Change` event (HOOK_AWAITING_ACTION) posts the pause with Continue and Roll back; an
 * approver's click, verified and handed off as an approval is, calls ContinueServiceDeployment
 * once; a followed deployment in progress offers Roll back, which calls StopServiceDeployment once.
 * The deployments table on dynalite, Slack on 127.0.0.1, ECS mocked with the documented shapes.
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiPush, approvalHandler, approvalIdOf, buttonsOf, fieldsOf, titleOf, type ApprovalParts } from '../helpers/approvalHandler.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { signedClick } from '../helpers/slackInteractions.js';

const CLUSTER = 'myproject_cluster_dev';
const SERVICE = 'myproject_service_api_dev';
const SERVICE_ARN = `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${SERVICE}`;
const SERVICE_DEPLOYMENT = `arn:aws:ecs:us-east-1:123456789012:service-deployment/${CLUSTER}/${SERVICE}/0EYSiB0qap8xf0N76FsbE`;
const REVISION = `arn:aws:ecs:us-east-1:123456789012:service-revision/${CLUSTER}/${SERVICE}/1234567890123456789`;
const HOOK_ID = 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw';
const NOW = new Date('2026-03-02T10:00:00Z');
const EXPIRES = '2026-03-02T10:10:00Z';

/** The documented HOOK_AWAITING_ACTION event, for this project's api service. */
function paused(id = 'hook-1', expiresAt = EXPIRES) {
  return adapt(
    'ecs/hook-state-change-awaiting-action.json',
    {
      serviceArn: SERVICE_ARN,
      clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`,
      serviceDeploymentArn: SERVICE_DEPLOYMENT,
      expiresAt,
    },
    { id, time: NOW.toISOString(), resources: [SERVICE_DEPLOYMENT] },
  );
}

/** DescribeServiceDeployments' documented answer (paused at a hook), for this deployment, with the requested weights ECS reports. */
function described() {
  const sample = awsSample('ecs/api-describe-service-deployments-response-paused-at-hook.json') as unknown as {
    serviceDeployments: Array<
      Record<string, unknown> & { targetServiceRevision: Record<string, unknown>; lifecycleHookDetails: Array<Record<string, unknown>> }
    >;
  };
  const [deployment] = sample.serviceDeployments;
  return {
    serviceDeployments: [
      {
        ...deployment,
        serviceDeploymentArn: SERVICE_DEPLOYMENT,
        serviceArn: SERVICE_ARN,
        targetServiceRevision: {
          ...deployment?.targetServiceRevision,
          arn: REVISION,
          requestedTestTrafficWeight: 100,
          requestedProductionTrafficWeight: 0,
        },
        lifecycleHookDetails: [{ ...deployment?.lifecycleHookDetails[0], hookId: HOOK_ID, expiresAt: new Date(EXPIRES) }],
        updatedAt: new Date(EXPIRES),
      },
    ],
    failures: [],
  };
}

describe('pause hooks in Slack, through the handler', () => {
  const handler = approvalHandler({ tablePrefix: 'pauses', env: { APPROVERS: 'U0APPROVER' } });
  const { coldStart, click } = handler;
  let api: ApprovalParts['api'];
  let output: ApprovalParts['output'];
  let ecs: ApprovalParts['ecs'];
  let handOffs: unknown[];
  beforeEach(() => {
    ({ api, output, ecs, handOffs } = handler.parts());
    ecs.on(DescribeServiceDeploymentsCommand).resolves(described());
    ecs
      .on(ContinueServiceDeploymentCommand)
      .resolves(awsSample('ecs/api-continue-service-deployment-response.json') as { serviceDeploymentArn?: string });
  });

  const posts = () => api.calls.filter((c) => c.method === 'chat.postMessage');
  const updates = (ts: string | undefined) => api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === ts);
  const replies = () => api.calls.filter((c) => c.method.startsWith('actions/')).map((c) => c.body.text);
  const continued = () => ecs.commandCalls(ContinueServiceDeploymentCommand).map((c) => c.args[0].input);
  const log = (message: string) => output.logs().find((l) => l.message === message);

  it('HOOK_AWAITING_ACTION posts the pause: service, stage, revision under test, weights, timeout, Continue and Roll back (each confirmed)', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArns: [SERVICE_DEPLOYMENT] },
    ]);
    const [message] = posts();
    expect(posts()).toHaveLength(1);
    expect(message?.body.thread_ts).toBeUndefined();
    expect(titleOf(message)).toBe('Deployment paused: api');
    expect(fieldsOf(message)).toEqual(
      expect.arrayContaining([
        '*Status*\npaused: ECS waits for Continue or Roll back',
        '*Stage*\nPOST_TEST_TRAFFIC_SHIFT',
        '*Revision under test*\n1234567890123456789',
        '*Traffic*\ntest 100%, production 0%',
        '*Times out*\n2026-03-02 10:10 UTC (then ECS takes ROLLBACK)',
        `*Service deployment*\n${SERVICE_DEPLOYMENT}`,
      ]),
    );
    const [go, back] = buttonsOf(message);
    expect(go).toMatchObject({ action_id: 'deploybridge.hook.continue', style: 'primary', text: { text: 'Continue' } });
    expect(back).toMatchObject({ action_id: 'deploybridge.hook.rollback', style: 'danger', text: { text: 'Roll back' } });
    expect(go?.confirm).toBeDefined();
    expect(back?.confirm).toBeDefined();
    expect(log('deployment paused: waiting for an approver')?.fields).toMatchObject({
      service: 'api',
      hook_id: HOOK_ID,
      expires_at: EXPIRES,
    });
  });

  it('the same event delivered again posts nothing again', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    await invoke(paused());
    expect(posts()).toHaveLength(1);
  });

  it('pause → Continue: ContinueServiceDeployment with the service deployment, the hook and CONTINUE; the message says who continued', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    const message = posts()[0];
    vi.setSystemTime(new Date(NOW.getTime() + 60_000));
    const { result } = await click(invoke, approvalIdOf(message), 'hook.continue');
    expect(result).toEqual({ status: 'carried out', action: 'deploybridge.hook.continue' });
    expect(continued()).toEqual([{ serviceDeploymentArn: SERVICE_DEPLOYMENT, hookId: HOOK_ID, action: 'CONTINUE' }]);
    const [decided] = updates(message?.body.ts ?? api.messages[0]?.ts);
    expect(titleOf(decided)).toBe('Deployment continued: api');
    expect(buttonsOf(decided)).toEqual([]);
    expect(fieldsOf(decided)).toContain('*Continued by*\n<@U0APPROVER> at 2026-03-02 10:01 UTC');
    expect(log('pause decided: continue')?.fields).toMatchObject({
      service: 'api',
      approver: 'U0APPROVER',
      approver_name: 'alice',
      decision: 'continue',
    });
  });

  it('pause → Roll back: ContinueServiceDeployment with ROLLBACK; the message says who rolled back', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    await click(invoke, approvalIdOf(posts()[0]), 'hook.rollback');
    expect(continued()).toEqual([{ serviceDeploymentArn: SERVICE_DEPLOYMENT, hookId: HOOK_ID, action: 'ROLLBACK' }]);
    const [decided] = updates(api.messages[0]?.ts);
    expect(titleOf(decided)).toBe('Deployment rolled back: api');
    expect(fieldsOf(decided)).toContain('*Rolled back by*\n<@U0APPROVER> at 2026-03-02 10:00 UTC');
  });

  it('a double click calls ECS once; the second click is told who decided, on its own', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    const id = approvalIdOf(posts()[0]);
    await click(invoke, id, 'hook.continue');
    await click(invoke, id, 'hook.rollback');
    expect(continued()).toHaveLength(1);
    expect(replies()).toEqual(['Nothing was changed: this deployment was already continued by alice at 2026-03-02 10:00 UTC.']);
  });

  it('a non-approver click is refused, told to the clicker only; nothing is handed off or called', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    const answer = (await invoke(
      signedClick({
        actionId: 'deploybridge.hook.continue',
        value: approvalIdOf(posts()[0]),
        user: { id: 'U0SOMEONE', name: 'mallory' },
        responseUrl: handler.responseUrl(),
      }),
    )) as { statusCode: number };
    expect(answer.statusCode).toBe(200);
    expect(handOffs).toEqual([]);
    expect(continued()).toEqual([]);
    expect(replies()).toEqual(['Only approvers may continue or roll back deployments: nothing was changed.']);
  });

  it('a click after the hook timed out calls nothing; the message says it timed out', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    vi.setSystemTime(new Date(Date.parse(EXPIRES) + 1000));
    await click(invoke, approvalIdOf(posts()[0]), 'hook.continue');
    expect(continued()).toEqual([]);
    const [ended] = updates(api.messages[0]?.ts);
    expect(titleOf(ended)).toBe('Pause timed out: api');
    expect(fieldsOf(ended)).toContain('*Status*\ntimed out at 2026-03-02 10:10 UTC without a decision: ECS took ROLLBACK');
    expect(replies()).toEqual(['Nothing was changed: this pause timed out at 2026-03-02 10:10 UTC; ECS took ROLLBACK.']);
  });

  it('ECS unreachable: the hand-off fails (Lambda retries it) and its retry calls again, once more', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    ecs.on(ContinueServiceDeploymentCommand).rejectsOnce(Object.assign(new Error('busy'), { name: 'ThrottlingException', $retryable: {} }));
    const before = handOffs.length;
    await expect(click(invoke, approvalIdOf(posts()[0]), 'hook.continue')).rejects.toThrow('busy');
    await invoke(handOffs[before]);
    expect(continued()).toHaveLength(2);
    expect(titleOf(updates(api.messages[0]?.ts).at(-1))).toBe('Deployment continued: api');
  });

  it('ECS refuses the decision (the hook is no longer waiting): the message says so, nothing is retried', async () => {
    const invoke = await coldStart();
    await invoke(paused());
    ecs
      .on(ContinueServiceDeploymentCommand)
      .rejects(Object.assign(new Error('The hook is not awaiting action.'), { name: 'InvalidParameterException', $fault: 'client' }));
    const { result } = await click(invoke, approvalIdOf(posts()[0]), 'hook.continue');
    expect(result).toEqual({ status: 'carried out', action: 'deploybridge.hook.continue' });
    const [ended] = updates(api.messages[0]?.ts);
    expect(titleOf(ended)).toBe('Decision not taken: api');
    expect(fieldsOf(ended).join('\n')).toContain('The hook is not awaiting action.');
  });

  it('a pause of another cluster’s service posts nothing', async () => {
    const invoke = await coldStart();
    await invoke(awsSample('ecs/hook-state-change-awaiting-action.json'));
    expect(posts()).toEqual([]);
  });
});

describe('pause hooks without approvals', () => {
  const handler = approvalHandler({ tablePrefix: 'pauses-open', env: {} });
  it('posts the pause without buttons and says why in one log line', async () => {
    const { api, output, ecs } = handler.parts();
    ecs.on(DescribeServiceDeploymentsCommand).resolves(described());
    const invoke = await handler.coldStart();
    await invoke(paused());
    const [message] = api.calls.filter((c) => c.method === 'chat.postMessage');
    expect(titleOf(message)).toBe('Deployment paused: api');
    expect(buttonsOf(message)).toEqual([]);
    expect(fieldsOf(message).find((f) => f.startsWith('*Status*'))).toContain('no buttons: approvals are off');
    const why = output.logs().filter((l) => l.message.startsWith('deployment paused: no Continue or Roll back buttons posted'));
    expect(why).toHaveLength(1);
    expect(why[0]?.message).toContain('APPROVERS is not set');
  });
});

describe('a deployment deploybridge follows: the pause in its thread, Roll back while it is in progress', () => {
  const handler = approvalHandler({ tablePrefix: 'pauses-followed', env: { APPROVERS: 'U0APPROVER' } });
  const DEPLOYMENT_ID = 'ecs-svc/1234567890123456789';
  let api: ApprovalParts['api'];
  let ecs: ApprovalParts['ecs'];
  let output: ApprovalParts['output'];
  beforeEach(() => {
    ({ api, ecs, output } = handler.parts());
    ecs.on(DescribeServiceDeploymentsCommand).resolves(described());
    const listed = awsSample('ecs/api-list-service-deployments-response.json') as unknown as {
      serviceDeployments: Array<Record<string, unknown>>;
    };
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: listed.serviceDeployments.map((d) => ({
        ...d,
        serviceDeploymentArn: SERVICE_DEPLOYMENT,
        serviceArn: SERVICE_ARN,
        status: 'IN_PROGRESS' as const,
      })),
    });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SERVICE_DEPLOYMENT });
  });

  /** An approved push of the api: deploybridge started ECS deployment {@link DEPLOYMENT_ID}; ECS reports it in progress. */
  async function followed() {
    const invoke = await handler.coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    await handler.click(invoke, approvalIdOf(handler.requests()[0]));
    await invoke(
      adapt(
        'ecs/deployment-in-progress.json',
        { deploymentId: DEPLOYMENT_ID },
        { id: 'ecs-1', time: NOW.toISOString(), resources: [SERVICE_ARN] },
      ),
    );
    return invoke;
  }
  const deploymentTs = () => api.messages[0]?.ts;
  const lastUpdate = () => api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === deploymentTs()).at(-1);

  it('the deployment’s message carries Roll back (approvers only, confirmed) while it is in progress', async () => {
    await followed();
    const [rollback] = buttonsOf(lastUpdate());
    expect(rollback).toMatchObject({
      action_id: 'deploybridge.rollback',
      value: DEPLOYMENT_ID,
      style: 'danger',
      text: { text: 'Roll back' },
    });
    expect(rollback?.confirm).toMatchObject({ title: { text: 'Roll back api?' } });
  });

  it('the pause goes into the deployment’s thread', async () => {
    const invoke = await followed();
    await invoke(paused());
    const pause = api.calls.filter((c) => c.method === 'chat.postMessage' && titleOf(c) === 'Deployment paused: api');
    expect(pause).toHaveLength(1);
    expect(pause[0]?.body.thread_ts).toBe(deploymentTs());
    // Continue updates the pause's own reply in the thread, not the deployment's message.
    await handler.click(invoke, approvalIdOf(pause[0]), 'hook.continue');
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(1);
    expect(api.messages[0]?.replies.map((r) => r.title)).toContain(':white_check_mark: Deployment continued: api');
    expect(titleOf(lastUpdate())).toBe('Deployment in progress: api');
  });

  it('Roll back of a deployment in progress: StopServiceDeployment (ROLLBACK) of the service deployment ListServiceDeployments finds, once; the message says who', async () => {
    const invoke = await followed();
    await handler.click(invoke, DEPLOYMENT_ID, 'rollback');
    await handler.click(invoke, DEPLOYMENT_ID, 'rollback');
    expect(ecs.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, service: SERVICE, status: ['IN_PROGRESS'] },
    ]);
    expect(ecs.commandCalls(StopServiceDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArn: SERVICE_DEPLOYMENT, stopType: 'ROLLBACK' },
    ]);
    expect(buttonsOf(lastUpdate())).toEqual([]);
    expect(fieldsOf(lastUpdate())).toContain('*Rolled back by*\n<@U0APPROVER> at 2026-03-02 10:00 UTC');
    const reply = api.calls.find((c) => c.method === 'chat.postMessage' && titleOf(c) === 'Rolling back: api');
    expect(reply?.body.thread_ts).toBe(deploymentTs());
    expect(output.logs().filter((l) => l.message === 'roll back asked: StopServiceDeployment (ROLLBACK)')).toHaveLength(1);
  });

  it('the button disappears when the deployment ends', async () => {
    const invoke = await followed();
    await invoke(
      adapt(
        'ecs/deployment-completed.json',
        { deploymentId: DEPLOYMENT_ID },
        { id: 'ecs-2', time: NOW.toISOString(), resources: [SERVICE_ARN] },
      ),
    );
    expect(titleOf(lastUpdate())).toBe('Deployment completed: api');
    expect(buttonsOf(lastUpdate())).toEqual([]);
  });
});
