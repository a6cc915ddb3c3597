import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import {
  DescribeTaskDefinitionCommand,
  sentCommands,
  serviceUpdated,
  taskDefinition,
  testApp,
  UpdateServiceCommand,
} from '../helpers/app.js';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const FAMILY = 'myproject_service_api_dev';
const TD_ARN = `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:7`;

/** The AWS documentation's push sample, adapted to this project's repository naming. */
function push(repository: string, tag: string | null = 'v1.4.2') {
  const event = adapt('ecr/image-action-push-success.json', { 'repository-name': repository, 'image-tag': tag });
  if (tag === null) delete (event.detail as Record<string, unknown>)['image-tag'];
  return event;
}

describe('ECR push → ECS redeploy', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('redeploys the service whose task definition runs the pushed tag, with two AWS calls', async () => {
    const { app, ecsMock, notifier, metrics } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition(FAMILY, 7, [`${REGISTRY}/myproject_service_api:v1.4.2`, 'public.ecr.aws/datadog/agent:7']));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD_ARN, 'ecs-svc/9876'));

    const result = await app.handle(push('myproject_service_api'));

    expect(sentCommands(ecsMock)).toEqual([
      { command: 'DescribeTaskDefinitionCommand', input: { taskDefinition: FAMILY } },
      {
        command: 'UpdateServiceCommand',
        input: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', taskDefinition: TD_ARN, forceNewDeployment: true },
      },
    ]);
    expect(result).toMatchObject({
      status: 'planned',
      deployments: [{ service: 'api', status: 'started', deploymentId: 'ecs-svc/9876', attempts: 1 }],
    });
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1 });
    expect(metrics.triggers).toEqual(['ecr']);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'info', title: 'Deployment started: api', service: 'myproject_service_api_dev' });
    expect(notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Trigger', 'ECR push myproject_service_api:v1.4.2 (sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234)'],
        ['Deployment ID', 'ecs-svc/9876'],
        ['Task definition', `${FAMILY}:7`],
      ]),
    );
    const started = output.logs().find((l) => l.message === 'deployment started');
    expect(started?.fields).toMatchObject({
      service: 'api',
      deployment_id: 'ecs-svc/9876',
      task_definition: TD_ARN,
      attempt: 1,
      max_retries: 2,
    });
  });

  it("says which revision the service ran when the push moves it to another (from UpdateService's deployments)", async () => {
    const { app, ecsMock, notifier } = testApp();
    const previous = `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:41`;
    const next = `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:42`;
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 42, [`${REGISTRY}/myproject_service_api:v1.4.2`]));
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        taskDefinition: next,
        deployments: [
          { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: next, runningCount: 0 },
          {
            id: 'ecs-svc/0',
            status: 'ACTIVE',
            taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:40`,
            runningCount: 0,
          },
          { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: previous, runningCount: 3 },
        ],
      },
    });
    const result = await app.handle(push('myproject_service_api'));
    expect(result).toMatchObject({ deployments: [{ status: 'started', taskDefinition: next, previousTaskDefinition: previous }] });
    expect(notifier.sent[0]?.facts).toContainEqual(['Task definition', `${FAMILY}:41 → :42`]);
  });

  it('maps {project}_backend to the backend service', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition('myproject_service_dev', 3, [`${REGISTRY}/myproject_backend`]));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:3'));
    // An image with no tag runs `latest`, which is the sample's tag.
    await app.handle(adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_backend' }));
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_service_dev' });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_dev', cluster: 'myproject_cluster_dev' });
  });

  it('skips with one info log naming the tag the service runs', async () => {
    const { app, ecsMock, metrics, notifier } = testApp();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 7, [`${REGISTRY}/myproject_service_api:stable`]));
    const result = await app.handle(push('myproject_service_api', 'v2'));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    const skips = output.logs().filter((l) => l.message.startsWith('deployment skipped'));
    expect(skips).toHaveLength(1);
    expect(skips[0]).toMatchObject({ level: 'info', fields: { service: 'api', service_tag: 'stable', pushed_tag: 'v2' } });
    expect(skips[0]?.message).toContain('service runs tag stable, not the pushed tag v2');
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(notifier.sent).toEqual([]);
  });

  it('never redeploys an image pinned by digest, and says so', async () => {
    const { app, ecsMock } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(
        taskDefinition(FAMILY, 7, [
          `${REGISTRY}/myproject_service_api@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234`,
        ]),
      );
    await app.handle(push('myproject_service_api', 'latest'));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(output.logs().map((l) => l.message)).toContainEqual(expect.stringContaining('pinned by digest'));
  });

  it('treats an image without a tag as latest', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 7, [`${REGISTRY}/myproject_service_api`]));
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD_ARN));
    await app.handle(push('myproject_service_api', 'v1'));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    await app.handle(push('myproject_service_api', 'latest'));
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  it("ignores an image of the same name in another account's registry", async () => {
    const { app, ecsMock } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition(FAMILY, 7, ['999999999999.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1.4.2']));
    await app.handle(push('myproject_service_api'));
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('skips a push without image-tag before any AWS call', async () => {
    const { app, ecsMock, metrics } = testApp();
    await app.handle(push('myproject_service_api', null));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
  });

  it.each([
    ["another project's repository", () => push('otherproject_service_api')],
    ['a repository of neither form', () => push('my-repository-name')],
    [
      'an image deletion',
      () => ({
        ...awsSample('ecr/image-action-delete-success.json'),
        detail: { ...awsSample('ecr/image-action-delete-success.json').detail, 'repository-name': 'myproject_service_api' },
      }),
    ],
    ['an image scan', () => awsSample('ecr/image-scan-basic-not-handled.json')],
  ])('ignores %s without calling AWS', async (_what, event) => {
    const { app, ecsMock, metrics } = testApp();
    const result = await app.handle(event());
    expect(result.status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsIgnored: 1 });
  });

  it('does nothing when ENABLE_ECR_MONITORING is off', async () => {
    const { app, ecsMock } = testApp({ ENABLE_ECR_MONITORING: 'false' });
    const result = await app.handle(push('myproject_service_api'));
    expect(result).toMatchObject({ status: 'ignored', reason: 'ENABLE_ECR_MONITORING is off' });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('accepts the aws-lambda-go copy of the same sample', async () => {
    const { app, ecsMock } = testApp();
    const sample = awsSample('ecr/image-action-push-success.aws-lambda-go-testdata.json');
    const result = await app.handle({ ...sample, detail: { ...sample.detail, 'repository-name': 'foreign' } });
    expect(result.status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  describe('China and GovCloud: registry hosts and console links follow the partition', () => {
    it.each([
      [
        'cn-north-1',
        `123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn`,
        'https://console.amazonaws.cn/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=cn-north-1',
      ],
      [
        'us-gov-west-1',
        `123456789012.dkr.ecr.us-gov-west-1.amazonaws.com`,
        'https://console.amazonaws-us-gov.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-gov-west-1',
      ],
    ])('%s', async (region, registry, consoleUrl) => {
      const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws-us-gov';
      const arn = `arn:${partition}:ecs:${region}:123456789012:task-definition/${FAMILY}:7`;
      const { app, ecsMock, notifier } = testApp({ AWS_REGION: region });
      ecsMock.on(DescribeTaskDefinitionCommand).resolves({
        taskDefinition: {
          ...taskDefinition(FAMILY, 7, [`${registry}/myproject_service_api:v1.4.2`]).taskDefinition,
          taskDefinitionArn: arn,
        },
      });
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(arn));
      const event = { ...push('myproject_service_api'), region };
      const result = await app.handle(event);
      expect(result).toMatchObject({ status: 'planned', deployments: [{ status: 'started' }] });
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: arn });
      expect(notifier.sent[0]?.consoleUrl).toBe(consoleUrl);
    });

    it('a commercial-partition registry is not the China registry of the same account', async () => {
      const { app, ecsMock } = testApp({ AWS_REGION: 'cn-north-1' });
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .resolves(taskDefinition(FAMILY, 7, ['123456789012.dkr.ecr.cn-north-1.amazonaws.com/myproject_service_api:v1.4.2']));
      const result = await app.handle({ ...push('myproject_service_api'), region: 'cn-north-1' });
      expect(result).toMatchObject({ status: 'planned', deployments: [] });
      expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    });
  });
});
