/**
 * Never deploy twice: duplicate deliveries, Lambda retries and replays, with the guard on a real
 * DynamoDB-compatible server (dynalite on 127.0.0.1), and a 50-service fan-out where 5 fail.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/entry/createApp.js';
import { createPowertoolsGuard } from '../../src/deploy/idempotency/powertools.js';
import { TransientDeploymentError } from '../../src/shared/errors.js';
import { lambdaContext, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { adapt } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { recordFigure } from './figures.js';

const transient = () =>
  Object.assign(new Error('Service Unavailable'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 503 } });
const SERVICES = Array.from({ length: 50 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
const FAILING = new Set(['svc03', 'svc11', 'svc19', 'svc27', 'svc42'].map((s) => `myproject_service_${s}_dev`));
const fanOutEnv = {
  SERVICE_CONFIG: JSON.stringify(Object.fromEntries(SERVICES.map((s) => [s, [{ bucket: 'myproject-config-dev', key: 'common.env' }]]))),
};
const fanOutEvent = () =>
  adapt('s3/eventbridge-object-created.json', { bucket: { name: 'myproject-config-dev' }, object: { key: 'common.env' } });
/** The time a test that moves it starts from. */
const NOW = Date.UTC(2026, 0, 1, 12);
const parameterUpdate = () => adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' });

describe('idempotency: at most one deployment per (event, target)', () => {
  let db: Awaited<ReturnType<typeof startDynamoDb>>;
  let output: ReturnType<typeof captureOutput>;
  let duplicatesSent = 0;
  let deploymentsMade = 0;
  let concurrentFailedForRetry = 0;
  beforeAll(async () => {
    db = await startDynamoDb();
  });
  afterAll(async () => {
    recordFigure('duplicates_sent', duplicatesSent);
    recordFigure('deployments_made_for_duplicates', deploymentsMade);
    recordFigure('concurrent_duplicates_failed_for_retry', concurrentFailedForRetry);
    await db.close();
  });
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  const guard = () => createPowertoolsGuard({ tableName: db.tableName, ttlSeconds: 3600, region: 'us-east-1' }, db.client);

  it('the same event delivered 5 times in a row deploys once', async () => {
    const { app, ecsMock, metrics } = testApp({}, { guard: guard() });
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
    const event = { ...parameterUpdate(), id: 'dup-sequential' };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await app.handle(event));
    duplicatesSent += 4;
    deploymentsMade += ecsMock.commandCalls(UpdateServiceCommand).length - 1;
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(results.map((r) => (r.status === 'planned' ? r.deployments[0]?.status : r.status))).toEqual([
      'started',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1, DeploymentsSkipped: 4 });
    expect(output.logs().filter((l) => l.message === 'deployment skipped: already deployed for this event')).toHaveLength(4);
  });

  it('5 concurrent deliveries of one event (two containers) deploy once; those that met it in progress fail for a retry, which skips', async () => {
    const first = testApp({}, { guard: guard() });
    const updating = deferred();
    const release = deferred();
    first.ecsMock.on(UpdateServiceCommand).callsFake(async () => {
      updating.resolve();
      await release.promise;
      return serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3');
    });
    // A second container: same AWS, its own guard instance.
    const second = { app: createApp(first.config, { ...first.deps, guard: guard() }) };
    const event = { ...parameterUpdate(), id: 'dup-concurrent' };
    const deploying = first.app.handle(event, lambdaContext());
    // The first is deploying (its claim is written before it deploys) and stays so until released.
    await updating.promise;
    const duplicates = await Promise.allSettled(
      [second.app, first.app, second.app, first.app].map((app) => app.handle(event, lambdaContext())),
    );
    release.resolve();
    expect(await deploying).toMatchObject({ deployments: [{ status: 'started' }] });
    duplicatesSent += 4;
    concurrentFailedForRetry = duplicates.filter((d) => d.status === 'rejected').length;
    // Each duplicate met the deployment in progress: it deployed nothing and failed, so Lambda retries it later.
    expect(duplicates.map((d) => d.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(duplicates.map((d) => (d.status === 'rejected' ? (d.reason as Error).message : ''))).toEqual(
      Array(4).fill('1 deployment(s) not finished in this invocation, to be retried: api (in progress in another invocation)'),
    );
    expect(first.notifier.sent.map((n) => n.title)).toEqual(['Deployment started: api']);
    // Lambda's retry of each, once the first finished: nothing more is deployed.
    const retries = await Promise.all([second.app, first.app, second.app, first.app].map((app) => app.handle(event, lambdaContext())));
    expect(retries.map((r) => (r.status === 'planned' ? r.deployments[0]?.status : r.status))).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    deploymentsMade += first.ecsMock.commandCalls(UpdateServiceCommand).length - 1;
    expect(first.ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  it('crash mid-deploy, then Lambda retries: the retry takes over and deploys once', async () => {
    // Only Date is virtual: the guard reads it to tell whether the first invocation's time is over.
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const crashed = testApp({}, { guard: guard(), deployerOptions: { backoffBaseMs: 0, invocationMarginMs: 0, minimumStartMs: 0 } });
    // The first invocation's UpdateService never answers: Lambda times out (the process is frozen, then dropped).
    const updating = deferred();
    crashed.ecsMock.on(UpdateServiceCommand).callsFake(() => {
      updating.resolve();
      return new Promise<never>(() => undefined);
    });
    const event = { ...parameterUpdate(), id: 'crash-mid-deploy' };
    void crashed.app.handle(event, lambdaContext({ remainingMs: 100 }));
    await updating.promise;
    // The first invocation had 100 ms: they are over.
    vi.setSystemTime(NOW + 101);

    // Lambda's retry lands in another container.
    const retry = testApp({}, { guard: guard() });
    retry.ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
    const result = await retry.app.handle(event, lambdaContext());
    expect(result).toMatchObject({ status: 'planned', deployments: [{ status: 'started' }] });
    expect(retry.ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(retry.notifier.sent.map((n) => n.title)).toEqual(['Deployment started: api']);
    recordFigure('crash_then_retry_deployments', retry.ecsMock.commandCalls(UpdateServiceCommand).length);
  });

  it('a fan-out of 50 with 5 failing deploys the 45, reports the 5, and the retry touches only the 5', async () => {
    const { app, ecsMock, notifier } = testApp(fanOutEnv, { guard: guard(), deployerOptions: { backoffBaseMs: 0 } });
    let failuresLeft = true;
    ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
      if (failuresLeft && FAILING.has(input.service)) throw transient();
      return serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${input.service}:1`);
    });
    const event = { ...fanOutEvent(), id: 'fan-out-50' };

    await expect(app.handle(event)).rejects.toBeInstanceOf(TransientDeploymentError);
    const firstRound = ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.service as string);
    expect(new Set(firstRound).size).toBe(50);
    expect(firstRound.filter((s) => FAILING.has(s))).toHaveLength(5 * 3); // 1 try + 2 retries each
    expect(notifier.sent.filter((n) => n.severity === 'info')).toHaveLength(45);
    expect(
      notifier.sent
        .filter((n) => n.severity === 'error')
        .map((n) => n.service)
        .sort(),
    ).toEqual([...FAILING].sort());
    recordFigure('fanout_deployed', notifier.sent.filter((n) => n.severity === 'info').length);
    recordFigure('fanout_failed', notifier.sent.filter((n) => n.severity === 'error').length);

    // Lambda retries the invocation; the failures have passed.
    failuresLeft = false;
    ecsMock.resetHistory();
    const retry = await app.handle(event);
    const secondRound = ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.service as string);
    recordFigure('fanout_retried', secondRound.length);
    expect(secondRound.sort()).toEqual([...FAILING].sort());
    expect(retry.status === 'planned' && retry.deployments.filter((d) => d.status === 'skipped')).toHaveLength(45);
    duplicatesSent += 1;
    deploymentsMade += secondRound.filter((s) => !FAILING.has(s)).length;
  });

  it('without IDEMPOTENCY_TABLE a duplicate deploys again (the risk docs/reliability.md names)', async () => {
    const { app, ecsMock } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
    const event = parameterUpdate();
    await app.handle(event);
    await app.handle(event);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
  });

  it('if the table cannot be reached, nothing is deployed and the invocation fails for a retry', async () => {
    const unreachable = createPowertoolsGuard({ tableName: 'no-such-table', ttlSeconds: 3600, region: 'us-east-1' }, db.client);
    const { app, ecsMock, notifier } = testApp({}, { guard: unreachable });
    ecsMock
      .on(UpdateServiceCommand)
      .resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:3'));
    await expect(app.handle(parameterUpdate())).rejects.toBeInstanceOf(TransientDeploymentError);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
  });
});
