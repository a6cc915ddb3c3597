import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSample, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { happyPath, lambdaApp, UpdateFunctionCodeCommand } from '../helpers/lambda-harness.js';

const BUCKET = 'myproject-config-dev';

/** S3's native EventBridge sample, adapted to a bucket and key of this project. */
function nativeEvent(detailType: 'created' | 'deleted', key: string) {
  const sample = awsSample(`s3/eventbridge-object-${detailType}.json`);
  const detail = sample.detail as { bucket: object; object: object };
  return { ...sample, detail: { ...detail, bucket: { name: BUCKET }, object: { ...detail.object, key } } };
}

/** The CloudTrail PutObject record in the documented "AWS API Call via CloudTrail" envelope. */
function cloudTrailEvent(eventName: string, key: string) {
  const detail = awsSample('s3/cloudtrail-putobject-detail-only.json');
  return {
    ...awsSample('s3/cloudtrail-api-call-createbucket-full-envelope.json'),
    detail: { ...detail, eventName, requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.amazonaws.com`, key } },
  };
}

function servicesDeployed(ecsMock: ReturnType<typeof testApp>['ecsMock']): string[] {
  return ecsMock
    .commandCalls(UpdateServiceCommand)
    .map((c) => c.args[0].input.service ?? '')
    .sort();
}

describe('S3 env-file change → redeploy every service that uses it', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('redeploys every service listing the object (native Object Created)', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .callsFake((input: { service: string }) => serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${input.service}:2`));
    const result = await app.handle(nativeEvent('created', 'shared/.env'));
    expect(servicesDeployed(ecsMock)).toEqual(['myproject_service_api_dev', 'myproject_service_dev', 'myproject_service_worker_dev']);
    expect(ecsMock.calls()).toHaveLength(3); // one call per service: UpdateService restarting what it runs
    expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toContainEqual({
      cluster: 'myproject_cluster_dev',
      service: 'myproject_service_worker_dev',
      forceNewDeployment: true,
    });
    expect(result.status === 'planned' && result.deployments.map((d) => d.status)).toEqual(['started', 'started', 'started']);
    expect(notifier.sent.map((n) => n.title).sort()).toEqual([
      'Deployment started: api',
      'Deployment started: backend',
      'Deployment started: worker',
    ]);
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Trigger',
      'S3 object s3://myproject-config-dev/shared/.env (PutObject, version IYV3p45BT0ac8hjHg1houSdS1a.Mro8e)',
    ]);
  });

  it.each(['PutObject', 'CopyObject', 'CompleteMultipartUpload'])('redeploys on CloudTrail %s', async (eventName) => {
    const { app, ecsMock } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:2'));
    await app.handle(cloudTrailEvent(eventName, 'api/.env'));
    expect(servicesDeployed(ecsMock)).toEqual(['myproject_service_api_dev']);
  });

  it('reports each result: one failure does not stop the others', async () => {
    const { app, ecsMock, notifier, metrics } = testApp();
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/x:1'));
    ecsMock
      .on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' })
      .rejects(Object.assign(new Error('Service not found.'), { name: 'ServiceNotFoundException', $fault: 'client' }));
    const result = await app.handle(nativeEvent('created', 'shared/.env'));
    expect(result.status === 'planned' && result.deployments.map((d) => `${d.service}:${d.status}`)).toEqual([
      'api:started',
      'worker:failed',
      'backend:started',
    ]);
    expect(metrics.counts).toMatchObject({ DeploymentsStarted: 2, DeploymentsFailed: 1 });
    expect(notifier.sent.filter((n) => n.severity === 'error').map((n) => n.title)).toEqual(['Deployment failed: worker']);
  });

  it('a deleted env file redeploys nothing and sends one warning naming the services', async () => {
    const { app, ecsMock, notifier } = testApp();
    await app.handle(nativeEvent('deleted', 'shared/.env'));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'error', title: 'Env file deleted: s3://myproject-config-dev/shared/.env' });
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Used by',
      'myproject_service_api_dev, myproject_service_worker_dev, myproject_service_dev',
    ]);
  });

  it('a CloudTrail call that failed (errorCode) changed nothing and deploys nothing', async () => {
    const { app, ecsMock } = testApp();
    const event = cloudTrailEvent('PutObject', 'api/.env');
    const result = await app.handle({ ...event, detail: { ...event.detail, errorCode: 'AccessDenied', errorMessage: 'Access Denied' } });
    expect(result).toMatchObject({
      status: 'ignored',
      reason: 'S3 "PutObject failed with AccessDenied" does not change an object\'s content',
    });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('a CloudTrail DeleteObject is a delete too', async () => {
    const { app, ecsMock, notifier } = testApp();
    await app.handle(cloudTrailEvent('DeleteObject', 'api/.env'));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
  });

  it.each([
    ['an object no service uses', () => nativeEvent('created', 'other/.env')],
    ['the documented sample bucket', () => awsSample('s3/eventbridge-object-created.json')],
    ['the real captured sample', () => awsSample('s3/eventbridge-object-created-real-capture.json')],
    ['a lifecycle expiry elsewhere', () => awsSample('s3/eventbridge-object-deleted-lifecycle.json')],
    ['CloudTrail CreateBucket', () => awsSample('s3/cloudtrail-api-call-createbucket-full-envelope.json')],
  ])('ignores %s without AWS calls', async (_what, event) => {
    const { app, ecsMock } = testApp();
    const result = await app.handle(event());
    expect(['ignored', 'rejected']).toContain(result.status);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('the sample in events/ plans the api and its neighbours', async () => {
    const { app, ecsMock } = testApp({ DRY_RUN: 'true' });
    const result = await app.handle(projectEvent('s3-env-file-cloudtrail-put.json'));
    expect(result.status === 'planned' && result.deployments.map((d) => `${d.service}:${d.status}`)).toEqual(['api:dry_run']);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('does nothing when ENABLE_S3_MONITORING is off', async () => {
    const { app, ecsMock } = testApp({ ENABLE_S3_MONITORING: 'no' });
    expect((await app.handle(nativeEvent('created', 'shared/.env'))).status).toBe('ignored');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  // S3's own events (native EventBridge events, as its notifications) carry the key URL-encoded:
  // a space as "+", "+" as "%2B", non-ASCII and reserved characters as %XX, "/" as it is.
  // CloudTrail records the key as the request sent it. Each is matched in its own form only, as
  // the module's rules match it (test/terraform/s3-keys.test.ts holds the two together).
  describe('keys with spaces, "+", "=" and non-ASCII: native events URL-encoded, CloudTrail as sent', () => {
    const KEYS = { spaced: 'config/my app.env', plus: 'config/a+b=c.env', accented: 'config/café/über.env' };
    const env = {
      SERVICE_CONFIG: JSON.stringify({
        api: [{ bucket: BUCKET, key: KEYS.spaced }],
        worker: [{ bucket: BUCKET, key: KEYS.plus }],
        backend: [{ bucket: BUCKET, key: KEYS.accented }],
      }),
    };

    it.each([
      ['a space as "+"', 'config/my+app.env', 'myproject_service_api_dev'],
      ['a space as "%20"', 'config/my%20app.env', 'myproject_service_api_dev'],
      ['"+" and "=" URL-encoded', 'config/a%2Bb%3Dc.env', 'myproject_service_worker_dev'],
      ['non-ASCII URL-encoded', 'config/caf%C3%A9/%C3%BCber.env', 'myproject_service_dev'],
    ])('native event, %s', async (_what, key, service) => {
      const { app, ecsMock } = testApp(env);
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/x:1'));
      await app.handle(nativeEvent('created', key));
      expect(servicesDeployed(ecsMock)).toEqual([service]);
    });

    it.each([
      // S3 never sends these for the configured keys: each names another object, or no form S3 writes.
      ['a space as delivered', 'config/my app.env'],
      ['"+" as delivered (a space, encoded: config/a b=c.env)', 'config/a+b=c.env'],
      ['non-ASCII as delivered', 'config/café/über.env'],
      ['"/" encoded', 'config%2Fmy+app.env'],
      ['"." encoded', 'config/my+app%2Eenv'],
    ])('native event, %s: not a configured object', async (_what, key) => {
      const { app, ecsMock } = testApp(env);
      expect(await app.handle(nativeEvent('created', key))).toMatchObject({ status: 'ignored' });
      expect(ecsMock.calls()).toHaveLength(0);
    });

    it('CloudTrail event: the key as sent', async () => {
      const { app, ecsMock, notifier } = testApp(env);
      ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/x:1'));
      await app.handle(cloudTrailEvent('PutObject', 'config/my app.env'));
      expect(servicesDeployed(ecsMock)).toEqual(['myproject_service_api_dev']);
      // People read the key as it is named in SERVICE_CONFIG.
      expect(notifier.sent[0]?.facts).toContainEqual(['Trigger', 'S3 object s3://myproject-config-dev/config/my app.env (PutObject)']);
    });

    it.each(['config/my+app.env', 'config/my%20app.env', 'config/a%2Bb%3Dc.env'])(
      'CloudTrail event, %s: another object than the configured one (CloudTrail does not encode)',
      async (key) => {
        const { app, ecsMock } = testApp(env);
        expect(await app.handle(cloudTrailEvent('PutObject', key))).toMatchObject({ status: 'ignored' });
        expect(ecsMock.calls()).toHaveLength(0);
      },
    );

    it('a Lambda artifact is fetched with the key that matched, not the encoded one', async () => {
      const { app, lambdaMock } = lambdaApp({
        LAMBDA_CONFIG: JSON.stringify({
          thumbnailer: { alias: 'live', artifact: { bucket: 'myproject-artifacts', key: 'builds/thumb nailer+v2.zip' } },
        }),
      });
      happyPath(lambdaMock);
      const event = nativeEvent('created', 'builds/thumb+nailer%2Bv2.zip');
      await app.handle({ ...event, detail: { ...event.detail, bucket: { name: 'myproject-artifacts' } } });
      expect(lambdaMock).toHaveReceivedCommandWith(UpdateFunctionCodeCommand, {
        S3Bucket: 'myproject-artifacts',
        S3Key: 'builds/thumb nailer+v2.zip',
      });
    });
  });
});
