import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientDeploymentError } from '../../src/shared/errors.js';
import { DEPLOYER_DEFAULTS } from '../../src/config/constants.js';
import { adapt } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeTaskDefinitionCommand, lambdaContext, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { recordFigure } from '../reliability/figures.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:5';
const parameterUpdate = (service = 'api') =>
  adapt('ssm/parameter-store-change-update-string.json', { name: `/dev/myproject/${service}/KEY` });

/** An error shaped like the SDK's: name, fault and HTTP status. */
function awsError(name: string, fault: 'client' | 'server', status: number, message = `${name} from ECS`) {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/** A fact of a notification by its label. */
function fact(notification: { facts: Array<[string, string]> } | undefined, label: string): string | undefined {
  return notification?.facts.find(([l]) => l === label)?.[1];
}
const throttled = () => awsError('ThrottlingException', 'client', 400);

describe('deployer: retries, backoff, timeout', () => {
  // The SDK's commands load with import() (the doors of src/aws/); load those used here before clocks are faked.
  beforeAll(async () => {
    await import('../../src/aws/ecs.js');
    await import('../../src/aws/ssmMetadata.js');
    await import('../../src/aws/s3.js');
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
    ecsMock
      .on(UpdateServiceCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(awsError('ServerException', 'server', 500))
      .resolves(serviceUpdated(TD));
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
    expect(notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Attempts', '4'],
        ['Reason', 'ThrottlingException: ThrottlingException from ECS'],
      ]),
    );
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
    const { app, ecsMock } = testApp(
      { DEPLOYMENT_TIMEOUT_SECONDS: '12', MAX_DEPLOYMENT_RETRIES: '5' },
      { deployerOptions: { backoffBaseMs: 5000 } },
    );
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
    expect(result).toMatchObject({ deployments: [{ status: 'dry_run', target: 'ecs' }] });
    expect(notifier.sent[0]).toMatchObject({ severity: 'info', title: 'Deployment would start: api' });
    expect(notifier.sent[0]?.facts).toContainEqual(['Task definition', 'unchanged: new tasks of the revision it runs']);
    expect(output.logs().find((l) => l.message.startsWith('dry run'))?.fields).toMatchObject({ service: 'api', dry_run: true });
    expect(metrics.counts).toEqual({});
  });

  it('keeps at most `concurrency` deployments in flight', async () => {
    const services = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const { app, ecsMock } = testApp(
      { SERVICE_CONFIG: JSON.stringify(Object.fromEntries(services.map((s) => [s, [{ bucket: 'myproject-config', key: 'common.env' }]]))) },
      { deployerOptions: { backoffBaseMs: 0, concurrency: 3 } },
    );
    // Each UpdateService takes 5 ms of virtual time.
    vi.useFakeTimers();
    let inFlight = 0;
    let peak = 0;
    ecsMock.on(UpdateServiceCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return serviceUpdated(TD);
    });
    const event = adapt('s3/eventbridge-object-created.json', { bucket: { name: 'myproject-config' }, object: { key: 'common.env' } });
    const started = Date.now();
    const handled = app.handle(event);
    await vi.runAllTimersAsync();
    const result = await handled;
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 12);
    // 3 at a time, all the time: 12 calls in 4 rounds of 5 ms.
    expect(peak).toBe(3);
    expect(Date.now() - started).toBe(20);
    expect(result.status === 'planned' && result.deployments.every((d) => d.status === 'started')).toBe(true);
  });

  describe('one invocation deadline', () => {
    const margin = DEPLOYER_DEFAULTS.invocationMarginMs;

    it('a deployment never runs past the invocation, less the margin kept for reporting', async () => {
      vi.useFakeTimers();
      // DEPLOYMENT_TIMEOUT_SECONDS allows 600 s; the invocation has 12 s left after the margin.
      const { app, ecsMock } = testApp({ MAX_DEPLOYMENT_RETRIES: '5' }, { deployerOptions: { backoffBaseMs: 5000 } });
      ecsMock.on(UpdateServiceCommand).rejects(throttled());
      const handled = app.handle(parameterUpdate(), lambdaContext({ remainingMs: margin + 12_000 })).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await handled).toBeInstanceOf(TransientDeploymentError);
      // 0 s, then 5 s; the next retry (after 10 s more) would end past 12 s.
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
    });

    it('a fan-out that cannot finish reports what it did not start and fails the invocation', async () => {
      vi.useFakeTimers();
      const services = ['svc1', 'svc2', 'svc3', 'svc4', 'svc5'];
      const { app, ecsMock, notifier, metrics } = testApp(
        {
          SERVICE_CONFIG: JSON.stringify(Object.fromEntries(services.map((s) => [s, [{ bucket: 'myproject-config', key: 'common.env' }]]))),
        },
        { deployerOptions: { backoffBaseMs: 0, concurrency: 1 } },
      );
      // Each UpdateService takes 4 s; the invocation has 8 s after the margin: two fit.
      ecsMock.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => {
        await new Promise((resolve) => setTimeout(resolve, 4000));
        return serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${input.service}:1`);
      });
      const event = adapt('s3/eventbridge-object-created.json', { bucket: { name: 'myproject-config' }, object: { key: 'common.env' } });
      const handled = app.handle(event, lambdaContext({ remainingMs: margin + 8000 })).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(30_000);
      const error = await handled;
      expect(error).toBeInstanceOf(TransientDeploymentError);
      expect((error as Error).message).toBe(
        '3 deployment(s) not finished in this invocation, to be retried: svc3, svc4, svc5 (not started: out of time)',
      );
      expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.service)).toEqual([
        'myproject_service_svc1_dev',
        'myproject_service_svc2_dev',
      ]);
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual([
        'info: Deployment started: svc1',
        'info: Deployment started: svc2',
        'error: Deployments not started: 3 of 5',
      ]);
      expect(notifier.sent[2]?.facts).toEqual(
        expect.arrayContaining([
          ['Not started', 'svc3, svc4, svc5'],
          ['Why', 'the invocation ran out of time (Lambda timeout); the invocation fails so Lambda retries the event'],
        ]),
      );
      expect(metrics.counts).toMatchObject({ DeploymentsStarted: 2, DeploymentsNotStarted: 3 });
      recordFigure('out_of_time_started', metrics.counts.DeploymentsStarted ?? 0);
      recordFigure('out_of_time_not_started', metrics.counts.DeploymentsNotStarted ?? 0);
      const line = output.logs().find((l) => l.message === 'deployments not started: out of time');
      expect(line).toMatchObject({ level: 'error', fields: { services: ['svc3', 'svc4', 'svc5'] } });
    });
  });

  it('credentials an AWS error echoes are masked in the log and in Slack', async () => {
    const { app, ecsMock, notifier } = testApp();
    ecsMock
      .on(UpdateServiceCommand)
      .rejects(
        awsError(
          'ClientException',
          'client',
          400,
          'pull access denied for https://deploy:hunter2-registry-pass@registry.example.com/app; aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY (key AKIAIOSFODNN7EXAMPLE)',
        ),
      );
    await app.handle(parameterUpdate());
    expect(fact(notifier.sent[0], 'Reason')).toBe(
      'ClientException: pull access denied for https://[redacted]@registry.example.com/app; aws_secret_access_key=[redacted] (key [redacted])',
    );
    const failed = output.logs().find((l) => l.message === 'deployment failed');
    expect(failed?.fields.error).toBe(fact(notifier.sent[0], 'Reason'));
    for (const secret of ['hunter2-registry-pass', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAIOSFODNN7EXAMPLE'])
      expect(output.text()).not.toContain(secret);
  });

  describe('programming errors', () => {
    const bug = () => new TypeError("Cannot read properties of undefined (reading 'deployments')");

    it('are not retried as if AWS were down: logged with the stack, reported once, and the invocation fails', async () => {
      const { app, ecsMock, notifier, metrics } = testApp();
      ecsMock.on(UpdateServiceCommand).rejects(bug());
      await expect(app.handle(parameterUpdate())).rejects.toThrow(
        /^deployment of api failed on an unexpected error \(a bug\): TypeError: Cannot read properties of undefined/,
      );
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
      expect(metrics.counts).toEqual({ DeploymentsFailed: 1 });
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployment failed: api']);
      const failed = output.logs().filter((l) => l.level === 'error');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.fields).toMatchObject({ retryable: false, unexpected: true, error_name: 'TypeError' });
      expect(failed[0]?.fields.error_stack).toMatch(/^TypeError: Cannot read properties of undefined[^\n]*\n\s+at /);
    });

    it('while planning: logged with the stack, reported once, and the invocation fails', async () => {
      const { app, ecsMock, notifier } = testApp();
      ecsMock.on(DescribeTaskDefinitionCommand).rejects(bug());
      const push = adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_api', 'image-tag': 'v1' });
      await expect(app.handle(push)).rejects.toThrow(/Cannot read properties of undefined/);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
      expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployment failed before it started']);
      const failed = output.logs().filter((l) => l.level === 'error');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.fields.error_stack).toMatch(/^TypeError/);
    });
  });
});
