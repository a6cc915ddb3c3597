import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSample, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeTaskDefinitionCommand, sentCommands, serviceUpdated, taskDefinition, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { DescribeImagesCommand } from '../helpers/reads.js';

/** A custom event as EventBridge delivers a `put-events` entry (shape of the documented sample). */
function manual(detail: Record<string, unknown>, source = 'action.deploy') {
  return { ...awsSample('custom/custom-event-as-delivered-sqs-body.json'), account: '123456789012', source, 'detail-type': 'Manual Deploy', detail };
}

describe('manual deploys (action.production, action.deploy)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each(['action.deploy', 'action.production'])('%s deploys the latest revision of the service', async (source) => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api', reason: 'Hotfix' }, source));
    expect(sentCommands(ecsMock)).toEqual([
      {
        command: 'UpdateServiceCommand',
        input: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', taskDefinition: 'myproject_service_api_dev', forceNewDeployment: true },
      },
    ]);
    expect(notifier.sent[0]?.facts).toContainEqual(['Trigger', `manual deploy via ${source}: Hotfix`]);
  });

  it.each([['backend'], ['']])('service %j means the backend', async (service) => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:9'));
    await app.handle(manual({ service }));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_dev' });
  });

  it.each([
    ['an ARN', 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'],
    ['family:revision', 'myproject_service_dev:42'],
  ])('deploys the task definition it names (%s)', async (_what, taskDefinition) => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(manual({ service: 'backend', task_definition: taskDefinition }));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition });
  });

  it('the pinned sample in events/ deploys revision 42 of the backend', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(projectEvent('manual-deploy-backend-pinned.json'));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_dev', taskDefinition: 'myproject_service_dev:42' });
  });

  it('refuses a task definition of another family: logged, Slack error, nothing deployed', async () => {
    const { app, ecsMock, notifier, metrics } = testApp();
    const result = await app.handle(manual({ service: 'api', task_definition: 'myproject_service_worker_dev:3' }));
    expect(result.status).toBe('rejected');
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsRejected: 1 });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'error', title: 'Manual deploy refused' });
    const warnings = output.logs().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('is not of family myproject_service_api_dev');
    expect(warnings[0]?.fields.event_id).toBe('def3d99b-806b-5d92-d036-9e0884bdc387');
  });

  it.each([
    ['no service', { reason: 'x' }],
    ['a service that is not a string', { service: 42 }],
    ['a path in the service', { service: '../prod' }],
    ['a wildcard', { service: '*' }],
    ['whitespace', { service: 'api ' }],
  ])('refuses %s', async (_what, detail) => {
    const { app, ecsMock, metrics, notifier } = testApp();
    expect((await app.handle(manual(detail))).status).toBe('rejected');
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsRejected: 1 });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
  });

  describe('authorisation', () => {
    async function refused(env: Record<string, string>, event: Record<string, unknown>, reason: RegExp) {
      const { app, ecsMock, metrics, notifier } = testApp(env);
      const result = await app.handle(event);
      expect(result).toMatchObject({ status: 'rejected', reason: expect.stringMatching(reason) });
      expect(ecsMock.calls()).toHaveLength(0);
      expect(metrics.counts).toEqual({ EventsRejected: 1 });
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Manual deploy refused']);
      expect(output.logs().filter((l) => l.level === 'warn')).toHaveLength(1);
    }

    it('refuses senders outside MANUAL_DEPLOY_ACCOUNTS and accepts those inside', async () => {
      await refused({ MANUAL_DEPLOY_ACCOUNTS: '111111111111, 222222222222' }, manual({ service: 'api' }), /account "123456789012" is not in MANUAL_DEPLOY_ACCOUNTS/);
      const { app, ecsMock } = testApp({ MANUAL_DEPLOY_ACCOUNTS: '111111111111,123456789012' });
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
      await app.handle(manual({ service: 'api' }));
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    it.each(['prod', 'production'])('in the protected env %s, only action.production is accepted', async (env) => {
      await refused({ PROJECT_ENV: env }, manual({ service: 'api' }, 'action.deploy'), /is a protected env/);
      const { app, ecsMock } = testApp({ PROJECT_ENV: env });
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_${env}:9`));
      await app.handle(manual({ service: 'api' }, 'action.production'));
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: `myproject_service_api_${env}` });
    });

    it('PROTECTED_ENVS can name other envs, or none', async () => {
      await refused({ PROTECTED_ENVS: 'dev' }, manual({ service: 'api' }, 'action.deploy'), /is a protected env/);
      const { app, ecsMock } = testApp({ PROJECT_ENV: 'prod', PROTECTED_ENVS: '' });
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_prod:9'));
      await app.handle(manual({ service: 'api' }, 'action.deploy'));
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    it.each([
      ['another account', 'arn:aws:ecs:us-east-1:999999999999:task-definition/myproject_service_api_dev:3'],
      ['another region', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/myproject_service_api_dev:3'],
    ])('refuses a task definition of %s', async (_what, taskDefinition) => {
      await refused({}, manual({ service: 'api', task_definition: taskDefinition }), /belongs to account/);
    });
  });

  it('does nothing when ENABLE_MANUAL_DEPLOY is off', async () => {
    const { app, ecsMock } = testApp({ ENABLE_MANUAL_DEPLOY: 'false' });
    expect((await app.handle(manual({ service: 'api' }))).status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('rejects events of unknown sources', async () => {
    const { app, ecsMock, metrics } = testApp();
    const result = await app.handle(awsSample('custom/custom-event-as-delivered-sqs-body.json'));
    expect(result).toMatchObject({ status: 'rejected', reason: 'unknown event source "my.aws.events.cli"' });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsRejected: 1 });
  });
});

describe('manual deploys with ECR_SCAN_GATE: not gated, but the scan counts are shown', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

  it('deploys an image with critical findings, and the message shows its counts', async () => {
    const { app, ecsMock, ecrMock, notifier } = testApp({ ECR_SCAN_GATE: 'HIGH' });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition('myproject_service_api_dev', 9, [`${REGISTRY}/myproject_service_api:v1.4.2`, 'public.ecr.aws/datadog/agent:7', `${REGISTRY}/myproject_service_worker:v2`]));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: 'sha256:3f9c1e2d4b5a6978', imageTags: ['v1.4.2'], imageSizeInBytes: 182_000_000, imageScanStatus: { status: 'COMPLETE' }, imageScanFindingsSummary: { findingSeverityCounts: { CRITICAL: 2, HIGH: 1 } } }],
    });
    await app.handle(manual({ service: 'api', reason: 'Hotfix' }));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_api_dev', taskDefinition: 'myproject_service_api_dev' });
    // Only the service's own image: not the sidecar, not another service's repository.
    expect(sentCommands(ecrMock)).toEqual([{ command: 'DescribeImagesCommand', input: { repositoryName: 'myproject_service_api', imageIds: [{ imageTag: 'v1.4.2' }] } }]);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_service_api_dev' });
    expect(notifier.sent[0]?.facts).toContainEqual(['Image scan', '`v1.4.2`, sha256:3f9c1e2…, 182 MB: CRITICAL 2, HIGH 1 (not gated: a manual deploy)']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({ image_scans: [{ repository: 'myproject_service_api', digest: 'sha256:3f9c1e2d4b5a6978', status: 'COMPLETE', counts: { CRITICAL: 2, HIGH: 1 } }] });
  });

  it('reads the revision a pinned request names, by digest when the image is pinned', async () => {
    const { app, ecsMock, ecrMock } = testApp({ ECR_SCAN_GATE: 'CRITICAL' });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition('myproject_service_dev', 42, [`${REGISTRY}/myproject_backend@sha256:abc`]));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(manual({ service: 'backend', task_definition: 'myproject_service_dev:42' }));
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_service_dev:42' });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'myproject_backend', imageIds: [{ imageDigest: 'sha256:abc' }] });
  });

  it('a failed read deploys all the same, without counts and with a warn log', async () => {
    const { app, ecsMock, notifier } = testApp({ ECR_SCAN_GATE: 'HIGH' });
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client' }));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api' }));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notifier.sent[0]?.facts.map(([label]) => label)).not.toContain('Image scan');
    expect(output.logs().find((l) => l.message === 'image scans not read: the message shows none')).toMatchObject({ level: 'warn', fields: { service: 'api', error_name: 'AccessDeniedException' } });
  });

  it('without the gate, a manual deploy makes no read at all', async () => {
    const { app, ecsMock, ecrMock } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api' }));
    expect(sentCommands(ecsMock).map((c) => c.command)).toEqual(['UpdateServiceCommand']);
    expect(ecrMock.calls()).toHaveLength(0);
  });
});
