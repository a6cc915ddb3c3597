import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientDeploymentError } from '../../src/errors.js';
import { adapt } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:5';
const parameterUpdate = (service = 'api') => adapt('ssm/parameter-store-change-update-string.json', { name: `/dev/myproject/${service}/KEY` });

/** An error shaped like the SDK's: name, fault and HTTP status. */
function awsError(name: string, fault: 'client' | 'server', status: number) {
  return Object.assign(new Error(`${name} from ECS`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}
const throttled = () => awsError('ThrottlingException', 'client', 400);

describe('deployer: retries, backoff, timeout', () => {
  // Handlers load with import(); load the one used here before clocks are faked.
  beforeAll(async () => {
    await import('../../src/handlers/ssm.js');
  });
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  it('retries transient failures after 5 s then 10 s (exponential backoff) and succeeds', async () => {
    vi.useFakeTimers();
    const { app, ecsMock, metrics, notifier } = testApp({}, { deployerOptions: { backoffBaseMs: 5000 } });
    ecsMock.on(UpdateServiceCommand).rejectsOnce(throttled()).rejectsOnce(awsError('ServerException', 'server', 500)).resolves(serviceUpdated(TD));
    const handled = app.handle(parameterUpdate());

    await vi.advanceTimersByTimeAsync(4999);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
    await vi.advanceTimersByTimeAsync(9999);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
    await vi.advanceTimersByTimeAsync(1);
    const result = await handled;

    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 3);
    expect(result).toMatchObject({ deployments: [{ status: 'started', attempts: 3 }] });
    expect(metrics.counts).toEqual({ DeploymentsRetried: 2, DeploymentsStarted: 1 });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['info']);
    const retries = output.logs().filter((l) => /retry/.test(l.message));
    expect(retries.map((l) => [l.level, l.fields.attempt, l.fields.max_retries, l.fields.retry_in_ms])).toEqual([
      ['warn', 1, 2, 5000],
      ['warn', 2, 2, 10000],
    ]);
    expect(retries[0]?.fields.error).toBe('ThrottlingException: ThrottlingException from ECS');
  });

  it('gives up after MAX_DEPLOYMENT_RETRIES, reports once, and fails the invocation for Lambda to retry', async () => {
    const { app, ecsMock, metrics, notifier } = testApp({ MAX_DEPLOYMENT_RETRIES: '3' });
    ecsMock.on(UpdateServiceCommand).rejects(throttled());
    await expect(app.handle(parameterUpdate())).rejects.toBeInstanceOf(TransientDeploymentError);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 4);
    expect(metrics.counts).toEqual({ DeploymentsRetried: 3, DeploymentsFailed: 1 });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'error', title: 'Deployment failed: api' });
    expect(notifier.sent[0]?.facts).toEqual(expect.arrayContaining([['Attempts', '4'], ['Reason', 'ThrottlingException: ThrottlingException from ECS']]));
    const failed = output.logs().filter((l) => l.level === 'error' && /deployment failed/.test(l.message));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.fields).toMatchObject({ service: 'api', attempt: 4, max_retries: 3, retryable: true });
  });

  it.each([
    ['ServiceNotFoundException', 'client', 400],
    ['ClusterNotFoundException', 'client', 400],
    ['InvalidParameterException', 'client', 400],
    ['AccessDeniedException', 'client', 403],
  ] as const)('does not retry %s, reports it, and returns normally', async (name, fault, status) => {
    const { app, ecsMock, metrics, notifier } = testApp();
    ecsMock.on(UpdateServiceCommand).rejects(awsError(name, fault, status));
    const result = await app.handle(parameterUpdate());
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(result).toMatchObject({ deployments: [{ status: 'failed', retryable: false, attempts: 1 }] });
    expect(metrics.counts).toEqual({ DeploymentsFailed: 1 });
    expect(notifier.sent.map((n) => n.severity)).toEqual(['error']);
  });

  it('never retries past DEPLOYMENT_TIMEOUT_SECONDS', async () => {
    vi.useFakeTimers();
    // 5 s + 10 s of backoff would fit 4 retries' worth of budget, not a 12 s timeout's.
    const { app, ecsMock } = testApp({ DEPLOYMENT_TIMEOUT_SECONDS: '12', MAX_DEPLOYMENT_RETRIES: '5' }, { deployerOptions: { backoffBaseMs: 5000 } });
    ecsMock.on(UpdateServiceCommand).rejects(throttled());
    const handled = app.handle(parameterUpdate()).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await handled).toBeInstanceOf(TransientDeploymentError);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
  });

  it('dry run reads nothing it need not, changes nothing, and says so in logs and Slack', async () => {
    const { app, ecsMock, notifier, metrics } = testApp({ DRY_RUN: 'true' });
    const result = await app.handle(parameterUpdate());
    expect(ecsMock.calls()).toHaveLength(0);
    expect(result).toMatchObject({ deployments: [{ status: 'dry_run', taskDefinition: 'myproject_service_api_dev' }] });
    expect(notifier.sent[0]).toMatchObject({ severity: 'info', title: 'Deployment would start: api' });
    expect(output.logs().find((l) => l.message.startsWith('dry run'))?.fields).toMatchObject({ service: 'api', dry_run: true });
    expect(metrics.counts).toEqual({});
  });

  it('keeps at most `concurrency` deployments in flight', async () => {
    const services = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const { app, ecsMock } = testApp(
      { SERVICE_CONFIG: JSON.stringify(Object.fromEntries(services.map((s) => [s, [{ bucket: 'b', key: 'common.env' }]]))) },
      { deployerOptions: { backoffBaseMs: 0, concurrency: 3 } },
    );
    let inFlight = 0;
    let peak = 0;
    ecsMock.on(UpdateServiceCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return serviceUpdated(TD);
    });
    const event = adapt('s3/eventbridge-object-created.json', { bucket: { name: 'b' }, object: { key: 'common.env' } });
    const result = await app.handle(event);
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 12);
    expect(peak).toBe(3);
    expect(result.status === 'planned' && result.deployments.every((d) => d.status === 'started')).toBe(true);
  });
});
