import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientDeploymentError } from '../../src/shared/errors.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import {
  alias,
  configuration,
  fact,
  functionState,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  happyPath,
  InvokeCommand,
  invoked,
  lambdaApp,
  PublishVersionCommand,
  RESIZER,
  SECRET,
  story,
  THUMBNAILER,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '../helpers/lambda-harness.js';

const S3_VERSION = 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e';
const TRIGGER = `S3 object s3://myproject-artifacts/thumbnailer/lambda.zip (PutObject, version ${S3_VERSION})`;

/** S3's documented "Object Created" sample, adapted to an artifact of this project. */
function artifactUpload(key = 'thumbnailer/lambda.zip') {
  const sample = awsSample('s3/eventbridge-object-created.json');
  return adapt('s3/eventbridge-object-created.json', {
    bucket: { name: 'myproject-artifacts' },
    object: { ...(sample.detail.object as object), key },
  });
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

/** An error shaped like the SDK's. */
function awsError(name: string, status: number, message = `${name} from Lambda`) {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
/** Lambda's answer when a write's RevisionId is no longer the function's (or alias's): someone changed it in between. */
const stale = () =>
  awsError(
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
const conflict = () =>
  awsError(
    'ResourceConflictException',
    409,
    'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:x',
  );

const UPLOAD_STORY: Array<[string, unknown]> = [
  ['GetFunctionConfiguration', { FunctionName: THUMBNAILER }],
  ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
  [
    'UpdateFunctionCode',
    { FunctionName: THUMBNAILER, S3Bucket: 'myproject-artifacts', S3Key: 'thumbnailer/lambda.zip', S3ObjectVersion: S3_VERSION },
  ],
  ['GetFunction', { FunctionName: THUMBNAILER }],
  ['PublishVersion', { FunctionName: THUMBNAILER, Description: `deploybridge: ${TRIGGER}`, RevisionId: 'rev-2' }],
  ['Invoke', { FunctionName: THUMBNAILER, Qualifier: '13', InvocationType: 'RequestResponse', Payload: '{"ping":true}' }],
  [
    'UpdateAlias',
    {
      FunctionName: THUMBNAILER,
      Name: 'live',
      FunctionVersion: '13',
      Description: `deploybridge previous_version=12; ${TRIGGER}`,
      RevisionId: 'alias-rev-1',
    },
  ],
];

describe('Lambda deploy: the blue/green sequence', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  it('S3 artifact upload: update code, wait, publish, smoke-test the version, then move the alias', async () => {
    const { app, lambdaMock, ecsMock, metrics, notifier } = lambdaApp();
    happyPath(lambdaMock);

    const result = await app.handle(artifactUpload());

    expect(story(lambdaMock)).toEqual(UPLOAD_STORY);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(result.status === 'planned' && result.deployments).toEqual([
      {
        service: 'thumbnailer',
        status: 'succeeded',
        target: 'lambda',
        functionName: THUMBNAILER,
        alias: 'live',
        fromVersion: '12',
        toVersion: '13',
        smokeTest: 'passed',
        attempts: 1,
        durationMs: expect.any(Number),
      },
    ]);
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1, DeploymentsSucceeded: 1 });

    const [started, succeeded] = notifier.sent;
    expect(notifier.sent).toHaveLength(2);
    expect(started).toMatchObject({
      severity: 'info',
      title: 'Deployment started: thumbnailer',
      service: THUMBNAILER,
      consoleName: 'Lambda',
    });
    expect(fact(started, 'Trigger')).toBe(TRIGGER);
    expect(fact(started, 'Versions')).toBe('12 → (new version)');
    expect(fact(started, 'Smoke test')).toBe('runs on the new version before the alias moves');
    expect(succeeded).toMatchObject({ severity: 'success', title: 'Deployment succeeded: thumbnailer' });
    expect(fact(succeeded, 'Versions')).toBe('12 → 13');
    expect(fact(succeeded, 'Smoke test')).toBe('passed ({"statusCode":200})');
    expect(fact(succeeded, 'Duration')).toMatch(/^\d+ s$/);
    expect(succeeded?.consoleUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/${THUMBNAILER}?tab=versions`,
    );

    const done = output.logs().find((l) => l.message === 'deployment succeeded');
    expect(done?.fields).toMatchObject({
      service: 'thumbnailer',
      function_name: THUMBNAILER,
      alias: 'live',
      from_version: '12',
      to_version: '13',
      smoke_test: 'passed',
      attempt: 1,
    });
    expect(output.logs().map((l) => l.message)).toEqual(
      expect.arrayContaining(['deployment started', 'lambda version published', 'lambda smoke test passed', 'lambda alias moved']),
    );
    // The function's environment was read; its values never reach a log line or Slack.
    expect(output.text()).not.toContain(SECRET);
    expect(JSON.stringify(notifier.sent)).not.toContain(SECRET);
  });

  it('in China the button opens the China console', async () => {
    const { app, lambdaMock, notifier } = lambdaApp({ AWS_REGION: 'cn-north-1' });
    happyPath(lambdaMock);
    await app.handle(artifactUpload());
    expect(notifier.sent.map((n) => n.consoleUrl)).toEqual(
      Array(2).fill(`https://console.amazonaws.cn/lambda/home?region=cn-north-1#/functions/${THUMBNAILER}?tab=versions`),
    );
  });

  it('a CloudTrail PutObject without a version id sends no S3ObjectVersion', async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    const detail = awsSample('s3/cloudtrail-putobject-detail-only.json');
    await app.handle({
      ...awsSample('s3/cloudtrail-api-call-createbucket-full-envelope.json'),
      detail: { ...detail, requestParameters: { bucketName: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' } },
    });
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateFunctionCodeCommand, {
      FunctionName: THUMBNAILER,
      S3Bucket: 'myproject-artifacts',
      S3Key: 'thumbnailer/lambda.zip',
    });
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input).not.toHaveProperty('S3ObjectVersion');
  });

  describe('waits (SDK waiters)', () => {
    it('waits for an update in progress before changing, and for its own change after', async () => {
      const { app, lambdaMock } = lambdaApp();
      happyPath(lambdaMock);
      lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration({ LastUpdateStatus: 'InProgress' }));
      lambdaMock
        .on(GetFunctionCommand)
        .resolvesOnce(functionState('InProgress', 'rev-1'))
        .resolvesOnce(functionState('Successful', 'rev-1b'))
        .resolvesOnce(functionState('InProgress', 'rev-1c'))
        .resolves(functionState('Successful', 'rev-2'));

      await app.handle(artifactUpload());

      expect(story(lambdaMock).map(([command]) => command)).toEqual([
        'GetFunctionConfiguration',
        'GetAlias',
        'GetFunction',
        'GetFunction', // before: InProgress, then Successful
        'UpdateFunctionCode',
        'GetFunction',
        'GetFunction', // after: InProgress, then Successful
        'PublishVersion',
        'Invoke',
        'UpdateAlias',
      ]);
      // The version published is the revision the last wait saw, not one someone changed since.
      expect(lambdaMock).toHaveReceivedCommandWith(PublishVersionCommand, { RevisionId: 'rev-2' });
    });

    it('an earlier update that Failed does not block this one', async () => {
      const { app, lambdaMock, notifier } = lambdaApp();
      happyPath(lambdaMock);
      lambdaMock
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce(configuration({ LastUpdateStatus: 'InProgress' }))
        .resolves(
          configuration({
            LastUpdateStatus: 'Failed',
            LastUpdateStatusReasonCode: 'InvalidZipFileException',
            LastUpdateStatusReason: 'bad zip',
          }),
        );
      lambdaMock.on(GetFunctionCommand).resolvesOnce(functionState('Failed', 'rev-1')).resolves(functionState('Successful', 'rev-2'));

      await app.handle(artifactUpload());

      expect(story(lambdaMock).map(([command]) => command)).toEqual([
        'GetFunctionConfiguration',
        'GetAlias',
        'GetFunction',
        'GetFunctionConfiguration',
        'UpdateFunctionCode',
        'GetFunction',
        'PublishVersion',
        'Invoke',
        'UpdateAlias',
      ]);
      expect(notifier.sent.map((n) => n.severity)).toEqual(['info', 'success']);
      expect(output.logs().find((l) => l.message.includes('deploying over it'))?.fields.last_update_status_reason).toBe(
        'InvalidZipFileException: bad zip',
      );
    });

    it("an update that ends Failed fails the deployment with its reason, and never leaks the waiter's payload", async () => {
      const { app, lambdaMock, notifier, metrics } = lambdaApp();
      happyPath(lambdaMock);
      lambdaMock.on(GetFunctionCommand).resolves(functionState('Failed'));
      lambdaMock
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce(configuration())
        .resolves(
          configuration({
            LastUpdateStatus: 'Failed',
            LastUpdateStatusReasonCode: 'InvalidZipFileException',
            LastUpdateStatusReason: 'Could not unzip uploaded file.',
          }),
        );

      const result = await app.handle(artifactUpload());

      expect(story(lambdaMock).map(([command]) => command)).toEqual([
        'GetFunctionConfiguration',
        'GetAlias',
        'UpdateFunctionCode',
        'GetFunction',
        'GetFunctionConfiguration',
      ]);
      expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false, attempts: 1 }] });
      expect(metrics.counts).toEqual({ DeploymentsStarted: 1, DeploymentsFailed: 1 });
      const failed = notifier.sent.at(-1);
      expect(failed).toMatchObject({ severity: 'error', title: 'Deployment failed: thumbnailer' });
      expect(fact(failed, 'Reason')).toBe(
        `update of ${THUMBNAILER} failed (LastUpdateStatus Failed): InvalidZipFileException: Could not unzip uploaded file.`,
      );
      expect(fact(failed, 'Status')).toBe('failed: alias live stays on version 12');
      // The SDK waiter's error message embeds the whole GetFunction response, environment included.
      expect(output.text()).not.toContain(SECRET);
      expect(JSON.stringify(notifier.sent)).not.toContain(SECRET);
    });

    it('a newly published version that is Pending is waited for until Active before the smoke test', async () => {
      const { app, lambdaMock } = lambdaApp();
      happyPath(lambdaMock);
      lambdaMock.on(PublishVersionCommand).resolves({ Version: '13', State: 'Pending' });
      lambdaMock
        .on(GetFunctionConfigurationCommand, { Qualifier: '13' })
        .resolvesOnce(configuration({ Version: '13', State: 'Pending' }))
        .resolves(configuration({ Version: '13', State: 'Active' }));
      await app.handle(artifactUpload());
      expect(story(lambdaMock).slice(4)).toEqual([
        ['PublishVersion', expect.anything()],
        ['GetFunctionConfiguration', { FunctionName: THUMBNAILER, Qualifier: '13' }],
        ['GetFunctionConfiguration', { FunctionName: THUMBNAILER, Qualifier: '13' }],
        ['Invoke', expect.objectContaining({ Qualifier: '13' })],
        ['UpdateAlias', expect.objectContaining({ FunctionVersion: '13' })],
      ]);
    });

    it('a wait that outlives DEPLOYMENT_TIMEOUT_SECONDS fails the deployment as transient', async () => {
      // The waiter may give up a poll's delay before the deadline, or be aborted at it; either way
      // a retry's backoff (1 s) does not fit in what is left, so the deployment is tried once.
      const { app, lambdaMock, notifier } = lambdaApp({ DEPLOYMENT_TIMEOUT_SECONDS: '1' }, { deployerOptions: { backoffBaseMs: 1000 } });
      happyPath(lambdaMock);
      lambdaMock.on(GetFunctionCommand).resolves(functionState('InProgress'));
      await expect(app.handle(artifactUpload())).rejects.toBeInstanceOf(TransientDeploymentError);
      expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 1);
      expect(lambdaMock).not.toHaveReceivedCommand(PublishVersionCommand);
      expect(fact(notifier.sent.at(-1), 'Reason')).toBe(
        `timed out waiting for ${THUMBNAILER} to finish updating within its deadline (DEPLOYMENT_TIMEOUT_SECONDS, or what the invocation had left)`,
      );
    });
  });

  describe('conflicts (ResourceConflictException: an update in progress)', () => {
    beforeAll(async () => {
      // The Lambda target and the SDK's commands load with import(); load those used here before clocks are faked.
      await import('../../src/targets/lambda/index.js');
      await import('../../src/aws/lambda.js');
    });

    it('retries the call with exponential backoff (base, 2×base) and goes on', async () => {
      vi.useFakeTimers();
      const { app, lambdaMock, metrics } = lambdaApp({}, { deployerOptions: { backoffBaseMs: 1000 } });
      happyPath(lambdaMock);
      lambdaMock.on(UpdateFunctionCodeCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({ LastUpdateStatus: 'InProgress' });
      const handled = app.handle(artifactUpload());

      await vi.advanceTimersByTimeAsync(999);
      expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 2);
      await vi.advanceTimersByTimeAsync(1999);
      expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 2);
      await vi.advanceTimersByTimeAsync(1);
      const result = await handled;

      expect(story(lambdaMock).map(([command]) => command)).toEqual([
        'GetFunctionConfiguration',
        'GetAlias',
        'UpdateFunctionCode',
        'UpdateFunctionCode',
        'UpdateFunctionCode',
        'GetFunction',
        'PublishVersion',
        'Invoke',
        'UpdateAlias',
      ]);
      expect(result).toMatchObject({ deployments: [{ status: 'succeeded', attempts: 1 }] });
      expect(metrics.counts).toEqual({ DeploymentsStarted: 1, ConflictsRetried: 2, DeploymentsSucceeded: 1 });
      const retries = output.logs().filter((l) => /retry/.test(l.message));
      expect(retries.map((l) => [l.level, l.message, l.fields.operation, l.fields.attempt, l.fields.retry_in_ms])).toEqual([
        ['warn', 'UpdateFunctionCode failed; retry 1 of 4 in 1000 ms', 'UpdateFunctionCode', 1, 1000],
        ['warn', 'UpdateFunctionCode failed; retry 2 of 4 in 2000 ms', 'UpdateFunctionCode', 2, 2000],
      ]);
    });

    it('retries PublishVersion and UpdateAlias conflicts too', async () => {
      const { app, lambdaMock } = lambdaApp();
      happyPath(lambdaMock);
      lambdaMock.on(PublishVersionCommand).rejectsOnce(conflict()).resolves({ Version: '13', State: 'Active' });
      lambdaMock.on(UpdateAliasCommand).rejectsOnce(conflict()).resolves({ FunctionVersion: '13' });
      const result = await app.handle(artifactUpload());
      expect(story(lambdaMock).map(([command]) => command)).toEqual([
        'GetFunctionConfiguration',
        'GetAlias',
        'UpdateFunctionCode',
        'GetFunction',
        'PublishVersion',
        'PublishVersion',
        'Invoke',
        'UpdateAlias',
        'UpdateAlias',
      ]);
      expect(result).toMatchObject({ deployments: [{ status: 'succeeded' }] });
    });

    it('a conflict that outlives the retries is transient: reported, and the invocation fails for Lambda to retry', async () => {
      const { app, lambdaMock, notifier } = lambdaApp(
        { MAX_DEPLOYMENT_RETRIES: '0' },
        { deployerOptions: { backoffBaseMs: 0, conflictRetries: 2 } },
      );
      happyPath(lambdaMock);
      lambdaMock.on(UpdateFunctionCodeCommand).rejects(conflict());
      await expect(app.handle(artifactUpload())).rejects.toBeInstanceOf(TransientDeploymentError);
      expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 3);
      expect(lambdaMock).not.toHaveReceivedCommand(PublishVersionCommand);
      const failed = notifier.sent.at(-1);
      expect(fact(failed, 'Reason')).toMatch(/^ResourceConflictException: /);
      expect(fact(failed, 'Status')).toBe('failed: alias live stays on version 12');
      expect(output.logs().find((l) => l.message === 'deployment failed')?.fields).toMatchObject({ retryable: true, from_version: '12' });
    });
  });

  it('a transient failure is retried as a whole deployment, and the start is announced once', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp({ MAX_DEPLOYMENT_RETRIES: '1' });
    happyPath(lambdaMock);
    lambdaMock.on(InvokeCommand).rejects(awsError('ServiceException', 500));
    await expect(app.handle(artifactUpload())).rejects.toBeInstanceOf(TransientDeploymentError);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 2);
    expect(lambdaMock).not.toHaveReceivedCommand(UpdateAliasCommand);
    expect(notifier.sent.map((n) => n.title)).toEqual(['Deployment started: thumbnailer', 'Deployment failed: thumbnailer']);
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1, DeploymentsRetried: 1, DeploymentsFailed: 1 });
    expect(fact(notifier.sent[1], 'Status')).toBe('failed: alias live stays on version 12; version 13 received no traffic');
  });

  it('a missing function fails at once, permanently: the waiters never get to poll it', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    lambdaMock
      .on(GetFunctionConfigurationCommand)
      .rejects(
        awsError('ResourceNotFoundException', 404, `Function not found: arn:aws:lambda:us-east-1:123456789012:function:${THUMBNAILER}`),
      );
    const result = await app.handle(artifactUpload());
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetFunctionConfiguration']);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
    expect(fact(notifier.sent[0], 'Status')).toBe('failed: alias live not moved');
  });

  it('when nothing changed since the last published version, that version is already live: no smoke test, no alias move', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock.on(PublishVersionCommand).resolves({ Version: '12', State: 'Active' });
    const result = await app.handle(manual({ service: 'thumbnailer' }));
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetFunctionConfiguration', 'GetAlias', 'PublishVersion']);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '12', toVersion: '12', smokeTest: 'skipped' }] });
    expect(fact(notifier.sent.at(-1), 'Status')).toBe('succeeded; version 12 is already live (nothing changed since it was published)');
  });
});

describe('Lambda deploy: smoke tests', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('a FunctionError leaves the alias where it was: failed, not retried, response trimmed and without secrets', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock.on(InvokeCommand).resolves(
      invoked(
        {
          errorType: 'Error',
          errorMessage: `connect ECONNREFUSED postgres://app:${SECRET}@db.internal:5432/app`,
          password: 'hunter2hunter2',
          stackTrace: Array.from({ length: 60 }, (_, i) => `    at handler (/var/task/index.js:${i}:5)`),
        },
        'Unhandled',
      ),
    );

    const result = await app.handle(artifactUpload());

    expect(story(lambdaMock).map(([command]) => command)).toEqual([
      'GetFunctionConfiguration',
      'GetAlias',
      'UpdateFunctionCode',
      'GetFunction',
      'PublishVersion',
      'Invoke',
    ]);
    expect(lambdaMock).not.toHaveReceivedCommand(UpdateAliasCommand);
    expect(result).toMatchObject({
      status: 'planned',
      deployments: [{ service: 'thumbnailer', status: 'failed', retryable: false, attempts: 1 }],
    });
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1, DeploymentsFailed: 1, SmokeTestsFailed: 1 });

    const failed = notifier.sent.at(-1);
    expect(failed).toMatchObject({ severity: 'error', title: 'Deployment failed: thumbnailer', service: THUMBNAILER });
    expect(fact(failed, 'Status')).toBe('failed, not released: alias live stays on version 12; version 13 received no traffic');
    expect(fact(failed, 'Reason')).toBe('smoke test failed on version 13: the function returned an error (Unhandled)');
    const response = fact(failed, 'Smoke test response') ?? '';
    expect(response).toMatch(/… \(\d+ characters, trimmed\)$/);
    expect(response.length).toBeLessThan(560);
    expect(response).toContain('"password":"[redacted]"');
    expect(response).toContain('postgres://[redacted]@db.internal');
    for (const text of [response, output.text(), JSON.stringify(notifier.sent)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('hunter2');
    }
    expect(output.logs().find((l) => l.message === 'deployment failed')?.fields).toMatchObject({
      smoke_test: 'failed',
      from_version: '12',
      to_version: '13',
    });
  });

  it('a response that does not match `expect` fails and names the keys', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock.on(InvokeCommand).resolves(invoked({ statusCode: 503, body: 'warming up' }));
    await app.handle(artifactUpload());
    expect(lambdaMock).not.toHaveReceivedCommand(UpdateAliasCommand);
    expect(fact(notifier.sent.at(-1), 'Reason')).toBe(
      'smoke test failed on version 13: the response does not match smoke_test.expect at "statusCode" (expected {"statusCode":200})',
    );
    expect(fact(notifier.sent.at(-1), 'Smoke test response')).toBe('{"statusCode":503,"body":"warming up"}');
  });

  it('without smoke_test the version is released without invoking it', async () => {
    const { app, lambdaMock, notifier } = lambdaApp({
      LAMBDA_CONFIG: JSON.stringify({
        thumbnailer: { alias: 'live', artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' } },
      }),
    });
    happyPath(lambdaMock);
    const result = await app.handle(artifactUpload());
    expect(lambdaMock).not.toHaveReceivedCommand(InvokeCommand);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', smokeTest: 'not_configured' }] });
    expect(fact(notifier.sent.at(-1), 'Smoke test')).toBe('not configured');
  });
});

describe('Lambda deploy: no alias ($LATEST in place)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('updates $LATEST, waits, and smoke-tests $LATEST: no version, no alias', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    const result = await app.handle(artifactUpload('resizer/lambda.zip'));
    expect(story(lambdaMock)).toEqual([
      ['GetFunctionConfiguration', { FunctionName: RESIZER }],
      [
        'UpdateFunctionCode',
        { FunctionName: RESIZER, S3Bucket: 'myproject-artifacts', S3Key: 'resizer/lambda.zip', S3ObjectVersion: S3_VERSION },
      ],
      ['GetFunction', { FunctionName: RESIZER }],
      ['Invoke', { FunctionName: RESIZER, Qualifier: '$LATEST', InvocationType: 'RequestResponse', Payload: '{"ping":true}' }],
    ]);
    expect(result).toMatchObject({
      deployments: [{ status: 'succeeded', alias: undefined, fromVersion: '$LATEST', toVersion: '$LATEST', smokeTest: 'passed' }],
    });
    expect(fact(notifier.sent[0], 'Alias')).toBe('none ($LATEST is updated in place)');
    expect(fact(notifier.sent[0], 'Smoke test')).toBe('runs on $LATEST after the update (no alias: nothing can be rolled back)');
  });

  it('a failed smoke test says plainly that nothing could be rolled back', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock.on(InvokeCommand).resolves(invoked({ statusCode: 500 }));
    const result = await app.handle(artifactUpload('resizer/lambda.zip'));
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(fact(notifier.sent.at(-1), 'Status')).toBe(
      'failed: $LATEST already runs the change; nothing could be rolled back (no alias configured)',
    );
    expect(fact(notifier.sent.at(-1), 'Reason')).toMatch(/^smoke test failed on \$LATEST: /);
  });
});

describe('Lambda deploy: dry run', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('reads the function and alias, changes nothing, invokes nothing, and lists the calls it would make', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp({ DRY_RUN: 'true' });
    happyPath(lambdaMock);
    const result = await app.handle(artifactUpload());

    expect(story(lambdaMock)).toEqual(UPLOAD_STORY.slice(0, 2));
    const planned = [
      `lambda:UpdateFunctionCode {"FunctionName":"${THUMBNAILER}","S3Bucket":"myproject-artifacts","S3Key":"thumbnailer/lambda.zip","S3ObjectVersion":"${S3_VERSION}"}`,
      'wait: GetFunction until LastUpdateStatus is Successful (after the change)',
      `lambda:PublishVersion {"FunctionName":"${THUMBNAILER}","Description":"deploybridge: ${TRIGGER}","RevisionId":"(revision after the wait)"}`,
      `lambda:Invoke {"FunctionName":"${THUMBNAILER}","Qualifier":"(new version)","InvocationType":"RequestResponse","Payload":"(smoke_test.payload)"} expecting {"statusCode":200}`,
      `lambda:UpdateAlias {"FunctionName":"${THUMBNAILER}","Name":"live","FunctionVersion":"(new version)","Description":"deploybridge previous_version=12; ${TRIGGER}","RevisionId":"alias-rev-1"}`,
    ];
    expect(result).toMatchObject({
      deployments: [
        { service: 'thumbnailer', status: 'dry_run', functionName: THUMBNAILER, alias: 'live', fromVersion: '12', plannedCalls: planned },
      ],
    });
    expect(metrics.counts).toEqual({});
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'info', title: 'Deployment would start: thumbnailer' });
    expect(fact(notifier.sent[0], 'Status')).toBe('dry run: not started');
    // Slack says them in words, in order; the result and the log keep the calls as the API gets them.
    expect(fact(notifier.sent[0], 'Planned calls')).toBe(
      [
        '1. UpdateFunctionCode: update the code to s3://myproject-artifacts/thumbnailer/lambda.zip (version ' + S3_VERSION + ')',
        '2. GetFunction: wait until LastUpdateStatus is Successful (after the change)',
        '3. PublishVersion: publish a new version',
        '4. Invoke: smoke test of the new version, expecting {"statusCode":200}',
        '5. UpdateAlias: move alias live to the new version',
      ].join('\n'),
    );
    expect(output.logs().find((l) => l.message === 'dry run: deployment not started')?.fields).toMatchObject({
      dry_run: true,
      from_version: '12',
      planned_calls: planned,
    });
  });

  it('a configuration change is shown with variable names counted, never their values', async () => {
    const { app, lambdaMock, notifier } = lambdaApp({ DRY_RUN: 'true' });
    happyPath(lambdaMock);
    const event = adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/thumbnailer/MAX_WIDTH' });
    await app.handle(event);
    expect(fact(notifier.sent[0], 'Planned calls')).toContain(
      '1. UpdateFunctionConfiguration: set DEPLOYBRIDGE_CONFIG_REVISION (the other variables kept)',
    );
    expect(JSON.stringify(notifier.sent)).not.toContain(SECRET);
    expect(output.text()).not.toContain(SECRET);
  });
});

describe('Lambda deploy: a concurrent change (PreconditionFailedException) is read again and retried', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('PublishVersion: reads the function again and publishes at its new revision', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    lambdaMock
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce(configuration())
      .resolves(configuration({ RevisionId: 'rev-3' }));
    lambdaMock.on(PublishVersionCommand).rejectsOnce(stale()).resolves({ Version: '13', State: 'Active' });
    const result = await app.handle(artifactUpload());
    expect(story(lambdaMock).slice(4, 7)).toEqual([
      ['PublishVersion', expect.objectContaining({ RevisionId: 'rev-2' })],
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER }],
      ['PublishVersion', { FunctionName: THUMBNAILER, Description: `deploybridge: ${TRIGGER}`, RevisionId: 'rev-3' }],
    ]);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '12', toVersion: '13' }] });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['info', 'success']);
  });

  it('UpdateAlias: reads the alias again and moves it, recording the version it really left', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    // Between our read and our move, someone pointed the alias at version 14.
    lambdaMock
      .on(GetAliasCommand)
      .resolvesOnce(alias('12'))
      .resolves({ ...alias('14'), RevisionId: 'alias-rev-2' });
    lambdaMock.on(UpdateAliasCommand).rejectsOnce(stale()).resolves({ Name: 'live', FunctionVersion: '13' });
    const result = await app.handle(artifactUpload());
    expect(story(lambdaMock).slice(-3)).toEqual([
      ['UpdateAlias', expect.objectContaining({ FunctionVersion: '13', RevisionId: 'alias-rev-1' })],
      ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
      [
        'UpdateAlias',
        {
          FunctionName: THUMBNAILER,
          Name: 'live',
          FunctionVersion: '13',
          Description: `deploybridge previous_version=14; ${TRIGGER}`,
          RevisionId: 'alias-rev-2',
        },
      ],
    ]);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '14', toVersion: '13' }] });
    expect(fact(notifier.sent.at(-1), 'Versions')).toBe('14 → 13');
  });

  it('gives up at the deadline: retries stay inside the deployment timeout', async () => {
    const { app, lambdaMock, notifier } = lambdaApp({ DEPLOYMENT_TIMEOUT_SECONDS: '1' }, { deployerOptions: { backoffBaseMs: 2000 } });
    happyPath(lambdaMock);
    lambdaMock.on(PublishVersionCommand).rejects(stale());
    const result = await app.handle(artifactUpload());
    expect(lambdaMock).toHaveReceivedCommandTimes(PublishVersionCommand, 1);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(fact(notifier.sent.at(-1), 'Reason')).toMatch(/^PreconditionFailedException: /);
  });
});

describe('Lambda deploy: rollback', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const rollback = () => manual({ service: 'thumbnailer', action: 'rollback', reason: 'p99 doubled' }, 'action.production');

  it('moves the alias back to the version its description records, and records the one it left', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    lambdaMock.on(GetAliasCommand).resolves(alias('13', `deploybridge previous_version=12; ${TRIGGER}`));
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration({ Version: '12' }));
    lambdaMock.on(UpdateAliasCommand).resolves({ FunctionVersion: '12' });

    const result = await app.handle(rollback());

    expect(story(lambdaMock)).toEqual([
      ['GetAlias', { FunctionName: THUMBNAILER, Name: 'live' }],
      ['GetFunctionConfiguration', { FunctionName: THUMBNAILER, Qualifier: '12' }],
      [
        'UpdateAlias',
        {
          FunctionName: THUMBNAILER,
          Name: 'live',
          FunctionVersion: '12',
          Description: 'deploybridge previous_version=13; rollback (manual deploy via action.production: p99 doubled)',
          RevisionId: 'alias-rev-1',
        },
      ],
    ]);
    expect(lambdaMock).not.toHaveReceivedCommand(InvokeCommand); // a rollback is not held up by a smoke test
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '13', toVersion: '12', smokeTest: 'skipped' }] });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['info', 'success']);
    expect(fact(notifier.sent[1], 'Status')).toBe('rolled back: alias live moved from version 13 back to 12');
    expect(fact(notifier.sent[0], 'Smoke test')).toBe('skipped for a rollback');
  });

  it('a second rollback undoes the first (the alias description always records the version before)', async () => {
    const { app, lambdaMock } = lambdaApp();
    let current = alias('13', 'deploybridge previous_version=12; S3 object …');
    lambdaMock.on(GetAliasCommand).callsFake(() => current);
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration());
    lambdaMock.on(UpdateAliasCommand).callsFake((input: { FunctionVersion: string; Description: string }) => {
      current = { ...current, FunctionVersion: input.FunctionVersion, Description: input.Description };
      return current;
    });
    await app.handle(rollback());
    expect(current.FunctionVersion).toBe('12');
    await app.handle(rollback());
    expect(current.FunctionVersion).toBe('13');
  });

  it('fails, changing nothing, when the alias records no previous version', async () => {
    const { app, lambdaMock, notifier, metrics } = lambdaApp();
    lambdaMock.on(GetAliasCommand).resolves(alias('13', 'managed by terraform'));
    const result = await app.handle(rollback());
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetAlias']);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(metrics.counts).toEqual({ DeploymentsFailed: 1 });
    expect(notifier.sent).toHaveLength(1);
    expect(fact(notifier.sent[0], 'Status')).toBe('rollback failed: alias live stays on version 13');
    expect(fact(notifier.sent[0], 'Reason')).toMatch(/^nothing to roll back to: the description of alias live records no previous version/);
  });

  it('a rollback meeting a concurrent alias change on the same version reads the alias again and retries', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    // Someone changed the alias (its description or routing) but not its version: the rollback still means the same.
    lambdaMock
      .on(GetAliasCommand)
      .resolvesOnce(alias('13', 'deploybridge previous_version=12; x'))
      .resolves({ ...alias('13', 'deploybridge previous_version=12; x'), RevisionId: 'alias-rev-2' });
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration());
    lambdaMock.on(UpdateAliasCommand).rejectsOnce(stale()).resolves({ FunctionVersion: '12' });
    const result = await app.handle(rollback());
    expect(story(lambdaMock).map(([command, input]) => [command, (input as { RevisionId?: string }).RevisionId])).toEqual([
      ['GetAlias', undefined],
      ['GetFunctionConfiguration', undefined],
      ['UpdateAlias', 'alias-rev-1'],
      ['GetAlias', undefined],
      ['UpdateAlias', 'alias-rev-2'],
    ]);
    expect(result).toMatchObject({ deployments: [{ status: 'succeeded', fromVersion: '13', toVersion: '12' }] });
    expect(fact(notifier.sent.at(-1), 'Status')).toBe('rolled back: alias live moved from version 13 back to 12');
  });

  it('a rollback fails, changing nothing, when the alias moved to another version in between', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    lambdaMock
      .on(GetAliasCommand)
      .resolvesOnce(alias('13', 'deploybridge previous_version=12; x'))
      .resolves({ ...alias('14', 'deploybridge previous_version=13; y'), RevisionId: 'alias-rev-2' });
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration());
    lambdaMock.on(UpdateAliasCommand).rejects(stale());
    const result = await app.handle(rollback());
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
    expect(fact(notifier.sent.at(-1), 'Status')).toBe('rollback failed: alias live stays on version 14');
    expect(fact(notifier.sent.at(-1), 'Reason')).toBe(
      'alias live moved from version 13 to 14 while rolling back; nothing was changed (send the rollback again to roll back from 14)',
    );
  });

  it('a rollback to a version that no longer exists fails before the alias moves', async () => {
    const { app, lambdaMock } = lambdaApp();
    lambdaMock.on(GetAliasCommand).resolves(alias('13', 'deploybridge previous_version=12; x'));
    lambdaMock.on(GetFunctionConfigurationCommand).rejects(awsError('ResourceNotFoundException', 404, 'Function not found'));
    const result = await app.handle(rollback());
    expect(lambdaMock).not.toHaveReceivedCommand(UpdateAliasCommand);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false }] });
  });
});
