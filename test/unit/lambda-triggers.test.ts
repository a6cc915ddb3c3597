import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapt, awsSample, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { UpdateServiceCommand } from '../helpers/app.js';
import {
  configuration,
  fact,
  functionState,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  happyPath,
  lambdaApp,
  REGISTRY,
  RENDERER,
  SECRET,
  story,
  THUMBNAILER,
  UpdateFunctionConfigurationCommand,
} from '../helpers/lambda-harness.js';

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
const IMAGE = `${REGISTRY}/myproject_service_renderer:v2.3.0`;

/** The ECR documentation's push sample, adapted to the renderer function's repository. */
function push(tag = 'v2.3.0', repository = 'myproject_service_renderer') {
  return adapt('ecr/image-action-push-success.json', { 'repository-name': repository, 'image-tag': tag });
}

/** A manual request for this deployment (env dev, project myproject). */
function manual(detail: Record<string, unknown>, source = 'action.deploy') {
  return {
    ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
    source,
    'detail-type': 'Manual Deploy',
    detail: { env: 'dev', project: 'myproject', ...detail },
  };
}

/** The id of the SSM sample event: what DEPLOYBRIDGE_CONFIG_REVISION is set to. */
const EVENT_ID = awsSample('ssm/parameter-store-change-update-string.json').id as string;
const parameterChange = (operation: 'update' | 'delete', name = '/dev/myproject/thumbnailer/MAX_WIDTH') =>
  adapt(`ssm/parameter-store-change-${operation}-string.json`, { name });

describe('ECR push → Lambda image function', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** GetFunction answers: first the planning read, then the waiter's polls. */
  function imageFunction(
    lambdaMock: ReturnType<typeof lambdaApp>['lambdaMock'],
    configured: string,
    resolved = `${REGISTRY}/myproject_service_renderer@${DIGEST}`,
  ) {
    happyPath(lambdaMock);
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration({ FunctionName: RENDERER, PackageType: 'Image' }));
    lambdaMock
      .on(GetFunctionCommand)
      .resolvesOnce({
        Configuration: { PackageType: 'Image' },
        Code: { RepositoryType: 'ECR', ImageUri: configured, ResolvedImageUri: `${REGISTRY}/myproject_service_renderer@sha256:old` },
      })
      .resolves(functionState('Successful', 'rev-2', { ImageUri: configured, ResolvedImageUri: resolved }));
  }

  it('updates the code with the same ImageUri, publishes, smoke-tests and moves the alias', async () => {
    const { app, lambdaMock, ecsMock, notifier } = lambdaApp();
    imageFunction(lambdaMock, IMAGE);

    const result = await app.handle(push());

    const trigger = `ECR push myproject_service_renderer:v2.3.0 (${DIGEST})`;
    expect(story(lambdaMock)).toEqual([
      ['GetFunction', { FunctionName: RENDERER }], // planning: is it an image function running this tag?
      ['GetFunctionConfiguration', { FunctionName: RENDERER }],
      ['GetAlias', { FunctionName: RENDERER, Name: 'live' }],
      ['UpdateFunctionCode', { FunctionName: RENDERER, ImageUri: IMAGE }],
      ['GetFunction', { FunctionName: RENDERER }],
      ['PublishVersion', { FunctionName: RENDERER, Description: `deploybridge: ${trigger}`, RevisionId: 'rev-2' }],
      ['Invoke', { FunctionName: RENDERER, Qualifier: '13', InvocationType: 'RequestResponse', Payload: '{"ping":true}' }],
      [
        'UpdateAlias',
        {
          FunctionName: RENDERER,
          Name: 'live',
          FunctionVersion: '13',
          Description: `deploybridge previous_version=12; ${trigger}`,
          RevisionId: 'alias-rev-1',
        },
      ],
    ]);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(result).toMatchObject({ deployments: [{ service: 'renderer', status: 'succeeded', toVersion: '13' }] });
    expect(fact(notifier.sent.at(-1), 'Image')).toBe(`${REGISTRY}/myproject_service_renderer@${DIGEST}`);
  });

  it('says so in the log and Slack when the tag moved on before the update resolved it', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    imageFunction(lambdaMock, IMAGE, `${REGISTRY}/myproject_service_renderer@sha256:newer`);
    await app.handle(push());
    const moved = `the tag moved on since the push: ${IMAGE} now resolves to sha256:newer, not the pushed ${DIGEST}`;
    expect(fact(notifier.sent.at(-1), 'Image')).toBe(`${REGISTRY}/myproject_service_renderer@sha256:newer (${moved})`);
    expect(output.logs().find((l) => l.message.includes('tag moved on'))?.fields).toMatchObject({
      pushed_digest: DIGEST,
      resolved_digest: 'sha256:newer',
    });
  });

  it.each([
    ['runs another tag', `${REGISTRY}/myproject_service_renderer:v2.2.0`, 'function runs tag v2.2.0, not the pushed tag v2.3.0'],
    [
      'is pinned by digest',
      `${REGISTRY}/myproject_service_renderer@${DIGEST}`,
      `image pinned by digest (${RENDERER}@${DIGEST}); a push never redeploys a pinned image`,
    ],
    [
      'runs another repository',
      `${REGISTRY}/other:v2.3.0`,
      `${RENDERER} runs ${REGISTRY}/other:v2.3.0, not an image from myproject_service_renderer`,
    ],
    [
      'runs the same name in another account',
      `999999999999.dkr.ecr.us-east-1.amazonaws.com/myproject_service_renderer:v2.3.0`,
      'not an image from myproject_service_renderer',
    ],
  ])('skips, with one info log, a function that %s', async (_what, configured, reason) => {
    const { app, lambdaMock, metrics, notifier } = lambdaApp();
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { PackageType: 'Image' }, Code: { ImageUri: configured } });
    const result = await app.handle(push());
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetFunction']);
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(notifier.sent).toEqual([]);
    const skip = output.logs().filter((l) => l.message.startsWith('deployment skipped'));
    expect(skip).toHaveLength(1);
    expect(skip[0]?.level).toBe('info');
    expect(skip[0]?.message).toContain(reason);
    expect(skip[0]?.fields).toMatchObject({ service: 'renderer', function_name: RENDERER, pushed_tag: 'v2.3.0' });
  });

  it('skips a zip function: an image cannot update it', async () => {
    const { app, lambdaMock } = lambdaApp();
    lambdaMock.on(GetFunctionCommand).resolves({
      Configuration: { PackageType: 'Zip' },
      Code: {
        RepositoryType: 'S3',
        Location: 'https://awslambda-us-east-1-tasks.s3.amazonaws.com/snapshots/presigned?X-Amz-Signature=abc',
      },
    });
    await app.handle(push('v1', 'myproject_service_thumbnailer'));
    expect(output.logs().find((l) => l.message.startsWith('deployment skipped'))?.message).toContain(
      `${THUMBNAILER} is a zip function; an image push does not deploy it`,
    );
    // GetFunction's presigned code URL is a credential: it is never logged.
    expect(output.text()).not.toContain('X-Amz-Signature');
  });

  it('the sample in events/ plans the renderer', async () => {
    const { app, lambdaMock } = lambdaApp({ DRY_RUN: 'true' });
    imageFunction(lambdaMock, `${REGISTRY}/myproject_service_renderer:v2.3.0`);
    const result = await app.handle(projectEvent('lambda-ecr-push-renderer.json'));
    expect(result).toMatchObject({ deployments: [{ service: 'renderer', status: 'dry_run' }] });
  });
});

describe('SSM change → DEPLOYBRIDGE_CONFIG_REVISION', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('sets the variable to the event id, keeping every other variable, then publishes as usual', async () => {
    const { app, lambdaMock, ecsMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    await app.handle(parameterChange('update'));
    const trigger = 'SSM parameter /dev/myproject/thumbnailer/MAX_WIDTH (Update)';
    expect(story(lambdaMock)).toEqual([
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER }],
      ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
      [
        'UpdateFunctionConfiguration',
        {
          FunctionName: THUMBNAILER,
          Environment: { Variables: { DATABASE_PASSWORD: SECRET, LOG_LEVEL: 'info', DEPLOYBRIDGE_CONFIG_REVISION: EVENT_ID } },
          RevisionId: 'rev-1',
        },
      ],
      ['GetFunction', { FunctionName: THUMBNAILER }],
      ['PublishVersion', { FunctionName: THUMBNAILER, Description: `deploybridge: ${trigger}`, RevisionId: 'rev-2' }],
      ['Invoke', expect.objectContaining({ Qualifier: '13' })],
      ['UpdateAlias', expect.objectContaining({ FunctionVersion: '13', Description: `deploybridge previous_version=12; ${trigger}` })],
    ]);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(fact(notifier.sent[0], 'Change')).toBe(`set DEPLOYBRIDGE_CONFIG_REVISION=${EVENT_ID} (fresh execution environments)`);
    expect(output.text()).not.toContain(SECRET);
    expect(JSON.stringify(notifier.sent)).not.toContain(SECRET);
  });

  it("an AWS error quoting the function's environment reaches neither the log nor Slack", async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(
      configuration({
        Environment: {
          Variables: {
            DATABASE_PASSWORD: SECRET,
            LOG_LEVEL: 'info',
            AWS_KEY: 'AKIAIOSFODNN7EXAMPLE',
            AWS_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          },
        },
      }),
    );
    // Lambda's environment-size error quotes every variable.
    const quoted = `{"DATABASE_PASSWORD":"${SECRET}","LOG_LEVEL":"info","AWS_KEY":"AKIAIOSFODNN7EXAMPLE","AWS_SECRET":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`;
    lambdaMock.on(UpdateFunctionConfigurationCommand).rejects(
      Object.assign(
        new Error(
          `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${quoted}`,
        ),
        {
          name: 'InvalidParameterValueException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400, requestId: 'req-env' },
        },
      ),
    );
    const result = await app.handle(parameterChange('update'));
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    const reason = fact(notifier.sent.at(-1), 'Reason');
    expect(reason).toMatch(
      /^InvalidParameterValueException: Lambda was unable to configure your environment variables because .* String measured: \{"DATABASE_PASSWORD":"\[redacted\]","LOG_LEVEL":"info"/,
    );
    const failed = output.logs().find((l) => l.message === 'deployment failed');
    expect(failed?.fields).toMatchObject({ error_name: 'InvalidParameterValueException', aws_request_id: 'req-env' });
    for (const secret of [SECRET, 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']) {
      expect(output.text()).not.toContain(secret);
      expect(JSON.stringify(notifier.sent)).not.toContain(secret);
    }
  });

  it('two parameter changes in the same second get two revisions (the event id, not the time)', async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    await app.handle({ ...parameterChange('update'), id: 'change-1' });
    await app.handle({ ...parameterChange('update', '/dev/myproject/thumbnailer/MAX_HEIGHT'), id: 'change-2' });
    const revisions = lambdaMock
      .commandCalls(UpdateFunctionConfigurationCommand)
      .map((c) => c.args[0].input.Environment?.Variables?.DEPLOYBRIDGE_CONFIG_REVISION);
    expect(revisions).toEqual(['change-1', 'change-2']);
  });

  it('reads the variables again and retries when someone changed the function in between', async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce(configuration())
      .resolves(
        configuration({
          RevisionId: 'rev-1b',
          Environment: { Variables: { DATABASE_PASSWORD: SECRET, LOG_LEVEL: 'debug', NEW_FLAG: 'on' } },
        }),
      );
    lambdaMock
      .on(UpdateFunctionConfigurationCommand)
      .rejectsOnce(
        Object.assign(new Error('The Revision Id provided does not match the latest Revision Id.'), {
          name: 'PreconditionFailedException',
          $fault: 'client',
        }),
      )
      .resolves({ LastUpdateStatus: 'InProgress' });
    await app.handle(parameterChange('update'));
    expect(story(lambdaMock).slice(2, 5)).toEqual([
      ['UpdateFunctionConfiguration', expect.objectContaining({ RevisionId: 'rev-1' })],
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER }],
      [
        'UpdateFunctionConfiguration',
        {
          FunctionName: THUMBNAILER,
          Environment: {
            Variables: { DATABASE_PASSWORD: SECRET, LOG_LEVEL: 'debug', NEW_FLAG: 'on', DEPLOYBRIDGE_CONFIG_REVISION: EVENT_ID },
          },
          RevisionId: 'rev-1b',
        },
      ],
    ]);
  });

  it('refuses to overwrite variables it could not read (KMS error)', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock
      .on(GetFunctionConfigurationCommand)
      .resolves(configuration({ Environment: { Error: { ErrorCode: 'KMSAccessDeniedException', Message: 'denied' } } }));
    const result = await app.handle(parameterChange('update'));
    expect(lambdaMock).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(fact(notifier.sent.at(-1), 'Reason')).toBe(
      `cannot read the environment variables of ${THUMBNAILER} (KMSAccessDeniedException); refusing to overwrite them`,
    );
  });

  it('a deleted parameter deploys nothing and warns, naming the function', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp();
    await app.handle(parameterChange('delete'));
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'warning', service: THUMBNAILER });
    expect(fact(notifier.sent[0], 'Action')).toBe('not redeployed: new execution environments that read this parameter would fail');
  });

  it('other services stay ECS services', async () => {
    const { app, lambdaMock, ecsMock } = lambdaApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves({ service: { taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3' } });
    await app.handle(parameterChange('update', '/dev/myproject/api/DATABASE_URL'));
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'myproject_service_api_dev', forceNewDeployment: true });
  });
});

describe('S3 → Lambda artifacts', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  function artifactEvent(kind: 'created' | 'deleted', key: string) {
    const sample = awsSample(`s3/eventbridge-object-${kind}.json`);
    return adapt(`s3/eventbridge-object-${kind}.json`, {
      bucket: { name: 'myproject-artifacts' },
      object: { ...(sample.detail.object as object), key },
    });
  }

  it('a deleted artifact deploys nothing and warns once, naming the function', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp();
    const result = await app.handle(artifactEvent('deleted', 'thumbnailer/lambda.zip'));
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({
      severity: 'warning',
      title: 'Lambda artifact deleted: s3://myproject-artifacts/thumbnailer/lambda.zip',
    });
    expect(fact(notifier.sent[0], 'Used by')).toBe(THUMBNAILER);
  });

  it('an object that is neither an env file nor an artifact is ignored, and the reason names both', async () => {
    const { app, lambdaMock } = lambdaApp();
    const result = await app.handle(artifactEvent('created', 'thumbnailer/other.zip'));
    expect(result).toMatchObject({
      status: 'ignored',
      reason:
        '"s3://myproject-artifacts/thumbnailer/other.zip" is not an env file of any service in SERVICE_CONFIG nor a Lambda artifact in LAMBDA_CONFIG',
    });
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('the sample in events/ plans the thumbnailer', async () => {
    const { app, lambdaMock } = lambdaApp({ DRY_RUN: 'true' });
    happyPath(lambdaMock);
    const result = await app.handle(projectEvent('lambda-s3-artifact-upload.json'));
    expect(result).toMatchObject({ deployments: [{ service: 'thumbnailer', status: 'dry_run', fromVersion: '12' }] });
  });
});

describe('manual deploys of a Lambda function', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('a release publishes $LATEST as it is, smoke-tests it and moves the alias', async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    await app.handle(projectEvent('lambda-manual-release.json'));
    expect(story(lambdaMock)).toEqual([
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER }],
      ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
      [
        'PublishVersion',
        {
          FunctionName: THUMBNAILER,
          Description: 'deploybridge: manual deploy via action.deploy: Release the build uploaded this morning',
          RevisionId: 'rev-1',
        },
      ],
      ['Invoke', expect.objectContaining({ Qualifier: '13' })],
      [
        'UpdateAlias',
        {
          FunctionName: THUMBNAILER,
          Name: 'live',
          FunctionVersion: '13',
          Description: 'deploybridge previous_version=12; manual deploy via action.deploy: Release the build uploaded this morning',
          RevisionId: 'alias-rev-1',
        },
      ],
    ]);
  });

  it.each([
    ['a string', '9'],
    ['a number', 9],
  ])('a version (%s) is smoke-tested, then the alias moves to it', async (_what, version) => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    const result = await app.handle(manual({ service: 'thumbnailer', version, reason: 'pin' }));
    expect(story(lambdaMock)).toEqual([
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER, Qualifier: '9' }],
      ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
      ['Invoke', { FunctionName: THUMBNAILER, Qualifier: '9', InvocationType: 'RequestResponse', Payload: '{"ping":true}' }],
      [
        'UpdateAlias',
        {
          FunctionName: THUMBNAILER,
          Name: 'live',
          FunctionVersion: '9',
          Description: 'deploybridge previous_version=12; version 9 (manual deploy via action.deploy: pin)',
          RevisionId: 'alias-rev-1',
        },
      ],
    ]);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '12', toVersion: '9', smokeTest: 'passed' }] });
    expect(fact(notifier.sent[0], 'Versions')).toBe('12 → 9');
  });

  it('the version the alias already points to is a no-op', async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    const result = await app.handle(manual({ service: 'thumbnailer', version: '12' }));
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetFunctionConfiguration', 'GetAlias']);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', toVersion: '12', smokeTest: 'skipped' }] });
  });

  it.each([
    ['a function without alias', { service: 'resizer' }, 'resizer (resizer-fn) has no alias in LAMBDA_CONFIG'],
    ['a task definition for a function', { service: 'thumbnailer', task_definition: 'x:1' }, 'task_definition applies to ECS services'],
    [
      'a version of an ECS service',
      { service: 'api', version: '3' },
      '"version" and "action" apply to Lambda functions; api is an ECS service',
    ],
    ['a rollback of an ECS service', { service: 'api', action: 'rollback' }, 'api is an ECS service'],
    ['an unknown action', { service: 'thumbnailer', action: 'destroy' }, 'action "destroy" is unknown'],
    [
      'a version and an action',
      { service: 'thumbnailer', version: '3', action: 'rollback' },
      'give either "version" or "action", not both',
    ],
    [
      'a version that is not a number',
      { service: 'thumbnailer', version: '$LATEST' },
      'version "$LATEST" is not a published version number',
    ],
  ])('refuses %s: one warn log, a metric, Slack, no AWS call', async (_what, detail, reason) => {
    const { app, lambdaMock, ecsMock, metrics, notifier } = lambdaApp();
    const result = await app.handle(manual(detail));
    expect(result).toMatchObject({ status: 'rejected' });
    expect(result.status === 'rejected' && result.reason).toContain(reason);
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsRejected: 1 });
    expect(notifier.sent.map((n) => [n.severity, n.title])).toEqual([['error', 'Manual deploy refused']]);
    expect(output.logs().filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});
