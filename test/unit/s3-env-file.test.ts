/**
 * An env-file change, read, validated and compared before anything restarts: real S3 event shapes
 * (native EventBridge and CloudTrail), a versioned object history answered by a mocked S3 client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSlackPayload } from '../../src/slack/messages.js';
import { sentCommands, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { awsSample } from '../helpers/fixtures.js';
import { fact, happyPath, lambdaApp } from '../helpers/lambda-harness.js';
import { captureOutput } from '../helpers/logs.js';
import { GetObjectCommand, ListObjectVersionsCommand, objectBody, objectHistory } from '../helpers/reads.js';
import { ENV_FILE_SECRETS } from '../helpers/suiteOutput.js';

const BUCKET = 'myproject-config-dev';
const [SECRET_OLD, SECRET_NEW] = ENV_FILE_SECRETS as [string, string];
const V3 = 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e';
const V2 = 'Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L';
const V1 = 'mtB0cV.jejK63XkRNceanNMC.qXPWLeK';

/** Version 2 (before) and version 3 (the event's): one name added, one removed, one value changed. */
const BEFORE = `APP_ENV=dev\nDB_PASSWORD=${SECRET_OLD}\nLEGACY_API=on\n`;
const AFTER = `APP_ENV=dev\nDB_PASSWORD=${SECRET_NEW}\nFEATURE_SEARCH=on\n`;

/** S3's native "Object Created" sample, for a key of this project (`versionId: null` drops the version, as in an unversioned bucket). */
function nativeCreated(key: string, versionId: string | null = V3) {
  const sample = awsSample('s3/eventbridge-object-created.json');
  const detail = sample.detail as { object: Record<string, unknown> };
  const object: Record<string, unknown> = { ...detail.object, key, 'version-id': versionId };
  if (versionId === null) delete object['version-id'];
  return { ...sample, account: '123456789012', region: 'us-east-1', detail: { ...detail, bucket: { name: BUCKET }, object } };
}

/** A CloudTrail PutObject in the "AWS API Call via CloudTrail" envelope; a versioned bucket answers with x-amz-version-id. */
function cloudTrailPut(key: string, versionId: string | null = V3) {
  const detail = awsSample('s3/cloudtrail-putobject-detail-only.json');
  return {
    ...awsSample('s3/cloudtrail-api-call-createbucket-full-envelope.json'),
    detail: {
      ...detail,
      requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.amazonaws.com`, key },
      responseElements: versionId === null ? null : { 'x-amz-server-side-encryption': 'AES256', 'x-amz-version-id': versionId },
    },
  };
}

function deployedServices(ecsMock: ReturnType<typeof testApp>['ecsMock']): string[] {
  return ecsMock
    .commandCalls(UpdateServiceCommand)
    .map((c) => c.args[0].input.service ?? '')
    .sort();
}

/** Everything people could read: log output and the Slack payloads. */
function everythingWritten(output: ReturnType<typeof captureOutput>, notifier: ReturnType<typeof testApp>['notifier']): string {
  return [output.text(), ...notifier.sent.map((n) => JSON.stringify(buildSlackPayload(n, { environment: 'dev' })))].join('\n');
}

function appWithHistory(
  key: string,
  versions: Array<{ versionId: string; content: string | Uint8Array }>,
  env: Record<string, string> = {},
) {
  const test = testApp(env);
  test.ecsMock
    .on(UpdateServiceCommand)
    .callsFake((input: { service: string }) => serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${input.service}:2`));
  objectHistory(test.s3Mock, key, versions);
  return test;
}

describe('S3 env file: read, validated, compared with the version before it', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it("a valid change reads the event's version and the one before it, names what changed, and redeploys", async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', [
      { versionId: V3, content: AFTER },
      { versionId: V2, content: BEFORE },
      { versionId: V1, content: 'APP_ENV=dev\n' },
    ]);

    const result = await app.handle(nativeCreated('api/.env'));

    expect(sentCommands(s3Mock)).toEqual([
      { command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: 'api/.env', VersionId: V3 } },
      { command: 'ListObjectVersionsCommand', input: { Bucket: BUCKET, Prefix: 'api/.env' } },
      { command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: 'api/.env', VersionId: V2 } },
    ]);
    expect(deployedServices(ecsMock)).toEqual(['myproject_service_api_dev']);
    expect(result).toMatchObject({ status: 'planned', deployments: [{ service: 'api', status: 'started' }] });
    expect(notifier.sent.map((n) => n.title)).toEqual(['Deployment started: api']);
    expect(fact(notifier.sent[0], 'Variables')).toBe(`added FEATURE_SEARCH; removed LEGACY_API; changed DB_PASSWORD (since version ${V2})`);
    expect(fact(notifier.sent[0], 'Changed by')).toBe('account 123456789012');
    const started = output.logs().find((l) => l.message === 'deployment started');
    expect(started?.fields).toMatchObject({
      added: ['FEATURE_SEARCH'],
      removed: ['LEGACY_API'],
      changed: ['DB_PASSWORD'],
      previous_version_id: V2,
      changed_by: '123456789012',
    });
    // The values were read (DB_PASSWORD changed) but are nowhere in what people read.
    for (const secret of ENV_FILE_SECRETS) expect(everythingWritten(output, notifier)).not.toContain(secret);
  });

  it('a file shared by three services is read once and each started message names the change', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('shared/.env', [
      { versionId: V3, content: AFTER },
      { versionId: V2, content: BEFORE },
    ]);
    await app.handle(nativeCreated('shared/.env'));
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(2);
    expect(deployedServices(ecsMock)).toEqual(['myproject_service_api_dev', 'myproject_service_dev', 'myproject_service_worker_dev']);
    expect(notifier.sent.map((n) => fact(n, 'Variables'))).toEqual(
      Array(3).fill(`added FEATURE_SEARCH; removed LEGACY_API; changed DB_PASSWORD (since version ${V2})`),
    );
  });

  it('CloudTrail: the version is x-amz-version-id and the actor is userIdentity.arn', async () => {
    const { app, s3Mock, notifier } = appWithHistory('api/.env', [
      { versionId: V3, content: AFTER },
      { versionId: V2, content: BEFORE },
    ]);
    await app.handle(cloudTrailPut('api/.env'));
    expect(sentCommands(s3Mock)[0]).toEqual({ command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: 'api/.env', VersionId: V3 } });
    expect(fact(notifier.sent[0], 'Changed by')).toBe('arn:aws:sts::123456789012:assumed-role/SomeRole/user-SomeRole');
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      changed_by: 'arn:aws:sts::123456789012:assumed-role/SomeRole/user-SomeRole',
    });
  });

  it('an unknown actor stays unknown: nothing is invented', async () => {
    const { app, notifier } = appWithHistory('api/.env', [
      { versionId: V3, content: AFTER },
      { versionId: V2, content: BEFORE },
    ]);
    const event = cloudTrailPut('api/.env');
    const { userIdentity: _dropped, ...detail } = event.detail as Record<string, unknown>;
    await app.handle({ ...event, detail });
    expect(fact(notifier.sent[0], 'Changed by')).toBe('unknown');
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).not.toHaveProperty('changed_by');
  });

  it('an invalid file deploys nothing: one Slack warning naming the file, the services and the lines, never a value', async () => {
    const invalid = `APP_ENV=dev\r\nDB PASSWORD=${SECRET_NEW}\r\n${SECRET_OLD}\r\nDB_PASSWORD=${SECRET_NEW}\r\nDB_PASSWORD=${SECRET_OLD}\r\n`;
    const { app, ecsMock, s3Mock, notifier, metrics } = appWithHistory('shared/.env', [
      { versionId: V3, content: invalid },
      { versionId: V2, content: BEFORE },
    ]);

    const result = await app.handle(nativeCreated('shared/.env'));

    expect(ecsMock.calls()).toHaveLength(0);
    // Nothing to compare once the file is refused.
    expect(sentCommands(s3Mock)).toEqual([{ command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: 'shared/.env', VersionId: V3 } }]);
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'error', title: 'Env file invalid: s3://myproject-config-dev/shared/.env' });
    expect(fact(notifier.sent[0], 'Used by')).toBe('myproject_service_api_dev, myproject_service_worker_dev, myproject_service_dev');
    expect(fact(notifier.sent[0], 'Version')).toBe(V3);
    expect(fact(notifier.sent[0], 'Problems')?.split('\n')).toEqual([
      'lines 1–5: Windows line endings (CRLF); save the file with LF line endings',
      'line 3: no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)',
      'line 2: the name contains whitespace (spaces around or inside the name before "=")',
      'line 5: DB_PASSWORD is set again (first on line 4; ECS keeps the last one)',
    ]);
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 3 });
    const skipped = output
      .logs()
      .filter((l) => l.message.startsWith('deployment skipped: env file s3://myproject-config-dev/shared/.env is invalid'));
    expect(skipped.map((l) => l.fields.service)).toEqual(['api', 'worker', 'backend']);
    expect(skipped[0]?.fields.problems).toContainEqual({ kind: 'duplicate_name', line: 5, name: 'DB_PASSWORD', firstLine: 4 });
    for (const secret of ENV_FILE_SECRETS) expect(everythingWritten(output, notifier)).not.toContain(secret);
  });

  it('an invalid file is refused in a dry run too', async () => {
    const { app, notifier } = appWithHistory('api/.env', [{ versionId: V3, content: '\uFEFFAPP_ENV=dev\n' }], { DRY_RUN: 'true' });
    const result = await app.handle(nativeCreated('api/.env'));
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    expect(notifier.sent.map((n) => n.title)).toEqual(['Env file invalid: s3://myproject-config-dev/api/.env']);
  });

  it('a re-upload that changes nothing deploys nothing and says so in one info log line', async () => {
    const { app, ecsMock, notifier, metrics } = appWithHistory('shared/.env', [
      { versionId: V3, content: `# re-saved\n${BEFORE}` },
      { versionId: V2, content: BEFORE },
    ]);
    const result = await app.handle(nativeCreated('shared/.env'));
    const reason = `env file s3://myproject-config-dev/shared/.env has the same variables and values as version ${V2}; nothing to redeploy`;
    expect(result).toEqual({ status: 'ignored', eventId: '17793124-05d4-b198-2fde-7ededc63b103', route: 's3', reason });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(notifier.sent).toHaveLength(0);
    expect(metrics.counts).toEqual({ EventsIgnored: 1 });
    expect(output.logs().map((l) => [l.level, l.message])).toEqual([['info', `event ignored: ${reason}`]]);
  });

  it('an unversioned bucket: the current object is checked, nothing is listed, and the message says why', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', []);
    s3Mock.on(GetObjectCommand, { Key: 'api/.env' }).callsFake(() => objectBody(AFTER));
    await app.handle(nativeCreated('api/.env', null));
    expect(sentCommands(s3Mock)).toEqual([{ command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: 'api/.env' } }]);
    expect(deployedServices(ecsMock)).toEqual(['myproject_service_api_dev']);
    expect(fact(notifier.sent[0], 'Variables')).toBe(
      'not listed: the bucket is not versioned, so there is no previous version to compare with',
    );
    const started = output.logs().find((l) => l.message === 'deployment started');
    expect(started?.fields).toMatchObject({ env_file_not_compared: 'unversioned' });
    expect(started?.fields).not.toHaveProperty('added');
  });

  it('the first version of a file: every variable is added', async () => {
    const { app, notifier } = appWithHistory('api/.env', [{ versionId: V3, content: AFTER }]);
    await app.handle(nativeCreated('api/.env'));
    expect(fact(notifier.sent[0], 'Variables')).toBe('new file: added APP_ENV, DB_PASSWORD, FEATURE_SEARCH');
  });

  it('versions of longer keys under the same prefix and delete markers are passed over', async () => {
    const { app, s3Mock, notifier } = appWithHistory('api/.env', []);
    s3Mock.on(ListObjectVersionsCommand, { Prefix: 'api/.env' }).resolves({
      IsTruncated: false,
      Versions: [
        { Key: 'api/.env', VersionId: V3, IsLatest: true },
        { Key: 'api/.env', VersionId: V2, IsLatest: false },
        { Key: 'api/.env.bak', VersionId: 'bak1', IsLatest: true },
      ],
      DeleteMarkers: [{ Key: 'api/.env', VersionId: 'marker', IsLatest: false }],
    });
    s3Mock.on(GetObjectCommand, { VersionId: V3 }).callsFake(() => objectBody(AFTER));
    s3Mock.on(GetObjectCommand, { VersionId: V2 }).callsFake(() => objectBody(BEFORE));
    await app.handle(nativeCreated('api/.env'));
    expect(fact(notifier.sent[0], 'Variables')).toBe(`added FEATURE_SEARCH; removed LEGACY_API; changed DB_PASSWORD (since version ${V2})`);
  });

  it('a file over 1 MiB is not read: it is reported as invalid with its size', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', []);
    let destroyed = false;
    s3Mock.on(GetObjectCommand).resolves({
      ContentLength: 5_000_000,
      Body: { destroy: () => (destroyed = true), transformToByteArray: () => Promise.reject(new Error('must not be read')) } as never,
    });
    await app.handle(nativeCreated('api/.env'));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(destroyed).toBe(true);
    expect(fact(notifier.sent[0], 'Problems')).toBe('the file is 5.0 MB, larger than the 1 MiB deploybridge reads: not checked');
  });

  it('a body longer than its announced length is refused as too large as well', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', []);
    const big = `A=${'x'.repeat(1024 * 1024)}\n`;
    s3Mock.on(GetObjectCommand).callsFake(() => ({ ...objectBody(big), ContentLength: undefined }));
    await app.handle(nativeCreated('api/.env'));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(fact(notifier.sent[0], 'Problems')).toBe('the file is 1.0 MB, larger than the 1 MiB deploybridge reads: not checked');
  });

  it('a file that cannot be read deploys nothing: the planning failure is logged and reported', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', []);
    s3Mock.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403, requestId: 'REQ1' },
      }),
    );
    const result = await app.handle(nativeCreated('api/.env'));
    expect(result.status).toBe('rejected');
    expect(ecsMock.calls()).toHaveLength(0);
    const reason = `env file s3://myproject-config-dev/api/.env (version ${V3}) could not be read, so it was not checked: AccessDenied: Access Denied`;
    expect(notifier.sent).toEqual([
      expect.objectContaining({
        severity: 'error',
        title: 'Deployment failed before it started',
        facts: expect.arrayContaining([['Reason', reason]]) as unknown,
      }),
    ]);
    expect(output.logs().find((l) => l.message === 'deployment failed: could not plan')?.fields).toMatchObject({
      error: reason,
      error_name: 'AccessDenied',
      aws_request_id: 'REQ1',
    });
  });

  it('a transient failure reading the file fails the invocation so Lambda retries it', async () => {
    const { app, ecsMock, s3Mock } = appWithHistory('api/.env', []);
    s3Mock.on(GetObjectCommand).rejects(
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    await expect(app.handle(nativeCreated('api/.env'))).rejects.toThrow('could not be read');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('when the history cannot be listed, the valid file still deploys and the message says it was not compared', async () => {
    const { app, ecsMock, s3Mock, notifier } = appWithHistory('api/.env', [{ versionId: V3, content: AFTER }]);
    s3Mock.on(ListObjectVersionsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client' }));
    await app.handle(nativeCreated('api/.env'));
    expect(deployedServices(ecsMock)).toEqual(['myproject_service_api_dev']);
    expect(fact(notifier.sent[0], 'Variables')).toBe('not listed: the previous version could not be read');
    expect(output.logs().find((l) => l.message === 'env file not compared with its previous version')).toMatchObject({
      level: 'warn',
      fields: { reason: 'read_failed', error_name: 'AccessDenied', key: 'api/.env' },
    });
  });

  it('an event version that is not among the listed versions is not compared', async () => {
    const { app, notifier } = appWithHistory('api/.env', [{ versionId: V2, content: BEFORE }]);
    await app.handle(nativeCreated('api/.env'));
    expect(fact(notifier.sent[0], 'Variables')).toBe("not listed: the previous version could not be found among the object's versions");
  });

  it('a Lambda artifact is not read as an env file', async () => {
    const { app, s3Mock, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    const sample = awsSample('s3/eventbridge-object-created.json');
    const result = await app.handle({
      ...sample,
      detail: { ...sample.detail, bucket: { name: 'myproject-artifacts' }, object: { key: 'thumbnailer/lambda.zip', 'version-id': V3 } },
    });
    expect(result).toMatchObject({ status: 'planned', deployments: [{ service: 'thumbnailer', status: 'succeeded' }] });
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
