/**
 * The bench's burst (bench/burst.mjs) is the one the figures describe, and what the bench expects
 * of it (BURST_EXPECTED) is what the App does with it: one SQS batch, or 30 direct invocations.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPLY_CHANGES,
  applyBatches,
  BURST_EXPECTED,
  BURST_IMAGES,
  BURST_SERVICE_CONFIG,
  BURST_SERVICES,
  burstEvents,
  sqsBatch,
} from '../../bench/burst.mjs';
import { DescribeTaskDefinitionCommand, serviceUpdated, taskDefinition, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { captureOutput } from '../helpers/logs.js';
import { sqsSampleEvent } from '../helpers/sqs.js';
import { recordFigure } from '../reliability/figures.js';

function burstApp() {
  const test = testApp({ SERVICE_CONFIG: JSON.stringify(BURST_SERVICE_CONFIG) });
  for (const [family, image] of Object.entries(BURST_IMAGES))
    test.ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: family }).resolves(taskDefinition(family, 7, [image]));
  test.ecsMock
    .on(UpdateServiceCommand)
    .callsFake((input: { service: string }) => serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${input.service}:7`));
  return test;
}

describe('the bench burst', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('is 30 events: 20 parameter changes over 3 services, 6 pushes of 2 images with 3 tags each, 4 saves of one env file read by 2 services', () => {
    const events = burstEvents();
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.id)).size).toBe(30);
    const ssm = events.filter((e) => e.source === 'aws.ssm').map((e) => e.detail.name as string);
    expect(ssm).toHaveLength(20);
    expect(new Set(ssm.map((name) => name.split('/')[3])).size).toBe(3);
    const pushes = events.filter((e) => e.source === 'aws.ecr');
    expect(pushes).toHaveLength(6);
    expect(new Set(pushes.map((e) => e.detail['image-digest'])).size).toBe(2);
    expect(new Set(pushes.map((e) => e.detail['repository-name'])).size).toBe(2);
    const saves = events.filter((e) => e.source === 'aws.s3').map((e) => e.detail.object as { key: string });
    expect(saves).toHaveLength(4);
    expect(new Set(saves.map((o) => o.key)).size).toBe(1);
    expect(Object.values(BURST_SERVICE_CONFIG).filter((files) => files.some((f) => f.key === saves[0]?.key))).toHaveLength(2);
    const times = events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('the large burst is 250 parameter changes over the 3 services, as SQS batches of at most 100: 100, 100, 50', () => {
    const batches = applyBatches();
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    const events = batches.flat();
    expect(events).toHaveLength(APPLY_CHANGES);
    expect(new Set(events.map((e) => e.id)).size).toBe(APPLY_CHANGES);
    expect(new Set(events.map((e) => (e.detail.name as string).split('/')[3]))).toEqual(new Set(BURST_SERVICES));
    expect(events.every((e) => e.source === 'aws.ssm')).toBe(true);
  });

  it('as one SQS batch: one UpdateService and one Slack message per service', async () => {
    const { app, ecsMock, notifier } = burstApp();
    const [record] = sqsSampleEvent().Records;
    const response = await app.handleBatch(sqsBatch(burstEvents(), record as unknown as Record<string, unknown>) as never);
    expect(response).toEqual({ batchItemFailures: [] });
    recordFigure('burst_batch_deployments', ecsMock.commandCalls(UpdateServiceCommand).length);
    recordFigure('burst_batch_slack_messages', notifier.sent.length);
    expect(
      ecsMock
        .commandCalls(UpdateServiceCommand)
        .map((c) => c.args[0].input.service)
        .sort(),
    ).toEqual(['myproject_service_api_dev', 'myproject_service_dev', 'myproject_service_worker_dev']);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(BURST_EXPECTED.batch.updates);
    expect(notifier.sent).toHaveLength(BURST_EXPECTED.batch.slack);
    expect(BURST_EXPECTED.batch.updates).toBe(BURST_SERVICES.length);
  });

  it('as 30 direct invocations: a deployment per change', async () => {
    const { app, ecsMock, notifier } = burstApp();
    for (const event of burstEvents()) await app.handle(event);
    recordFigure('burst_direct_deployments', ecsMock.commandCalls(UpdateServiceCommand).length);
    recordFigure('burst_direct_slack_messages', notifier.sent.length);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(BURST_EXPECTED.direct.updates);
    expect(notifier.sent).toHaveLength(BURST_EXPECTED.direct.slack);
  });
});
