import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSample, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import {
  DescribeTaskDefinitionCommand,
  lambdaContext,
  sentCommands,
  serviceUpdated,
  taskDefinition,
  testApp,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { GetAliasCommand, lambdaApp, PublishVersionCommand, UpdateAliasCommand } from '../helpers/lambda-harness.js';
import { DescribeImagesCommand } from '../helpers/reads.js';
import { recordFigure } from '../reliability/figures.js';

/** A custom event as EventBridge delivers a `put-events` entry (shape of the documented sample). */
function unscoped(detail: Record<string, unknown>, source = 'action.deploy') {
  return {
    ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
    account: '123456789012',
    source,
    'detail-type': 'Manual Deploy',
    detail,
  };
}

/** A manual request for this deployment (env dev, project myproject), as requests must name them. */
function manual(detail: Record<string, unknown>, source = 'action.deploy') {
  return unscoped({ env: 'dev', project: 'myproject', ...detail }, source);
}

describe('manual deploys (action.production, action.deploy)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each(['action.deploy', 'action.production'])('%s deploys the latest revision of the service', async (source) => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api', reason: 'Hotfix' }, source));
    expect(sentCommands(ecsMock)).toEqual([
      {
        command: 'UpdateServiceCommand',
        input: {
          cluster: 'myproject_cluster_dev',
          service: 'myproject_service_api_dev',
          taskDefinition: 'myproject_service_api_dev',
          forceNewDeployment: true,
        },
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
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(manual({ service: 'backend', task_definition: taskDefinition }), lambdaContext());
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition });
  });

  it('the pinned sample in events/ deploys revision 42 of the backend', async () => {
    const { app, ecsMock } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(projectEvent('manual-deploy-backend-pinned.json'));
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      service: 'myproject_service_dev',
      taskDefinition: 'myproject_service_dev:42',
    });
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

  it('refuses a "__proto__" field, naming it, instead of dropping it before the strict check', async () => {
    const { app, ecsMock, metrics, notifier } = testApp();
    const detail = JSON.parse('{"service":"api","__proto__":{"task_definition":"myproject_service_api_dev:1"}}') as Record<string, unknown>;
    const result = await app.handle(manual(detail));
    expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining('unknown field "__proto__"') });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsRejected: 1 });
    expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Manual deploy refused']);
    expect(output.logs().filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  describe('authorisation', () => {
    async function refused(env: Record<string, string>, event: Record<string, unknown>, reason: RegExp) {
      const { app, ecsMock, metrics, notifier } = testApp(env);
      const result = await app.handle(event, lambdaContext());
      expect(result).toMatchObject({ status: 'rejected', reason: expect.stringMatching(reason) });
      expect(ecsMock.calls()).toHaveLength(0);
      expect(metrics.counts).toEqual({ EventsRejected: 1 });
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Manual deploy refused']);
      expect(output.logs().filter((l) => l.level === 'warn')).toHaveLength(1);
    }

    it('refuses senders outside MANUAL_DEPLOY_ACCOUNTS and accepts those inside', async () => {
      await refused(
        { MANUAL_DEPLOY_ACCOUNTS: '111111111111, 222222222222' },
        manual({ service: 'api' }),
        /account "123456789012" is not in MANUAL_DEPLOY_ACCOUNTS/,
      );
      const { app, ecsMock } = testApp({ MANUAL_DEPLOY_ACCOUNTS: '111111111111,123456789012' });
      ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
      await app.handle(manual({ service: 'api' }));
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    it.each(['prod', 'production'])('in the protected env %s, only action.production is accepted', async (env) => {
      await refused({ PROJECT_ENV: env }, manual({ service: 'api', env }, 'action.deploy'), /is a protected env/);
      const { app, ecsMock } = testApp({ PROJECT_ENV: env });
      ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_${env}:9`));
      await app.handle(manual({ service: 'api', env }, 'action.production'));
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: `myproject_service_api_${env}` });
    });

    it('PROTECTED_ENVS can name other envs, or none', async () => {
      await refused({ PROTECTED_ENVS: 'dev' }, manual({ service: 'api' }, 'action.deploy'), /is a protected env/);
      const { app, ecsMock } = testApp({ PROJECT_ENV: 'prod', PROTECTED_ENVS: '' });
      ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_prod:9'));
      await app.handle(manual({ service: 'api', env: 'prod' }, 'action.deploy'));
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    it.each([
      ['another account', 'arn:aws:ecs:us-east-1:999999999999:task-definition/myproject_service_api_dev:3'],
      ['another region', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/myproject_service_api_dev:3'],
    ])('refuses a task definition of %s', async (_what, taskDefinition) => {
      await refused({}, manual({ service: 'api', task_definition: taskDefinition }), /belongs to account/);
    });
  });

  describe('scope: a request names the env and project it is for', () => {
    const foreign = { requests: 0, awsCalls: 0, slackMessages: 0 };
    afterAll(() => {
      recordFigure('foreign_manual_requests', foreign.requests);
      recordFigure('foreign_manual_aws_calls', foreign.awsCalls);
      recordFigure('foreign_manual_slack_messages', foreign.slackMessages);
    });

    it.each([
      ['another env', { env: 'prod' }],
      ['another project', { project: 'otherproject' }],
      ['another env of this project', { env: 'staging', project: 'myproject' }],
    ])('a request for %s is ignored quietly: debug log, EventsIgnored, no Slack, no AWS call', async (_what, scope) => {
      const { app, ecsMock, metrics, notifier } = testApp({ LOG_LEVEL: 'debug' });
      const result = await app.handle(manual({ service: 'api', reason: 'Hotfix', ...scope }), lambdaContext());
      foreign.requests++;
      foreign.awsCalls += ecsMock.calls().length;
      foreign.slackMessages += notifier.sent.length;
      expect(result.status).toBe('ignored');
      expect(ecsMock.calls()).toHaveLength(0);
      expect(notifier.sent).toEqual([]);
      expect(metrics.counts).toEqual({ EventsIgnored: 1 });
      const ignored = output.logs().filter((l) => l.message.startsWith('event ignored'));
      expect(ignored.map((l) => l.level)).toEqual(['debug']);
      expect(output.logs().filter((l) => l.level !== 'debug')).toEqual([]);
    });

    it('says whose request it is', async () => {
      const { app } = testApp();
      expect(await app.handle(manual({ service: 'api', env: 'prod' }), lambdaContext())).toMatchObject({
        reason: 'manual deploy for env "prod", not dev',
      });
      expect(await app.handle(manual({ service: 'api', project: 'shop' }), lambdaContext())).toMatchObject({
        reason: 'manual deploy for project "shop", not myproject',
      });
    });

    it('is ignored even when it would be refused here (another deployment judges it)', async () => {
      const { app, ecsMock, notifier } = testApp({ PROJECT_ENV: 'prod' });
      const result = await app.handle(manual({ service: 'api', env: 'dev', taskDefinition: 'x' }, 'action.deploy'), lambdaContext());
      expect(result.status).toBe('ignored');
      expect(ecsMock.calls()).toHaveLength(0);
      expect(notifier.sent).toEqual([]);
    });

    it('a request naming this env and project is carried out', async () => {
      const { app, ecsMock } = testApp();
      ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
      await app.handle(unscoped({ service: 'api', env: 'dev', project: 'myproject' }), lambdaContext());
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    // Every deployment listening on the bus would act on a request that names none: each must name its own.
    it.each([
      [{ env: 'dev' }, 'field "project" is missing (the project the request is for: "myproject" here)'],
      [{ project: 'myproject' }, 'field "env" is missing (the env the request is for: "dev" here)'],
      [
        {},
        'field "env" is missing (the env the request is for: "dev" here); field "project" is missing (the project the request is for: "myproject" here)',
      ],
      [{ env: '', project: 'myproject' }, 'field "env" is empty'],
    ])('a request with %j is refused like any invalid request, naming what it lacks', async (scope, problem) => {
      const { app, ecsMock, metrics, notifier } = testApp();
      const result = await app.handle(unscoped({ service: 'api', ...scope }), lambdaContext());
      expect(result).toMatchObject({ status: 'rejected', reason: `manual deploy refused: ${problem}` });
      expect(ecsMock.calls()).toHaveLength(0);
      expect(metrics.counts).toEqual({ EventsRejected: 1 });
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Manual deploy refused']);
      expect(
        output
          .logs()
          .filter((l) => l.level === 'warn')
          .map((l) => l.message),
      ).toEqual([`event rejected: manual deploy refused: ${problem}`]);
    });

    it("MANUAL_DEPLOY_REQUIRE_SCOPE=false (one env on the bus): a request naming neither is this deployment's", async () => {
      for (const scope of [{ env: 'dev' }, { project: 'myproject' }, {}]) {
        const { app, ecsMock } = testApp({ MANUAL_DEPLOY_REQUIRE_SCOPE: 'false' });
        ecsMock
          .on(UpdateServiceCommand)
          .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
        await app.handle(unscoped({ service: 'api', ...scope }), lambdaContext());
        expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
      }
      const { app } = testApp({ MANUAL_DEPLOY_REQUIRE_SCOPE: 'false' });
      expect(await app.handle(unscoped({ service: 'api', env: 'prod' }), lambdaContext())).toMatchObject({ status: 'ignored' });
    });
  });

  describe('strict fields', () => {
    it.each([
      [
        { service: 'api', taskDefinition: 'myproject_service_api_dev:3' },
        'unknown field "taskDefinition" (did you mean "task_definition"?)',
      ],
      [{ service: 'api', Reason: 'Hotfix' }, 'unknown field "Reason" (did you mean "reason"?)'],
      [{ service: 'api', requestedBy: 'alice' }, 'unknown field "requestedBy" (did you mean "requested_by"?)'],
      [{ service: 'api', ticket: 'OPS-1' }, 'unknown field "ticket"'],
      [{ service: 'api', ticket: 'OPS-1', Env: 'dev' }, 'unknown field "ticket"; unknown field "Env" (did you mean "env"?)'],
    ])('refuses %j naming the field: %s', async (detail, problem) => {
      const { app, ecsMock, metrics, notifier } = testApp();
      const result = await app.handle(manual(detail), lambdaContext());
      expect(result).toEqual({
        status: 'rejected',
        eventId: 'def3d99b-806b-5d92-d036-9e0884bdc387',
        reason: `manual deploy refused: ${problem}`,
      });
      expect(ecsMock.calls()).toHaveLength(0);
      expect(metrics.counts).toEqual({ EventsRejected: 1 });
      expect(notifier.sent).toHaveLength(1);
      expect(notifier.sent[0]).toMatchObject({
        severity: 'error',
        title: 'Manual deploy refused',
        facts: expect.arrayContaining([['Refused because', `manual deploy refused: ${problem}`]]),
      });
      expect(
        output
          .logs()
          .filter((l) => l.level === 'warn')
          .map((l) => l.message),
      ).toEqual([`event rejected: manual deploy refused: ${problem}`]);
    });

    it('a misspelt "Action" never turns a rollback into a release', async () => {
      const { app, lambdaMock, notifier } = lambdaApp();
      const result = await app.handle(manual({ service: 'thumbnailer', Action: 'rollback' }), lambdaContext());
      expect(result).toMatchObject({
        status: 'rejected',
        reason: 'manual deploy refused: unknown field "Action" (did you mean "action"?)',
      });
      expect(lambdaMock).not.toHaveReceivedCommand(PublishVersionCommand);
      expect(lambdaMock).not.toHaveReceivedCommand(UpdateAliasCommand);
      expect(lambdaMock).not.toHaveReceivedCommand(GetAliasCommand);
      expect(notifier.sent.map((n) => n.title)).toEqual(['Manual deploy refused']);
    });

    it.each([
      ['no service', { reason: 'x' }, 'field "service" is missing (the service to deploy; "backend" or "" for the backend)'],
      ['a number as service', { service: 42 }, 'field "service" must be text, not a number'],
      ['a reason of 1001 characters', { service: 'api', reason: 'x'.repeat(1001) }, 'field "reason" is too long (at most 1000 characters)'],
      ['an empty task_definition', { service: 'api', task_definition: '' }, 'field "task_definition" is empty'],
      ['a list as requested_by', { service: 'api', requested_by: ['alice'] }, 'field "requested_by" must be text, not an array'],
    ])('explains %s in words', async (_what, detail, problem) => {
      const { app } = testApp();
      const result = await app.handle(manual(detail), lambdaContext());
      expect(result).toMatchObject({ status: 'rejected', reason: `manual deploy refused: ${problem}` });
      expect(JSON.stringify(result)).not.toContain('Invalid input');
    });
  });

  describe('task definitions', () => {
    it.each([
      ['a "latest" tag', 'myproject_service_api_dev:latest'],
      ['a path', 'myproject_service_api_dev:../../x'],
      ['a revision 0', 'myproject_service_api_dev:0'],
      ['a negative revision', 'myproject_service_api_dev:-1'],
      ['a bare family', 'myproject_service_api_dev'],
      ['a service ARN', 'arn:aws:ecs:us-east-1:123456789012:service/myproject_cluster_dev/myproject_service_api_dev'],
      ['an ARN with a path', 'arn:aws:ecs:us-east-1:123456789012:task-definition/../myproject_service_api_dev:3'],
      ['a path before the family', '../myproject_service_api_dev:3'],
      ['text after the revision', 'myproject_service_api_dev:3x'],
      ['a space before the family', ' myproject_service_api_dev:3'],
      ['a revision of 11 digits', 'myproject_service_api_dev:12345678901'],
      ['an ARN whose account is not 12 digits', 'arn:aws:ecs:us-east-1:12345:task-definition/myproject_service_api_dev:3'],
    ])('refuses %s before any AWS call', async (_what, taskDefinition) => {
      const { app, ecsMock, notifier } = testApp();
      const result = await app.handle(manual({ service: 'api', task_definition: taskDefinition }), lambdaContext());
      expect(result).toMatchObject({
        status: 'rejected',
        reason: expect.stringContaining('is neither family:revision (like "myproject_service_api_dev:42") nor a task-definition ARN'),
      });
      expect(ecsMock.calls()).toHaveLength(0);
      expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
    });

    it('an ARN must be of the account deploybridge runs in, not of the sender', async () => {
      // Sent from account 999999999999 (allowed to put events on this bus) naming its own task definition.
      const fromElsewhere = {
        ...manual({ service: 'api', task_definition: 'arn:aws:ecs:us-east-1:999999999999:task-definition/myproject_service_api_dev:3' }),
        account: '999999999999',
      };
      const { app, ecsMock } = testApp();
      const result = await app.handle(fromElsewhere, lambdaContext({ account: '123456789012' }));
      expect(result).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(
          /belongs to account "999999999999" in "us-east-1", not to account 123456789012 in us-east-1 where deploybridge runs/,
        ),
      });
      expect(ecsMock.calls()).toHaveLength(0);

      // The same sender naming a task definition of deploybridge's account is accepted.
      const ours = {
        ...manual({ service: 'api', task_definition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3' }),
        account: '999999999999',
      };
      const accepted = testApp();
      accepted.ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
      await accepted.app.handle(ours, lambdaContext({ account: '123456789012' }));
      expect(accepted.ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3',
      });
    });

    it('an ARN cannot be checked without the Lambda context, so it is refused', async () => {
      const { app, ecsMock } = testApp();
      const result = await app.handle(
        manual({ service: 'api', task_definition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3' }),
      );
      expect(result).toMatchObject({
        status: 'rejected',
        reason: expect.stringContaining('the account deploybridge runs in is unknown here'),
      });
      expect(ecsMock.calls()).toHaveLength(0);
    });

    it.each([
      ['a three-digit revision', 'myproject_service_api_dev:123', lambdaContext()],
      ['a ten-digit revision', 'myproject_service_api_dev:1234567890', lambdaContext()],
      [
        'an ARN in GovCloud',
        'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/myproject_service_api_dev:3',
        lambdaContext({ partition: 'aws-us-gov', region: 'us-gov-west-1' }),
      ],
    ])('accepts %s', async (what, taskDefinition, context) => {
      const { app, ecsMock } = testApp(what.includes('GovCloud') ? { AWS_REGION: 'us-gov-west-1' } : {});
      ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
      await app.handle(manual({ service: 'api', task_definition: taskDefinition }), context);
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition });
    });

    it('an ARN of another partition is refused', async () => {
      const { app, ecsMock } = testApp();
      const result = await app.handle(
        manual({ service: 'api', task_definition: 'arn:aws-cn:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3' }),
        lambdaContext(),
      );
      expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining('belongs to partition "aws-cn"') });
      expect(ecsMock.calls()).toHaveLength(0);
    });
  });

  it('requested_by is shown in Slack and the log', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api', reason: 'Hotfix', requested_by: 'alice@example.com' }), lambdaContext());
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Trigger',
      'manual deploy via action.deploy, requested by alice@example.com (unverified): Hotfix',
    ]);
    const started = output.logs().find((l) => l.message === 'deployment started');
    expect(started?.fields).toMatchObject({
      requested_by: 'alice@example.com',
      trigger: 'manual deploy via action.deploy, requested by alice@example.com (unverified): Hotfix',
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
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(
        taskDefinition('myproject_service_api_dev', 9, [
          `${REGISTRY}/myproject_service_api:v1.4.2`,
          'public.ecr.aws/datadog/agent:7',
          `${REGISTRY}/myproject_service_worker:v2`,
        ]),
      );
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [
        {
          imageDigest: 'sha256:3f9c1e2d4b5a6978',
          imageTags: ['v1.4.2'],
          imageSizeInBytes: 182_000_000,
          imageScanStatus: { status: 'COMPLETE' },
          imageScanFindingsSummary: { findingSeverityCounts: { CRITICAL: 2, HIGH: 1 } },
        },
      ],
    });
    await app.handle(manual({ service: 'api', reason: 'Hotfix' }));
    // The revision read for its images is the one deployed, and named in the message.
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      service: 'myproject_service_api_dev',
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9',
    });
    expect(notifier.sent[0]?.facts).toContainEqual(['Task definition', 'myproject_service_api_dev:9']);
    // Only the service's own image: not the sidecar, not another service's repository.
    expect(sentCommands(ecrMock)).toEqual([
      { command: 'DescribeImagesCommand', input: { repositoryName: 'myproject_service_api', imageIds: [{ imageTag: 'v1.4.2' }] } },
    ]);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_service_api_dev' });
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Image scan',
      '`v1.4.2`, sha256:3f9c1e2…, 182 MB: CRITICAL 2, HIGH 1 (not gated: a manual deploy)',
    ]);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      image_scans: [
        { repository: 'myproject_service_api', digest: 'sha256:3f9c1e2d4b5a6978', status: 'COMPLETE', counts: { CRITICAL: 2, HIGH: 1 } },
      ],
    });
  });

  it('reads the revision a pinned request names, by digest when the image is pinned', async () => {
    const { app, ecsMock, ecrMock } = testApp({ ECR_SCAN_GATE: 'CRITICAL' });
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('myproject_service_dev', 42, [`${REGISTRY}/myproject_backend@sha256:abc`]));
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:42'));
    await app.handle(manual({ service: 'backend', task_definition: 'myproject_service_dev:42' }));
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_service_dev:42' });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      repositoryName: 'myproject_backend',
      imageIds: [{ imageDigest: 'sha256:abc' }],
    });
  });

  it('a failed read deploys all the same, without counts and with a warn log', async () => {
    const { app, ecsMock, notifier } = testApp({ ECR_SCAN_GATE: 'HIGH' });
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client' }));
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api' }));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notifier.sent[0]?.facts.map(([label]) => label)).not.toContain('Image scan');
    expect(output.logs().find((l) => l.message === 'image scans not read: the message shows none')).toMatchObject({
      level: 'warn',
      fields: { service: 'api', error_name: 'AccessDeniedException' },
    });
  });

  it('without the gate, a manual deploy makes no read at all', async () => {
    const { app, ecsMock, ecrMock } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:9'));
    await app.handle(manual({ service: 'api' }));
    expect(sentCommands(ecsMock).map((c) => c.command)).toEqual(['UpdateServiceCommand']);
    expect(ecrMock.calls()).toHaveLength(0);
  });
});
