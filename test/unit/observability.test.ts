import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import { adapt, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { BASE_ENV } from '../helpers/app.js';
import { sqsBatch } from '../helpers/sqs.js';

const context = {
  functionName: 'deploybridge',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:deploybridge',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 60000,
} as unknown as Context;

/** Loads the Lambda entry point with a fresh module graph, so start-up runs with this environment. */
async function loadHandler(env: Record<string, string>) {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return (await import('../../src/index.js')).handler;
}

describe('the Lambda entry point: logs and metrics', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.unstubAllEnvs();
  });

  it('writes one JSON object per line with the documented keys, and EMF metrics with (environment, trigger)', async () => {
    const handler = await loadHandler({ ...BASE_ENV, DRY_RUN: 'true' });
    await handler(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }), context);
    await handler(adapt('ssm/parameter-store-change-delete-string.json', { name: '/dev/myproject/api/KEY' }), context);

    const logs = output.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['timestamp', 'level', 'message', 'project_name', 'environment', 'fields']));
      expect(line.level).toMatch(/^(debug|info|warn|error)$/);
      expect(line).toMatchObject({ project_name: 'myproject', environment: 'dev' });
    }
    const dryRun = logs.find((l) => l.message === 'dry run: deployment not started');
    expect(dryRun?.fields).toMatchObject({ service: 'api', ecs_service: 'myproject_service_api_dev', dry_run: true });
    expect(dryRun?.fields).not.toHaveProperty('task_definition');
    expect(dryRun).toMatchObject({ request_id: 'req-1' });

    const [emf] = output.metrics() as Array<{
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
      environment: string;
      trigger: string;
    }>;
    expect(emf?._aws.CloudWatchMetrics[0]?.Namespace).toBe('deploybridge');
    expect(emf?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'environment', 'trigger']]);
    expect(emf).toMatchObject({ environment: 'dev', trigger: 'ssm', DeploymentsSkipped: 1 });
  });

  it('an event that records no metric (reported to Slack only) adds no plain-text warning to the log', async () => {
    const handler = await loadHandler(BASE_ENV);
    await handler(projectEvent('ecs-deployment-completed.json'), context);
    expect(output.logs().map((l) => l.message)).toContain('notification: Deployment completed: api');
    expect(output.metrics()).toEqual([]);
    expect(output.text()).not.toContain('No application metrics to publish');
  });

  it('LOG_LEVEL=debug logs the full event payload', async () => {
    const handler = await loadHandler({ ...BASE_ENV, DRY_RUN: 'true', LOG_LEVEL: 'debug' });
    const event = adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' });
    await handler(event, context);
    expect(output.logs().find((l) => l.message === 'event received')?.fields.event).toEqual(event);
  });

  it('at LOG_LEVEL=info the event payload is not logged; an invocation Powertools samples at debug logs it, masked', async () => {
    const event = adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' });
    const secret = { ...event, detail: { ...event.detail, type: 'password=hunter2hunter2' } };
    const quiet = await loadHandler({ ...BASE_ENV, DRY_RUN: 'true', LOG_LEVEL: 'info' });
    await quiet(secret, context);
    expect(output.logs().map((l) => l.message)).not.toContain('event received');

    const sampled = await loadHandler({ ...BASE_ENV, DRY_RUN: 'true', LOG_LEVEL: 'info', POWERTOOLS_LOGGER_SAMPLE_RATE: '1' });
    await sampled(secret, context);
    const received = output.logs().find((l) => l.message === 'event received');
    expect(received?.fields.event).toEqual({ ...secret, detail: { ...secret.detail, type: 'password=[redacted]' } });
  });

  it('logs a malformed event once as a warning and returns normally', async () => {
    const handler = await loadHandler(BASE_ENV);
    const result = await handler({ id: 'evt-1', source: 'aws.ecr' }, context);
    expect(result).toMatchObject({ status: 'rejected', eventId: 'evt-1' });
    const warnings = output.logs().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe('event rejected: malformed EventBridge event (bad or missing: detail-type, detail)');
    expect(warnings[0]?.fields.event_id).toBe('evt-1');
    expect(output.metrics()[0]).toMatchObject({ EventsRejected: 1, trigger: 'unknown' });
  });

  it('an invalid configuration is one error line listing every problem and fails the invocation, so the Errors alarm fires', async () => {
    const handler = await loadHandler({ PROJECT_NAME: '', PROJECT_ENV: '', LOG_LEVEL: 'chatty', SERVICE_CONFIG: '{' });
    const invocation = handler(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }), context);
    await expect(invocation).rejects.toThrow(
      /^invalid configuration \(4 problems\): PROJECT_NAME is required; PROJECT_ENV is required; LOG_LEVEL must be one of debug, info, warn, error, got "chatty"; SERVICE_CONFIG is not valid JSON \([^\n]*\)$/,
    );
    const errors = output.logs().filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^invalid configuration \(4 problems\): PROJECT_NAME is required; /);
    expect(errors[0]?.fields.problems).toHaveLength(4);
    expect(output.metrics()[0]).toMatchObject({ ConfigInvalid: 1 });
  });

  it('an SQS batch answers with batchItemFailures; its metrics go by each event\'s route, the invocation\'s under trigger "batch"', async () => {
    const handler = await loadHandler(BASE_ENV);
    const deleted = adapt('ssm/parameter-store-change-delete-string.json', { name: '/dev/myproject/api/KEY' });
    const result = await handler(
      sqsBatch([deleted, 'not json', { ...deleted, id: 'other-project', detail: { ...deleted.detail, name: '/dev/other/api/KEY' } }]),
      context,
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const emf = output.metrics() as Array<
      Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } }
    >;
    const stored = emf.flatMap((doc) =>
      doc._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => `${m.Name}{trigger=${String(doc.trigger)}}`)),
    );
    expect(stored.sort()).toEqual(['DeploymentsSkipped{trigger=ssm}', 'EventsIgnored{trigger=ssm}', 'EventsRejected{trigger=unknown}']);
    // The invocation's dimension is set once: Powertools would print a plain-text warning on a second.
    expect(output.text()).not.toContain('has already been added');
    expect(output.logs().map((l) => l.message)).toEqual(
      expect.arrayContaining(['event rejected: the message body is not JSON', 'notification: Parameter deleted: api', 'batch handled']),
    );
  });
});
