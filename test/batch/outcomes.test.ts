/**
 * What an SQS batch answers: exactly the records whose deployments are left to do
 * (`batchItemFailures`); records that could never succeed are reported once and succeed.
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEPLOYER_DEFAULTS } from '../../src/config/constants.js';
import { DescribeServicesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { createMemoryJournal } from '../../src/following/store.js';
import {
  DescribeTaskDefinitionCommand,
  lambdaContext,
  sentCommands,
  serviceUpdated,
  testApp,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { sqsBatch, sqsSampleEvent } from '../helpers/sqs.js';
import { parameterChange, tdArn, updates } from './events.js';

const transient = () =>
  Object.assign(new Error('Service Unavailable'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 503 } });
const notFound = () =>
  Object.assign(new Error('Service not found.'), {
    name: 'ServiceNotFoundException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

describe('the batch response', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  it('lists exactly the records whose deployment failed on transient errors; permanent failures, foreign events and bad bodies succeed', async () => {
    const { app, ecsMock, notifier, metrics } = testApp();
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_api_dev' }).rejects(transient());
    ecsMock
      .on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' })
      .resolves(serviceUpdated(tdArn('myproject_service_worker_dev', 3)));
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_dev' }).rejects(notFound());
    const batch = sqsBatch([
      parameterChange('/dev/myproject/api/A', 0),
      parameterChange('/dev/myproject/worker/W', 1),
      parameterChange('/dev/myproject/api/B', 2),
      parameterChange('/dev/myproject/backend/K', 3),
      parameterChange('/prod/otherproject/api/A', 4),
      'not json {',
      JSON.stringify(awsSample('ssm/parameter-store-change-update-string.json').detail),
      { ...adapt('custom/custom-event-as-delivered-sqs-body.json', {}), id: 'custom-1' },
    ]);

    const response = await app.handleBatch(batch);

    // api's two changes are one deployment: both records come back; nothing else does.
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['msg-1', 'msg-3']);
    // api: three attempts (MAX_DEPLOYMENT_RETRIES 2); worker and the backend (not found: never retried) once.
    expect(updates(ecsMock).map((u) => u.service)).toEqual(
      expect.arrayContaining(['myproject_service_worker_dev', 'myproject_service_dev']),
    );
    expect(updates(ecsMock).filter((u) => u.service === 'myproject_service_api_dev')).toHaveLength(3);
    expect(updates(ecsMock)).toHaveLength(5);
    expect(notifier.sent.map((n) => [n.severity, n.title]).sort()).toEqual([
      ['error', 'Deployment failed: api'],
      ['error', 'Deployment failed: backend'],
      ['info', 'Deployment started: worker'],
    ]);
    const rejected = output.logs().filter((l) => l.message.startsWith('event rejected:'));
    expect(rejected.map((l) => [l.message, l.fields.message_id])).toEqual([
      ['event rejected: the message body is not JSON', 'msg-6'],
      ['event rejected: the message body is not an EventBridge event (bad or missing: id, detail-type, source, detail)', 'msg-7'],
      [expect.stringMatching(/^event rejected: unknown event source /), undefined],
    ]);
    // Another project's parameter: ignored (a debug line), counted under its route.
    expect(metrics.ofDeployments.filter((m) => m.name === 'EventsIgnored').map((m) => m.trigger)).toEqual(['ssm']);
    expect(metrics.ofDeployments.filter((m) => m.name === 'EventsRejected').map((m) => m.trigger)).toEqual([
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(metrics.ofDeployments.filter((m) => m.name === 'DeploymentsFailed').map((m) => m.trigger)).toEqual(['ssm', 'ssm']);
    expect(output.logs().find((l) => l.message === 'batch handled')?.fields).toMatchObject({
      records: 8,
      events: 6,
      deployments: 3,
      records_to_retry: ['msg-1', 'msg-3'],
    });
  });

  it('the real sample (an S3 event of another bucket) succeeds: a foreign event never loops', async () => {
    const { app, ecsMock } = testApp();
    const response = await app.handleBatch(sqsSampleEvent());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(output.logs().map((l) => l.message)).toContain(
      'event ignored: "s3://s3-eb-unwrap-sourcebucket-7mop1gqlyrzu/__init__.py" is not an env file of any service in SERVICE_CONFIG',
    );
  });

  it('a deployment that failed on an unexpected error (a bug) is not retried in the invocation, and its records come back', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand, { service: 'myproject_service_api_dev' })
      .rejects(new TypeError("Cannot read properties of undefined (reading 'deployments')"));
    ecsMock
      .on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' })
      .resolves(serviceUpdated(tdArn('myproject_service_worker_dev', 3)));

    const response = await app.handleBatch(
      sqsBatch([parameterChange('/dev/myproject/api/A', 0), parameterChange('/dev/myproject/worker/W', 1)]),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(updates(ecsMock).filter((u) => u.service === 'myproject_service_api_dev')).toHaveLength(1);
    expect(notifier.sent.map((n) => [n.severity, n.title]).sort()).toEqual([
      ['error', 'Deployment failed: api'],
      ['info', 'Deployment started: worker'],
    ]);
    expect(output.logs().find((l) => l.message === 'batch handled')?.fields).toMatchObject({ records_to_retry: ['msg-1'] });
  });

  it('a manual deploy in a batch that failed on a transient error comes back, and so does every record of an event delivered twice', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_api_dev' }).rejects(transient());
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' }).rejects(transient());
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_dev' }).resolves(serviceUpdated(tdArn('myproject_service_dev', 3)));
    const manual = {
      ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
      account: '123456789012',
      source: 'action.deploy',
      'detail-type': 'Manual Deploy',
      detail: { service: 'api', env: 'dev', project: 'myproject', reason: 'hotfix' },
    };
    const workerChange = parameterChange('/dev/myproject/worker/W', 1);

    const response = await app.handleBatch(sqsBatch([manual, workerChange, workerChange, parameterChange('/dev/myproject/backend/K', 2)]));

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['msg-1', 'msg-2', 'msg-3']);
    // Each failed deployment was tried 1 + MAX_DEPLOYMENT_RETRIES (2) times; the event delivered twice was planned once.
    expect(updates(ecsMock).filter((u) => u.service === 'myproject_service_worker_dev')).toHaveLength(3);
    expect(updates(ecsMock).filter((u) => u.service === 'myproject_service_api_dev')).toHaveLength(3);
  });

  it("counts every record's fate in its log line: deployed, reported, ignored, rejected, not an event, a duplicate, to retry; a manual deploy counts as asked", async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_api_dev' }).rejects(transient());
    ecsMock
      .on(UpdateServiceCommand, { service: 'myproject_service_worker_dev' })
      .resolves(serviceUpdated(tdArn('myproject_service_worker_dev', 3)));
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_dev' }).resolves(serviceUpdated(tdArn('myproject_service_dev', 3)));
    const manual = {
      ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
      id: 'manual-1',
      account: '123456789012',
      source: 'action.deploy',
      'detail-type': 'Manual Deploy',
      detail: { service: 'worker', env: 'dev', project: 'myproject', reason: 'hotfix' },
    };
    const backend = parameterChange('/dev/myproject/backend/K', 2);
    const response = await app.handleBatch(
      sqsBatch([
        parameterChange('/dev/myproject/api/A', 0),
        manual,
        backend,
        backend,
        parameterChange('/prod/otherproject/api/A', 4),
        { ...adapt('custom/custom-event-as-delivered-sqs-body.json', {}), id: 'custom-1' },
        'not json {',
        JSON.stringify(awsSample('ssm/parameter-store-change-update-string.json').detail),
      ]),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['msg-1']);
    expect(output.logs().find((l) => l.message === 'batch handled')?.fields).toEqual({
      records: 8,
      events: 5,
      deployments_asked: 3,
      deployments: 3,
      deployments_not_merged: 1,
      deployments_covered: 0,
      changes_covered: 0,
      record_fates: { to_retry: 1, deployed: 2, duplicate: 1, ignored: 1, rejected: 1, not_an_event: 2 },
      records_to_retry: ['msg-1'],
    });
  });

  it('when every record is left to do, the invocation fails (Powertools: FullBatchFailureError) and SQS retries them all', async () => {
    const { app, ecsMock } = testApp();
    ecsMock.on(UpdateServiceCommand).rejects(transient());
    await expect(
      app.handleBatch(sqsBatch([parameterChange('/dev/myproject/api/A', 0), parameterChange('/dev/myproject/api/B', 1)])),
    ).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(updates(ecsMock)).toHaveLength(3);
  });

  it('a batch out of time says once which deployments it did not start, with the injected concurrency, and their records come back', async () => {
    // The SDK's commands load with import() (the doors of src/aws/); load those used here before clocks are faked.
    await import('../../src/aws/ecs.js');
    await import('../../src/aws/ssmMetadata.js');
    vi.useFakeTimers();
    const { app, ecsMock, notifier, metrics } = testApp({}, { deployerOptions: { backoffBaseMs: 0, concurrency: 1 } });
    // Each UpdateService takes 4 s; the invocation has 3 s after the margin: one deployment starts, two do not.
    ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 4000));
      return serviceUpdated(tdArn(input.service, 1));
    });
    const batch = sqsBatch([
      parameterChange('/dev/myproject/api/A', 0),
      parameterChange('/dev/myproject/worker/W', 1),
      parameterChange('/dev/myproject/backend/K', 2),
      'not json {',
    ]);

    const handled = app.handleBatch(batch, lambdaContext({ remainingMs: DEPLOYER_DEFAULTS.invocationMarginMs + 3000 }));
    await vi.advanceTimersByTimeAsync(30_000);
    const response = await handled;

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['msg-2', 'msg-3']);
    expect(updates(ecsMock).map((u) => u.service)).toEqual(['myproject_service_api_dev']);
    const notStarted = notifier.sent.filter((n) => n.title.startsWith('Deployments not started'));
    expect(notStarted.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployments not started: 2 of 3']);
    expect(notStarted[0]?.facts).toContainEqual(['Not started', 'worker, backend']);
    const lines = output.logs().filter((l) => l.message === 'deployments not started: out of time');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', fields: { services: ['worker', 'backend'], planned: 3 } });
    expect(metrics.ofDeployments.filter((m) => m.name === 'DeploymentsNotStarted')).toEqual([
      { name: 'DeploymentsNotStarted', trigger: 'ssm', value: 2, unit: 'Count' },
    ]);
  });

  it('an ECS event in a batch is reported on its own, as a direct invocation would', async () => {
    const { app, ecsMock, notifier } = testApp();
    const completed = adapt(
      'ecs/deployment-completed.json',
      {},
      { resources: ['arn:aws:ecs:us-east-1:123456789012:service/myproject_cluster_dev/myproject_service_api_dev'] },
    );
    const response = await app.handleBatch(sqsBatch([completed]));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(notifier.sent.map((n) => [n.severity, n.title])).toEqual([['success', 'Deployment completed: api']]);
  });
});

describe('the batch response with release order (RELEASE_CONFIG)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it('retries the record of the deployment that failed, not the one whose release is waiting for its task (results are matched to their deployments, not by position)', async () => {
    const migrate = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_migrate_dev:7';
    const env = {
      DEPLOYMENTS_TABLE: 'deployments',
      RELEASE_CONFIG: JSON.stringify({ api: { run_before: { family: 'myproject_migrate_dev' } } }),
    };
    const { app, ecsMock } = testApp(env, { journal: createMemoryJournal() });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'myproject_service_api_dev', launchType: 'FARGATE' }] });
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_migrate_dev' }).resolves({
      taskDefinition: {
        taskDefinitionArn: migrate,
        family: 'myproject_migrate_dev',
        revision: 7,
        containerDefinitions: [{ name: 'migrate', essential: true }],
      },
    });
    ecsMock
      .on(RunTaskCommand)
      .resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/0f1e' }], failures: [] });
    ecsMock.on(UpdateServiceCommand, { service: 'myproject_service_dev' }).rejects(transient());

    // The api's change comes first; its release runs a task and deploys it later. The backend's fails on transient errors.
    const response = await app.handleBatch(
      sqsBatch([parameterChange('/dev/myproject/api/A', 0), parameterChange('/dev/myproject/backend/K', 1)]),
    );

    expect(sentCommands(ecsMock).filter((c) => c.command === 'RunTaskCommand')).toHaveLength(1);
    expect(updates(ecsMock).map((u) => u.service)).toEqual(['myproject_service_dev', 'myproject_service_dev', 'myproject_service_dev']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'msg-2' }]);
    expect(output.logs().find((l) => l.message === 'batch handled')?.fields).toMatchObject({ records_to_retry: ['msg-2'] });
  });
});
