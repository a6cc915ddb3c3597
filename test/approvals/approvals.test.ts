/**
 * Approvals end to end, through the Lambda entry point as deployed (configuration from its
 * environment): events and clicks handled by `index.handler`, the deployments table on dynalite
 * (127.0.0.1), Slack's Web API and response URLs on 127.0.0.1, ECS, ECR and Lambda's hand-off
 * answered by aws-sdk-client-mock. A push waits for an approver; what a click on Approve deploys
 * is what the request showed; a rejected, expired or superseded request deploys nothing; a click
 * decides once.
 */
import { DescribeTaskDefinitionCommand, UpdateServiceCommand, type UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiPush, approvalHandler, approvalIdOf, buttonsOf, fieldsOf, titleOf, type ApprovalParts } from '../helpers/approvalHandler.js';
import { serviceUpdated, taskDefinition } from '../helpers/app.js';
import { projectEvent } from '../helpers/fixtures.js';
import { clickPayload, formBody, signedClick } from '../helpers/slackInteractions.js';
import { sqsBatch } from '../helpers/sqs.js';

const FAMILY = 'myproject_service_api_dev';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const revision = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:${n}`;
const NOW = new Date('2026-03-02T10:00:00Z');
const AMBER = '#ECB22E';
const BLUE = '#1D9BD1';
const RED = '#E01E5A';

describe('approvals through the handler', () => {
  const handler = approvalHandler({ tablePrefix: 'deployments', env: { APPROVERS: 'U0APPROVER,W0GRIDUSER' } });
  const { coldStart, click, requests, responseUrl } = handler;
  let api: ApprovalParts['api'];
  let output: ApprovalParts['output'];
  let ecs: ApprovalParts['ecs'];
  let handOffs: unknown[];
  beforeEach(() => {
    ({ api, output, ecs, handOffs } = handler.parts());
  });

  /** The ephemeral replies to whoever clicked. */
  const replies = () => api.calls.filter((c) => c.method.startsWith('actions/')).map((c) => c.body.text);
  /** UpdateService calls: what was deployed. */
  const deployed = () => ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.taskDefinition);
  const updatesOf = (ts: string | undefined) => api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === ts);
  const log = (message: string) => output.logs().find((l) => l.message === message);
  const metric = (name: string) => output.metrics().reduce((sum, m) => sum + Number(m[name] ?? 0), 0);

  it('a push waits for approval: nothing is deployed, one request is posted with Approve (primary, confirm) and Reject (danger)', async () => {
    const invoke = await coldStart();
    const result = (await invoke(apiPush('v1.4.3', 'push-1'))) as { deployments: Array<Record<string, unknown>> };
    expect(result.deployments).toEqual([{ service: 'api', status: 'awaiting approval', approvalId: expect.any(String) }]);
    expect(deployed()).toEqual([]);
    const [request] = requests();
    expect(requests()).toHaveLength(1);
    expect(request?.body.attachments?.[0]?.color).toBe(AMBER);
    expect(titleOf(request)).toBe('Approval needed: api');
    expect(fieldsOf(request)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('waiting for approval'),
        expect.stringContaining(`${FAMILY}:43`),
        expect.stringContaining('<@U0APPROVER>, <@W0GRIDUSER>'),
        expect.stringContaining('2026-03-03 10:00 UTC (in 24 h)'),
      ]),
    );
    const [approve, reject] = buttonsOf(request);
    expect(approve).toMatchObject({ action_id: 'deploybridge.approve', style: 'primary', text: { text: 'Approve' } });
    expect(approve?.confirm).toMatchObject({ title: { text: 'Deploy api?' }, confirm: { text: 'Approve and deploy' } });
    expect(reject).toMatchObject({ action_id: 'deploybridge.reject', style: 'danger', text: { text: 'Reject' } });
    expect(approve?.value).toBe(reject?.value);
    expect(metric('ApprovalsRequested')).toBe(1);
    expect(log('approval requested')?.fields).toMatchObject({
      service: 'api',
      event_id: 'push-1',
      decision: 'requested',
      approvers: ['U0APPROVER', 'W0GRIDUSER'],
      pinned: { taskDefinition: revision(43) },
    });
  });

  it('the same event delivered again asks nothing again', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    await invoke(apiPush('v1.4.3', 'push-1'));
    expect(requests()).toHaveLength(1);
    expect(metric('ApprovalsRequested')).toBe(1);
  });

  it('Approve deploys exactly the pinned revision though a newer one was registered since; the request’s message becomes the deployment’s and names the approver', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    const request = requests()[0];
    // Someone registers revision 44 while the request waits.
    ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 44, [`${IMAGE}:v1.4.4`]));
    vi.setSystemTime(new Date(NOW.getTime() + 10 * 60_000));
    const { result } = await click(invoke, approvalIdOf(request));
    expect(result).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    expect(deployed()).toEqual([revision(43)]);
    const updates = updatesOf(api.messages[0]?.ts);
    expect(updates.map((u) => [u.body.attachments?.[0]?.color, titleOf(u)])).toEqual([
      [BLUE, 'Approved: api'],
      [BLUE, 'Deployment started: api'],
    ]);
    for (const update of updates) {
      expect(buttonsOf(update)).toEqual([]);
      expect(fieldsOf(update)).toContain('*Approved by*\n<@U0APPROVER> at 2026-03-02 10:10 UTC');
    }
    // One message in the channel: the request became the deployment.
    expect(api.messages.map((m) => m.title)).toEqual([':rocket: Deployment started: api']);
    expect(metric('ApprovalsGranted')).toBe(1);
    expect(log('approval granted')?.fields).toMatchObject({
      service: 'api',
      approver: 'U0APPROVER',
      approver_name: 'alice',
      decision: 'approved',
      requested_at: NOW.toISOString(),
      decided_at: '2026-03-02T10:10:00.000Z',
    });
    expect(log('deployment started')?.fields).toMatchObject({
      approved_by: 'U0APPROVER',
      approved_by_name: 'alice',
      task_definition: revision(43),
    });
  });

  it('a manual deploy of the family pins the revision it resolves to when asked: approved later, that revision is deployed, not the newer one', async () => {
    const invoke = await coldStart();
    await invoke({ ...projectEvent('manual-deploy.json'), time: NOW.toISOString() });
    const request = requests()[0];
    expect(fieldsOf(request)).toEqual(expect.arrayContaining([`*Pinned*\nrevision ${FAMILY}:43`]));
    ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 44, [`${IMAGE}:v1.4.4`]));
    await click(invoke, approvalIdOf(request));
    expect(deployed()).toEqual([revision(43)]);
  });

  it('Reject: rejected by whom, nothing deployed', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    await click(invoke, approvalIdOf(requests()[0]), 'reject', { id: 'W0GRIDUSER', name: 'bob' });
    expect(deployed()).toEqual([]);
    const updates = updatesOf(api.messages[0]?.ts);
    expect(updates.map((u) => [u.body.attachments?.[0]?.color, titleOf(u)])).toEqual([[RED, 'Rejected: api']]);
    expect(fieldsOf(updates[0])).toContain('*Rejected by*\n<@W0GRIDUSER> at 2026-03-02 10:00 UTC');
    expect(buttonsOf(updates[0])).toEqual([]);
    expect(metric('ApprovalsRejected')).toBe(1);
    expect(log('approval rejected')?.fields).toMatchObject({ approver: 'W0GRIDUSER', decision: 'rejected' });
    // A later Approve on the rejected request changes nothing, and says why.
    await click(invoke, approvalIdOf(requests()[0]));
    expect(deployed()).toEqual([]);
    expect(replies()).toEqual([expect.stringContaining('this request was already rejected by bob')]);
  });

  it('Expired: a click after the expiry deploys nothing; the message and the one who clicked are told it expired', async () => {
    const invoke = await coldStart({ APPROVAL_EXPIRY_MINUTES: '60' });
    await invoke(apiPush('v1.4.3', 'push-1'));
    vi.setSystemTime(new Date(NOW.getTime() + 61 * 60_000));
    await click(invoke, approvalIdOf(requests()[0]));
    expect(deployed()).toEqual([]);
    expect(updatesOf(api.messages[0]?.ts).map((u) => [u.body.attachments?.[0]?.color, titleOf(u)])).toEqual([
      [AMBER, 'Approval expired: api'],
    ]);
    expect(replies()).toEqual(['Nothing was changed: this request expired at 2026-03-02 11:00 UTC.']);
    expect(metric('ApprovalsExpired')).toBe(1);
    expect(metric('ApprovalsGranted')).toBe(0);
  });

  it('Superseded: a later request for the service replaces the pending one, whose message loses its buttons and whose click changes nothing', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    await invoke(apiPush('v1.4.3', 'push-2', `sha256:${'2'.repeat(64)}`));
    const [first, second] = requests();
    expect(approvalIdOf(first)).not.toBe(approvalIdOf(second));
    const superseded = updatesOf(api.messages[0]?.ts);
    expect(superseded.map((u) => titleOf(u))).toEqual(['Approval superseded: api']);
    expect(buttonsOf(superseded[0])).toEqual([]);
    await click(invoke, approvalIdOf(first));
    expect(deployed()).toEqual([]);
    expect(replies()).toEqual(['Nothing was changed: a later request for api replaced this one.']);
    await click(invoke, approvalIdOf(second));
    expect(deployed()).toEqual([revision(43)]);
  });

  it('two approvers approving at once deploy once; the redelivered hand-off deploys nothing again', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    const id = approvalIdOf(requests()[0]);
    for (const user of [
      { id: 'U0APPROVER', name: 'alice' },
      { id: 'W0GRIDUSER', name: 'bob' },
    ])
      await invoke(signedClick({ actionId: 'deploybridge.approve', value: id, user, responseUrl: responseUrl() }));
    expect(handOffs).toHaveLength(2);
    const results = await Promise.all(handOffs.map((handOff) => invoke(handOff)));
    expect(results).toEqual([
      { status: 'carried out', action: 'deploybridge.approve' },
      { status: 'carried out', action: 'deploybridge.approve' },
    ]);
    expect(deployed()).toEqual([revision(43)]);
    expect(metric('ApprovalsGranted')).toBe(1);
    expect(replies()).toEqual([expect.stringContaining('this request was already approved by')]);
    // Lambda delivers an asynchronous event again (at least once): nothing more happens.
    await invoke(handOffs[0]);
    expect(deployed()).toEqual([revision(43)]);
  });

  describe('an asynchronous invocation naming a request', () => {
    it('that is pending, not signed by Slack: refused, nothing deployed, the request still pending', async () => {
      const invoke = await coldStart();
      await invoke(apiPush('v1.4.3', 'push-1'));
      const id = approvalIdOf(requests()[0]);
      const forged = {
        deploybridge: 'interaction',
        request: {
          timestamp: String(NOW.getTime() / 1000),
          signature: `v0=${'0'.repeat(64)}`,
          body: formBody(clickPayload({ value: id })),
        },
      };
      expect(await invoke(forged)).toEqual({ status: 'refused', reason: 'X-Slack-Signature does not match' });
      expect(deployed()).toEqual([]);
      expect(updatesOf(api.messages[0]?.ts)).toEqual([]);
      // Still pending: an approver's click approves it.
      await click(invoke, id);
      expect(deployed()).toEqual([revision(43)]);
    });

    it('that was rejected: nothing deployed', async () => {
      const invoke = await coldStart();
      await invoke(apiPush('v1.4.3', 'push-1'));
      const id = approvalIdOf(requests()[0]);
      await click(invoke, id, 'reject');
      await click(invoke, id, 'approve', { id: 'W0GRIDUSER', name: 'bob' });
      expect(deployed()).toEqual([]);
      expect(metric('ApprovalsGranted')).toBe(0);
    });

    it('already started: nothing deployed again', async () => {
      const invoke = await coldStart();
      await invoke(apiPush('v1.4.3', 'push-1'));
      const id = approvalIdOf(requests()[0]);
      await click(invoke, id);
      await click(invoke, id, 'approve', { id: 'W0GRIDUSER', name: 'bob' });
      expect(deployed()).toEqual([revision(43)]);
      expect(log('approval click changed nothing')?.fields).toMatchObject({ status: 'started', clicked: 'approve' });
    });

    it('that it does not know: nothing deployed, the one who clicked is told', async () => {
      const invoke = await coldStart();
      await click(invoke, 'no-such-request');
      expect(deployed()).toEqual([]);
      expect(replies()).toEqual([expect.stringContaining('this request is no longer known')]);
    });
  });

  it('a failed deployment after approval says so in the request’s message, with who approved it', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('Service not found'), { name: 'ServiceNotFoundException' }));
    await click(invoke, approvalIdOf(requests()[0]));
    const updates = updatesOf(api.messages[0]?.ts);
    expect(updates.map((u) => titleOf(u))).toEqual(['Approved: api', 'Deployment failed: api']);
    expect(fieldsOf(updates[1])).toContain('*Approved by*\n<@U0APPROVER> at 2026-03-02 10:00 UTC');
    expect(log('deployment failed')?.fields).toMatchObject({ approved_by: 'U0APPROVER' });
  });

  it('a transient failure after approval gives the request back and fails the invocation; Lambda’s retry of it deploys once', async () => {
    const invoke = await coldStart({ MAX_DEPLOYMENT_RETRIES: '0' });
    await invoke(apiPush('v1.4.3', 'push-1'));
    // As the SDK throws it: a client fault Lambda's retry can mend.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    ecs
      .on(UpdateServiceCommand)
      .rejectsOnce(throttled)
      .callsFake((input: UpdateServiceCommandInput) => serviceUpdated(input.taskDefinition ?? 'unknown'));
    const id = approvalIdOf(requests()[0]);
    await invoke(signedClick({ actionId: 'deploybridge.approve', value: id, responseUrl: responseUrl() }));
    const [handOff] = handOffs;
    await expect(invoke(handOff)).rejects.toThrow('approved deployment of api not finished; retried');
    expect(log('interaction not carried out: it is retried')?.level).toBe('error');
    // Lambda retries the asynchronous invocation with the same event.
    expect(await invoke(handOff)).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
    expect(metric('ApprovalsGranted')).toBe(1);
    expect(updatesOf(api.messages[0]?.ts).map((u) => titleOf(u))).toEqual([
      'Approved: api',
      'Deployment failed: api',
      'Deployment started: api',
    ]);
    // And once started, a further delivery deploys nothing.
    await invoke(handOff);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
  });

  it('a burst coalesced into one deployment asks once', async () => {
    const invoke = await coldStart();
    await invoke(sqsBatch([apiPush('v1.4.3', 'push-1'), apiPush('v1.4.3', 'push-2')]));
    expect(requests()).toHaveLength(1);
    expect(deployed()).toEqual([]);
  });

  it('a burst longer than one batch asks once: the later batches’ changes join the pending request, which says so, and approved it deploys once', async () => {
    const invoke = await coldStart();
    const digest = `sha256:${'1'.repeat(64)}`;
    expect(await invoke(sqsBatch([apiPush('v1.4.3', 'push-1', digest), apiPush('v1.4.3', 'push-2', digest)]))).toEqual({
      batchItemFailures: [],
    });
    expect(await invoke(sqsBatch([apiPush('v1.4.3', 'push-3', digest), apiPush('v1.4.3', 'push-4', digest)]))).toEqual({
      batchItemFailures: [],
    });
    const [request] = requests();
    expect(requests()).toHaveLength(1);
    expect(metric('ApprovalsRequested')).toBe(1);
    const ts = api.messages[0]?.ts;
    const updated = updatesOf(ts);
    expect(updated.map((u) => titleOf(u))).toEqual(['Approval needed: api']);
    expect(fieldsOf(updated[0])).toEqual(expect.arrayContaining([expect.stringContaining('+2 changes joined')]));
    expect(buttonsOf(updated[0]).map((b) => b.value)).toEqual([approvalIdOf(request), approvalIdOf(request)]);
    expect(log('approval joined: later changes wait for the pending request instead of asking again')?.fields).toMatchObject({
      service: 'api',
      approval_id: approvalIdOf(request),
      joined_events: ['push-3', 'push-4'],
      changes_joined: 2,
    });
    // A joined event delivered again changes nothing.
    await invoke(sqsBatch([apiPush('v1.4.3', 'push-3', digest)]));
    expect(requests()).toHaveLength(1);
    expect(updatesOf(ts)).toHaveLength(1);
    await click(invoke, approvalIdOf(request));
    expect(deployed()).toEqual([revision(43)]);
  });

  it('a push of another image while a request waits does not join it: it is asked again and supersedes it', async () => {
    const invoke = await coldStart();
    await invoke(sqsBatch([apiPush('v1.4.3', 'push-1', `sha256:${'1'.repeat(64)}`)]));
    await invoke(sqsBatch([apiPush('v1.4.3', 'push-2', `sha256:${'2'.repeat(64)}`)]));
    expect(requests()).toHaveLength(2);
    expect(updatesOf(api.messages[0]?.ts).map((u) => titleOf(u))).toEqual(['Approval superseded: api']);
    expect(log('approval joined: later changes wait for the pending request instead of asking again')).toBeUndefined();
  });

  it('DRY_RUN says what it would ask, with the message, and asks nothing', async () => {
    const invoke = await coldStart({ DRY_RUN: 'true' });
    await invoke(apiPush('v1.4.3', 'push-1'));
    expect(requests()).toEqual([]);
    const posted = api.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posted.map((c) => titleOf(c))).toEqual(['[DRY RUN] Would ask for approval: api']);
    expect(fieldsOf(posted[0])).toEqual(expect.arrayContaining([expect.stringContaining('<@U0APPROVER>, <@W0GRIDUSER>')]));
    expect(deployed()).toEqual([]);
    expect(metric('ApprovalsRequested')).toBe(0);
    expect(log('dry run: approval not asked')?.fields).toMatchObject({ dry_run: true, pinned: { taskDefinition: revision(43) } });
  });
});
