/**
 * SQS batches of EventBridge events (the coalescing queue): every deployment a batch asks of one
 * target becomes one deployment, whatever mix of triggers asked for it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTaskDefinitionCommand, taskDefinition, testApp } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeImagesCommand, DescribeParametersCommand, objectHistory } from '../helpers/reads.js';
import { envelopeSchema } from '../../src/triggers/events.js';
import { revisionOf } from '../../src/triggers/restart.js';
import {
  configuration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  happyPath,
  lambdaApp,
  RENDERER,
  RESIZER,
  story,
  THUMBNAILER,
} from '../helpers/lambda-harness.js';
import { sqsBatch } from '../helpers/sqs.js';
import { DIGEST_A, DIGEST_B, envFileWritten, parameterChange, push, REGISTRY, tdArn, updates, updatesAnswered } from './events.js';

describe('merging per batch', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('SSM: 16 parameter changes of 3 services make 3 restarts, each listing its parameters (the first 10, then "+N more")', async () => {
    const { app, ecsMock, ssmMock, notifier, metrics } = testApp();
    updatesAnswered(ecsMock);
    ssmMock.on(DescribeParametersCommand).callsFake((input: { ParameterFilters: Array<{ Values: string[] }> }) => ({
      Parameters: [{ Name: input.ParameterFilters[0]?.Values[0], Version: 2, LastModifiedUser: 'arn:aws:iam::123456789012:user/alice' }],
    }));
    const api = Array.from({ length: 12 }, (_, i) => parameterChange(`/dev/myproject/api/P${String(i + 1).padStart(2, '0')}`, i));
    const worker = Array.from({ length: 3 }, (_, i) => parameterChange(`/dev/myproject/worker/W${i + 1}`, 20 + i));
    const backend = parameterChange('/dev/myproject/backend/SECRET_KEY', 30);

    const response = await app.handleBatch(sqsBatch([...api.slice(0, 6), ...worker, backend, ...api.slice(6)]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(
      updates(ecsMock)
        .map((u) => u.service)
        .sort(),
    ).toEqual(['myproject_service_api_dev', 'myproject_service_dev', 'myproject_service_worker_dev']);
    expect(notifier.sent.map((n) => n.title).sort()).toEqual([
      'Deployment started: api',
      'Deployment started: backend',
      'Deployment started: worker',
    ]);
    const apiMessage = notifier.sent.find((n) => n.title === 'Deployment started: api');
    const names = api.map((e) => e.detail.name as string);
    expect(apiMessage?.facts).toEqual(
      expect.arrayContaining([
        ['Trigger', `SSM parameters ${names.slice(0, 10).join(', ')}, +2 more`],
        ['Merged', '12 changes that arrived together, one deployment'],
        ['Changed by', 'arn:aws:iam::123456789012:user/alice'],
      ]),
    );
    // One event is one trigger, worded as ever.
    expect(notifier.sent.find((n) => n.title === 'Deployment started: backend')?.facts).toContainEqual([
      'Trigger',
      'SSM parameter /dev/myproject/backend/SECRET_KEY (Update)',
    ]);
    const started = output.logs().filter((l) => l.message === 'deployment started');
    expect(started.find((l) => l.fields.service === 'api')?.fields).toMatchObject({
      parameters: names.slice(0, 10),
      parameters_more: 2,
      merged_events: 12,
      event_ids: api.map((e) => e.id),
      event_id: api[11]?.id,
    });
    expect(output.logs().find((l) => l.message === 'batch handled')?.fields).toEqual({
      records: 16,
      events: 16,
      deployments_asked: 16,
      deployments: 3,
      deployments_covered: 0,
      changes_covered: 0,
      record_fates: { deployed: 16 },
      records_to_retry: [],
    });
    // Each deployment counts under its route; the invocation's own dimension is the batch's.
    expect(metrics.ofDeployments.filter((m) => m.name === 'DeploymentsStarted')).toEqual(
      Array.from({ length: 3 }, () => ({ name: 'DeploymentsStarted', trigger: 'ssm', value: 1, unit: 'Count' })),
    );
    expect(metrics.triggers).toEqual(['batch']);
  });

  it('S3: two env files of one service make one restart listing both files and their variables', async () => {
    const { app, ecsMock, s3Mock, notifier } = testApp();
    updatesAnswered(ecsMock);
    objectHistory(s3Mock, 'api/.env', [
      { versionId: 'api-v2', content: 'DB_HOST=new\n' },
      { versionId: 'api-v1', content: 'DB_HOST=old\n' },
    ]);
    objectHistory(s3Mock, 'shared/.env', [
      { versionId: 'shared-v2', content: 'LOG_LEVEL=info\nFEATURE_X=1\n' },
      { versionId: 'shared-v1', content: 'LOG_LEVEL=info\n' },
    ]);

    await app.handleBatch(sqsBatch([envFileWritten('api/.env', 'api-v2', 0), envFileWritten('shared/.env', 'shared-v2', 5)]));

    // shared/.env is used by api, worker and backend: api once for both files, the others once each.
    expect(
      updates(ecsMock)
        .map((u) => u.service)
        .sort(),
    ).toEqual(['myproject_service_api_dev', 'myproject_service_dev', 'myproject_service_worker_dev']);
    const apiMessage = notifier.sent.find((n) => n.title === 'Deployment started: api');
    expect(apiMessage?.facts).toEqual(
      expect.arrayContaining([
        ['Trigger', 'S3 objects s3://myproject-config-dev/api/.env, s3://myproject-config-dev/shared/.env'],
        ['Merged', '2 changes that arrived together, one deployment'],
        [
          'Variables',
          's3://myproject-config-dev/api/.env: changed DB_HOST (since version api-v1)\ns3://myproject-config-dev/shared/.env: added FEATURE_X (since version shared-v1)',
        ],
      ]),
    );
    expect(notifier.sent.find((n) => n.title === 'Deployment started: worker')?.facts).toContainEqual([
      'Trigger',
      'S3 object s3://myproject-config-dev/shared/.env (PutObject, version shared-v2)',
    ]);
  });

  it('ECR: three tags of one push deploy once, when one of them is the tag the service runs', async () => {
    const { app, ecsMock, ecrMock, notifier } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('myproject_service_api_dev', 42, [`${REGISTRY}/myproject_service_api:latest`]));
    updatesAnswered(ecsMock);
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST_A, imageTags: ['v1.4.2', 'latest', 'sha-3f9c1e2'] }] });

    const response = await app.handleBatch(
      sqsBatch([push('v1.4.2', DIGEST_A, 0), push('latest', DIGEST_A, 0), push('sha-3f9c1e2', DIGEST_A, 1)]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(updates(ecsMock)).toEqual([
      {
        cluster: 'myproject_cluster_dev',
        service: 'myproject_service_api_dev',
        taskDefinition: tdArn('myproject_service_api_dev', 42),
        forceNewDeployment: true,
      },
    ]);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Trigger', `ECR push myproject_service_api:latest (${DIGEST_A})`],
        ['Pushed image', expect.stringContaining('`latest` (also `v1.4.2`, `sha-3f9c1e2`)')],
      ]),
    );
    // The other tags are not what the service runs: each says so, as ever.
    expect(
      output
        .logs()
        .filter((l) => l.message.startsWith('deployment skipped: service runs tag latest'))
        .map((l) => l.fields.pushed_tag),
    ).toEqual(['v1.4.2', 'sha-3f9c1e2']);
  });

  it('ECR: pushes of two digests deploy once, the last by event time, naming the push it supersedes', async () => {
    const { app, ecsMock, ecrMock, notifier } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('myproject_service_api_dev', 42, [`${REGISTRY}/myproject_service_api:latest`]));
    updatesAnswered(ecsMock);
    ecrMock.on(DescribeImagesCommand).callsFake((input: { imageIds: Array<{ imageDigest: string }> }) => ({
      imageDetails: [{ imageDigest: input.imageIds[0]?.imageDigest, imageTags: ['latest'] }],
    }));
    const later = push('latest', DIGEST_B, 30);
    const earlier = push('latest', DIGEST_A, 10);

    // The later push arrives first: event time decides, not the order of the records.
    await app.handleBatch(sqsBatch([later, earlier]));

    expect(updates(ecsMock)).toHaveLength(1);
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Trigger',
      `ECR push myproject_service_api:latest (${DIGEST_B}), superseding the earlier push sha256:aaaaaaa…`,
    ]);
    const started = output.logs().find((l) => l.message === 'deployment started');
    expect(started?.fields).toMatchObject({ event_id: later.id, event_ids: [earlier.id, later.id], superseded_digests: [DIGEST_A] });
  });

  it("mixed: an image push and parameter changes of one service make one deployment of the ECR path's revision, listing every trigger", async () => {
    const { app, ecsMock, ecrMock, notifier, metrics } = testApp();
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(taskDefinition('myproject_service_api_dev', 43, [`${REGISTRY}/myproject_service_api:v2`]));
    updatesAnswered(ecsMock);
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST_B, imageTags: ['v2'], imageSizeInBytes: 182_000_000 }] });

    await app.handleBatch(
      sqsBatch([
        parameterChange('/dev/myproject/api/DB_HOST', 0),
        push('v2', DIGEST_B, 5),
        parameterChange('/dev/myproject/api/DB_PORT', 9),
      ]),
    );

    // Not the bare family a restart would use: the revision the push was checked against.
    expect(updates(ecsMock)).toEqual([
      {
        cluster: 'myproject_cluster_dev',
        service: 'myproject_service_api_dev',
        taskDefinition: tdArn('myproject_service_api_dev', 43),
        forceNewDeployment: true,
      },
    ]);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        [
          'Trigger',
          `ECR push myproject_service_api:v2 (${DIGEST_B}); SSM parameters /dev/myproject/api/DB_HOST, /dev/myproject/api/DB_PORT`,
        ],
        ['Merged', '3 changes that arrived together, one deployment'],
        ['Pushed image', expect.stringContaining('`v2`, sha256:bbbbbbb…, 182 MB')],
        ['Changed by', 'unknown'],
      ]),
    );
    expect(metrics.ofDeployments.filter((m) => m.name === 'DeploymentsStarted')).toEqual([
      { name: 'DeploymentsStarted', trigger: 'ecr', value: 1, unit: 'Count' },
    ]);
  });

  it('delete warnings are not merged: one per deleted parameter, next to the restart the updates make', async () => {
    const { app, ecsMock, notifier } = testApp();
    updatesAnswered(ecsMock);

    await app.handleBatch(
      sqsBatch([
        parameterChange('/dev/myproject/api/OLD_A', 0, 'delete'),
        parameterChange('/dev/myproject/api/NEW_A', 1),
        parameterChange('/dev/myproject/api/OLD_B', 2, 'delete'),
        parameterChange('/dev/myproject/api/NEW_B', 3),
      ]),
    );

    expect(updates(ecsMock)).toHaveLength(1);
    expect(notifier.sent.filter((n) => n.title === 'Parameter deleted: api').map((n) => n.facts[0])).toEqual([
      ['Parameter', '/dev/myproject/api/OLD_A'],
      ['Parameter', '/dev/myproject/api/OLD_B'],
    ]);
    expect(notifier.sent.find((n) => n.title === 'Deployment started: api')?.facts).toContainEqual([
      'Trigger',
      'SSM parameters /dev/myproject/api/NEW_A, /dev/myproject/api/NEW_B',
    ]);
  });

  it('a duplicate delivery of one event in the batch is planned and deployed once', async () => {
    const { app, ecsMock, ssmMock } = testApp();
    updatesAnswered(ecsMock);
    const change = parameterChange('/dev/myproject/api/DB_HOST', 0);

    const response = await app.handleBatch(sqsBatch([change, change]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(updates(ecsMock)).toHaveLength(1);
    expect(ssmMock.commandCalls(DescribeParametersCommand)).toHaveLength(1);
  });

  it('a direct EventBridge invocation is handled as before: one event, its own deployment', async () => {
    const { app, ecsMock, notifier } = testApp();
    updatesAnswered(ecsMock);
    const result = await app.handle(parameterChange('/dev/myproject/api/DB_HOST', 0));
    expect(result).toMatchObject({ status: 'planned', deployments: [{ status: 'started' }] });
    expect(updates(ecsMock)).toHaveLength(1);
    expect(notifier.sent[0]?.facts).toContainEqual(['Trigger', 'SSM parameter /dev/myproject/api/DB_HOST (Update)']);
  });

  it('Lambda: an image push and a parameter change of one function make one code update (it starts fresh environments anyway)', async () => {
    const { app, lambdaMock, notifier } = lambdaApp();
    happyPath(lambdaMock);
    const image = `${REGISTRY}/myproject_service_renderer:v2`;
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration({ FunctionName: RENDERER, PackageType: 'Image' }));
    lambdaMock.on(GetFunctionCommand).resolves({
      Configuration: { PackageType: 'Image', LastUpdateStatus: 'Successful', RevisionId: 'rev-2' },
      Code: { ImageUri: image, ResolvedImageUri: `${REGISTRY}/myproject_service_renderer@${DIGEST_B}` },
    });

    await app.handleBatch(
      sqsBatch([push('v2', DIGEST_B, 3, 'myproject_service_renderer'), parameterChange('/dev/myproject/renderer/MODE', 0)]),
    );

    const calls = story(lambdaMock).map(([command]) => command);
    expect(calls.filter((c) => c === 'UpdateFunctionCode')).toHaveLength(1);
    expect(calls).not.toContain('UpdateFunctionConfiguration');
    expect(calls.filter((c) => c === 'PublishVersion')).toHaveLength(1);
    expect(notifier.sent.map((n) => n.title)).toEqual(['Deployment started: renderer', 'Deployment succeeded: renderer']);
    expect(notifier.sent[0]?.facts).toContainEqual([
      'Trigger',
      `ECR push myproject_service_renderer:v2 (${DIGEST_B}); SSM parameter /dev/myproject/renderer/MODE`,
    ]);
    expect(notifier.sent[0]?.facts).toContainEqual(['Change', `update code to image ${image}`]);
  });

  it("Lambda: two parameter changes of one function set DEPLOYBRIDGE_CONFIG_REVISION once, to the later change's", async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    const first = parameterChange('/dev/myproject/thumbnailer/A', 0);
    const second = parameterChange('/dev/myproject/thumbnailer/B', 4);

    await app.handleBatch(sqsBatch([second, first]));

    const updated = story(lambdaMock).filter(([command]) => command === 'UpdateFunctionConfiguration');
    expect(updated).toEqual([
      [
        'UpdateFunctionConfiguration',
        expect.objectContaining({
          FunctionName: THUMBNAILER,
          Environment: { Variables: expect.objectContaining({ DEPLOYBRIDGE_CONFIG_REVISION: revisionOf(envelopeSchema().parse(second)) }) },
        }),
      ],
    ]);
  });

  it("Lambda: a zip upload wins over a later parameter change of its function (the code update is not lost); another function's change is its own deployment", async () => {
    const { app, lambdaMock } = lambdaApp();
    happyPath(lambdaMock);
    const upload = envFileWritten('thumbnailer/lambda.zip', 'zip-v2', 0, 'myproject-artifacts');
    const laterParameter = parameterChange('/dev/myproject/thumbnailer/MODE', 5);
    const otherFunction = parameterChange('/dev/myproject/resizer/WIDTH', 1);

    await app.handleBatch(sqsBatch([upload, laterParameter, otherFunction]));

    const writes = story(lambdaMock).filter(([command]) => command === 'UpdateFunctionCode' || command === 'UpdateFunctionConfiguration');
    // The two functions deploy concurrently: their calls interleave.
    expect(writes).toHaveLength(2);
    expect(writes).toEqual(
      expect.arrayContaining([
        [
          'UpdateFunctionCode',
          expect.objectContaining({
            FunctionName: THUMBNAILER,
            S3Bucket: 'myproject-artifacts',
            S3Key: 'thumbnailer/lambda.zip',
            S3ObjectVersion: 'zip-v2',
          }),
        ],
        [
          'UpdateFunctionConfiguration',
          expect.objectContaining({
            FunctionName: RESIZER,
            Environment: {
              Variables: expect.objectContaining({ DEPLOYBRIDGE_CONFIG_REVISION: revisionOf(envelopeSchema().parse(otherFunction)) }),
            },
          }),
        ],
      ]),
    );
  });
});
