import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { sentCommands, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { DescribeParametersCommand } from '../helpers/reads.js';

const change = (operation: 'create' | 'update' | 'delete', name: string) =>
  adapt(`ssm/parameter-store-change-${operation}-string.json`, { name });

describe('SSM Parameter Store change → redeploy', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each([['create'], ['update']] as const)(
    '%s restarts the revision the service runs: one UpdateService without a task definition',
    async (operation) => {
      const { app, ecsMock, notifier } = testApp();
      ecsMock.on(UpdateServiceCommand).resolves(restarted('myproject_service_api_dev:41'));
      await app.handle(change(operation, '/dev/myproject/api/DATABASE_URL'));
      expect(sentCommands(ecsMock)).toEqual([
        {
          command: 'UpdateServiceCommand',
          input: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', forceNewDeployment: true },
        },
      ]);
      expect(notifier.sent[0]?.facts).toContainEqual([
        'Trigger',
        `SSM parameter /dev/myproject/api/DATABASE_URL (${operation === 'create' ? 'Create' : 'Update'})`,
      ]);
      expect(notifier.sent[0]?.facts).toContainEqual([
        'Task definition',
        'myproject_service_api_dev:41 (unchanged: new tasks read the new configuration)',
      ]);
    },
  );

  it('a restart of a service still rolling out says which revisions ECS reports', async () => {
    const { app, ecsMock, notifier } = testApp();
    // The service is set to :42 while most tasks still run :41 (a rollout in progress, or a pin someone just made).
    ecsMock.on(UpdateServiceCommand).resolves(restarted('myproject_service_api_dev:42', 'myproject_service_api_dev:41'));
    await app.handle(change('update', '/dev/myproject/api/DATABASE_URL'));
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).not.toHaveProperty('taskDefinition');
    expect(notifier.sent[0]?.facts).toContainEqual(['Task definition', 'myproject_service_api_dev:41 → :42']);
  });

  it('maps the backend segment to the backend service', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:4'));
    await app.handle(change('update', '/dev/myproject/backend/SECRET_KEY'));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_dev', forceNewDeployment: true });
  });

  it('delete redeploys nothing and sends one Slack warning naming parameter and service', async () => {
    const { app, ecsMock, notifier, metrics } = testApp();
    await app.handle(change('delete', '/dev/myproject/api/DATABASE_URL'));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'warning', service: 'myproject_service_api_dev' });
    expect(notifier.sent[0]?.facts).toContainEqual(['Parameter', '/dev/myproject/api/DATABASE_URL']);
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
  });

  it.each([
    ['the docs sample (not under /{env}/{project}/)', 'MyExampleParameter'],
    ['another env', '/prod/myproject/api/DATABASE_URL'],
    ['another project', '/dev/otherproject/api/DATABASE_URL'],
    ['a path without a parameter name', '/dev/myproject/api'],
    ['a traversal', '/dev/myproject/../prod/X'],
  ])('skips %s with a debug log and no AWS call', async (_what, name) => {
    const { app, ecsMock, metrics } = testApp({ LOG_LEVEL: 'debug' });
    const result = await app.handle(change('update', name));
    expect(result.status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsIgnored: 1 });
    const ignored = output.logs().filter((l) => l.message.startsWith('event ignored'));
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.level).toBe('debug');
  });

  it('ignores the failed-validation Create sample of another parameter', async () => {
    const { app, ecsMock } = testApp();
    expect((await app.handle(awsSample('ssm/parameter-store-change-create-aws-ec2-image-datatype.json'))).status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('does nothing when ENABLE_SSM_MONITORING is off', async () => {
    const { app, ecsMock } = testApp({ ENABLE_SSM_MONITORING: '0' });
    expect((await app.handle(change('update', '/dev/myproject/api/X'))).status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('SSM: who changed the parameter (DescribeParameters, metadata only)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('names the last modifier and the version in the started message and log line; the value is never read', async () => {
    const { app, ecsMock, ssmMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:12'));
    ssmMock.on(DescribeParametersCommand).resolves({
      Parameters: [
        {
          Name: '/dev/myproject/api/DATABASE_URL',
          Type: 'SecureString',
          Version: 7,
          LastModifiedUser: 'arn:aws:iam::123456789012:user/alice',
          LastModifiedDate: new Date('2017-05-22T16:44:40Z'),
        },
      ],
    });
    await app.handle(change('update', '/dev/myproject/api/DATABASE_URL'));
    // One read, and only of metadata: no GetParameter(s) anywhere.
    expect(sentCommands(ssmMock)).toEqual([
      {
        command: 'DescribeParametersCommand',
        input: { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/dev/myproject/api/DATABASE_URL'] }] },
      },
    ]);
    expect(notifier.sent[0]?.facts).toContainEqual(['Changed by', 'arn:aws:iam::123456789012:user/alice (version 7)']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      changed_by: 'arn:aws:iam::123456789012:user/alice',
      parameter_version: 7,
    });
  });

  it('a parameter Parameter Store does not describe (deleted since) leaves who changed it unknown', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:12'));
    await app.handle(change('update', '/dev/myproject/api/DATABASE_URL'));
    expect(notifier.sent[0]?.facts).toContainEqual(['Changed by', 'unknown']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).not.toHaveProperty('changed_by');
  });

  it('a failed DescribeParameters still redeploys; who changed it stays unknown and a warn log says why', async () => {
    const { app, ecsMock, ssmMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:12'));
    ssmMock
      .on(DescribeParametersCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: ssm:DescribeParameters'), { name: 'AccessDeniedException', $fault: 'client' }),
      );
    await app.handle(change('update', '/dev/myproject/api/DATABASE_URL'));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notifier.sent[0]?.facts).toContainEqual(['Changed by', 'unknown']);
    expect(output.logs().find((l) => l.message === 'parameter not described: who changed it stays unknown')).toMatchObject({
      level: 'warn',
      fields: { parameter: '/dev/myproject/api/DATABASE_URL', error_name: 'AccessDeniedException' },
    });
  });

  it('a deleted parameter is not described', async () => {
    const { app, ssmMock } = testApp();
    await app.handle(change('delete', '/dev/myproject/api/DATABASE_URL'));
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

/**
 * An UpdateService response of a restart: the new PRIMARY deployment runs the service's task
 * definition, the ACTIVE one what ran before (the same revision unless a rollout was under way).
 */
function restarted(revision: string, running = revision) {
  const arn = (r: string) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${r}`;
  return {
    service: {
      taskDefinition: arn(revision),
      deployments: [
        { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: arn(revision), runningCount: 0 },
        { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: arn(running), runningCount: 3 },
      ],
    },
  };
}
