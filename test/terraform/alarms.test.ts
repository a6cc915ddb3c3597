/**
 * The alarms on the function's own metrics against what the code emits. CloudWatch stores an EMF
 * metric once per dimension set, and an alarm matches a metric only when it names exactly that
 * set: a missing or an extra dimension is an alarm that never fires. So the metrics are produced
 * by the code itself (the real handler, App and Powertools Metrics of src/shared/observability.ts,
 * captured as EMF lines) and compared with the alarms Terraform planned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChannel, type ChannelRoute } from '../../src/channels/setup.js';
import { createFanOutNotifier, slackMetrics } from '../../src/channels/notifier.js';
import { CHANNEL_NAMES } from '../../src/config/constants.js';
import { createLogger, createMetrics } from '../../src/shared/observability.js';
import { createSlackNotifier } from '../../src/slack/notifier.js';
import { serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';
import { adapt, awsSample, projectEvent } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { sqsBatch } from '../helpers/sqs.js';
import {
  awaitPlans,
  examplePlan,
  fixturePlan,
  lambdaEnvironment,
  REPO_ROOT,
  SKIPPED,
  terraformMissing,
  type Plan,
  type Values,
} from './terraform.js';

/** One metric as CloudWatch stores it: namespace, name and the values of its dimension set. */
interface StoredMetric {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
}

/** The metrics an EMF document creates: one per metric name and per dimension set. */
function storedMetrics(emf: Record<string, unknown>): StoredMetric[] {
  const aws = emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  return aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Dimensions.flatMap((set) =>
      directive.Metrics.map((m) => ({
        namespace: directive.Namespace,
        metric: m.Name,
        dimensions: Object.fromEntries(set.map((k) => [k, String(emf[k])])),
      })),
    ),
  );
}

/** The metric an alarm watches. */
function watched(alarm: Values): StoredMetric {
  return {
    namespace: alarm.namespace as string,
    metric: alarm.metric_name as string,
    dimensions: alarm.dimensions as Record<string, string>,
  };
}

/** The string literals of a TypeScript union type in a source file: `export type Name = 'a' | 'b';`. */
function unionMembers(file: string, type: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const body = new RegExp(`export type ${type} =([^;]+);`).exec(text)?.[1];
  if (body === undefined) throw new Error(`${file}: no type ${type}`);
  return [...body.matchAll(/'([a-z0-9]+)'/g)].map((m) => m[1] as string);
}

/** The `kind`s of the EventTrigger union (what one event asks to deploy): the routes that deploy. */
function deployingRoutes(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'src/triggers/trigger.ts'), 'utf8');
  const body = /export type EventTrigger =([\s\S]+?);\n\n/.exec(text)?.[1] ?? '';
  return [...body.matchAll(/kind: '([a-z0-9]+)'/g)].map((m) => m[1] as string);
}

const context = {
  functionName: 'deploybridge',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:deploybridge',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 60000,
} as unknown as Context;

const manual = (detail: Record<string, unknown>) => ({
  ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
  account: '123456789012',
  source: 'action.deploy',
  'detail-type': 'Manual Deploy',
  detail: { env: 'dev', project: 'myproject', ...detail },
});
const parameterUpdate = () => adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' });
const denied = () =>
  Object.assign(new Error('AccessDeniedException from ECS'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });

let example: Plan;
let fixture: Plan;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  if (terraformMissing) return;
  await awaitPlans();
  [example, fixture] = await Promise.all([examplePlan(), fixturePlan()]);
}, 300_000);

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

/** Every channel besides Slack, each with a URL or secret it cannot read (SSM denies it) or a topic it cannot publish to. */
const UNREADABLE: ChannelRoute[] = [
  { name: 'teams', url: { parameter: '/test/unreadable' }, events: [] },
  { name: 'google_chat', url: { parameter: '/test/unreadable' }, events: [] },
  { name: 'webhook', url: { parameter: '/test/unreadable' }, secret: { parameter: '/test/unreadable' }, events: [] },
  { name: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:denied', events: [] },
];

/**
 * Runs events through an App with the code's own metric sink and notifiers as the function composes
 * them — Slack, whose webhook cannot be read, and `channels` — so every notification fails, with
 * UpdateService denied (every deployment fails); returns the metrics CloudWatch would store.
 */
async function metricsOfFailures(
  events: unknown[],
  delivery: 'direct' | 'batch' = 'direct',
  channels: ChannelRoute[] = [],
): Promise<StoredMetric[]> {
  const metrics = createMetrics('dev');
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'error' });
  const slack = createSlackNotifier(async () => Promise.reject(new Error('no webhook in this test')), {
    environment: 'dev',
    log,
    metrics: slackMetrics(metrics),
  });
  const notifier = createFanOutNotifier(slack, channels.map(createChannel), { project: 'myproject', environment: 'dev', log, metrics });
  const { app, ecsMock } = testApp({}, { metrics, notifier, log });
  ecsMock.on(UpdateServiceCommand).rejects(denied());
  const stored: StoredMetric[] = [];
  if (delivery === 'batch') {
    await app.handleBatch(sqsBatch(events));
    metrics.powertools.publishStoredMetrics();
  }
  for (const event of delivery === 'direct' ? events : []) {
    await app.handle(event);
    metrics.powertools.publishStoredMetrics();
  }
  for (const emf of output.metrics()) stored.push(...storedMetrics(emf));
  ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('x'));
  return stored;
}

describe('the routes, read from src/', () => {
  it('RouteName (the trigger dimension) and the routes that deploy (EventTrigger kinds)', () => {
    expect(unionMembers('src/triggers/plan.ts', 'RouteName').sort()).toEqual(['ecr', 'ecs', 'manual', 's3', 'ssm']);
    expect(deployingRoutes().sort()).toEqual(['ecr', 'manual', 's3', 'ssm']);
  });
});

describe.skipIf(terraformMissing)(terraformMissing ? SKIPPED : 'alarms on the metrics the code emits', () => {
  it('ConfigInvalid: the handler, started with the environment Terraform planned but a broken SERVICE_CONFIG, emits the metric the alarm watches', async () => {
    const env = { ...lambdaEnvironment(fixture.module('bare')), SERVICE_CONFIG: '{', AWS_REGION: 'eu-west-1' };
    vi.resetModules();
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const { handler } = await import('../../src/index.js');
    // The invocation fails (so the Errors alarm fires too), and the metric is published all the same.
    await expect(handler(parameterUpdate(), context)).rejects.toThrow(
      /^invalid configuration \(1 problem\): SERVICE_CONFIG is not valid JSON/,
    );
    const emitted = output.metrics().flatMap(storedMetrics);
    const alarm = fixture.module('bare').one('aws_cloudwatch_metric_alarm', 'this', 'config-invalid');
    expect(emitted).toContainEqual(watched(alarm));
    expect(emitted.filter((m) => m.metric === 'ConfigInvalid')).toEqual([watched(alarm)]);
  });

  it('DeploymentsFailed counted after routing, with the route as trigger; NotificationsFailed with its channel; each has its alarm, with the same dimensions', async () => {
    const emitted = await metricsOfFailures([
      manual({ service: 'api', reason: 'test' }),
      parameterUpdate(),
      projectEvent('ecs-deployment-failed.json'),
    ]);
    const alarms = Object.values(fixture.module('bare').instances('aws_cloudwatch_metric_alarm', 'this')).map(watched);
    const failures = emitted.filter((m) => m.metric === 'DeploymentsFailed' || m.metric === 'NotificationsFailed');
    // What these three events make the code emit (ECS events are reported, never deployed): each
    // Slack message that failed, whatever it was about, under channel slack.
    expect(failures.map((m) => `${m.metric}/${m.dimensions.trigger ?? m.dimensions.channel}`).sort()).toEqual([
      'DeploymentsFailed/manual',
      'DeploymentsFailed/ssm',
      'NotificationsFailed/slack',
      'NotificationsFailed/slack',
      'NotificationsFailed/slack',
    ]);
    for (const m of failures) expect(alarms, `${m.metric} ${JSON.stringify(m.dimensions)}`).toContainEqual(m);
  });

  it('every channel counts what it did not get with its channel; the example, which has them all, alarms on each', async () => {
    const denied = () =>
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const ssm = mockClient(SSMClient).on(GetParameterCommand).rejects(denied());
    const sns = mockClient(SNSClient).on(PublishCommand).rejects(denied());
    let emitted: StoredMetric[];
    try {
      emitted = await metricsOfFailures([parameterUpdate()], 'direct', UNREADABLE);
    } finally {
      ssm.restore();
      sns.restore();
    }
    const alarms = Object.values(example.module('deploybridge').instances('aws_cloudwatch_metric_alarm', 'this')).map(watched);
    const failures = emitted.filter((m) => m.metric === 'NotificationsFailed');
    expect(failures.map((m) => m.dimensions.channel).sort()).toEqual([...CHANNEL_NAMES].sort());
    for (const m of failures) expect(alarms, `${m.metric} ${JSON.stringify(m.dimensions)}`).toContainEqual(m);
  });

  it('the same failures delivered in one SQS batch: each deployment counted under its route, the Slack deliveries under their channel; each has its alarm', async () => {
    const secondChange = {
      ...parameterUpdate(),
      id: 'second-change',
      detail: { ...parameterUpdate().detail, name: '/dev/myproject/worker/KEY' },
    };
    const emitted = await metricsOfFailures([parameterUpdate(), secondChange, manual({ service: 'api', reason: 'test' })], 'batch');
    const alarms = Object.values(fixture.module('bare').instances('aws_cloudwatch_metric_alarm', 'this')).map(watched);
    const failures = emitted.filter((m) => m.metric === 'DeploymentsFailed' || m.metric === 'NotificationsFailed');
    expect([...new Set(failures.map((m) => `${m.metric}/${m.dimensions.trigger ?? m.dimensions.channel}`))].sort()).toEqual([
      'DeploymentsFailed/manual',
      'DeploymentsFailed/ssm',
      'NotificationsFailed/slack',
    ]);
    for (const m of failures) expect(alarms, `${m.metric} ${JSON.stringify(m.dimensions)}`).toContainEqual(m);
  });

  it('an event the code cannot route sends nothing to Slack: no trigger "unknown" to alarm on', async () => {
    // A malformed event, and one of a source no route takes.
    const emitted = await metricsOfFailures([
      { id: 'evt-1', source: 'aws.ecr' },
      { ...manual({ service: 'api' }), source: 'action.other' },
    ]);
    expect(emitted.filter((m) => m.metric === 'DeploymentsFailed' || m.metric === 'NotificationsFailed')).toEqual([]);
    expect(emitted.map((m) => m.dimensions.trigger)).toContain('unknown');
  });

  it('the example alarms on every route that deploys (DeploymentsFailed) and every channel (NotificationsFailed)', () => {
    const alarms = example.module('deploybridge').instances('aws_cloudwatch_metric_alarm', 'this');
    const byMetric = (metric: string, dimension: string) =>
      Object.values(alarms)
        .filter((a) => a.metric_name === metric)
        .map((a) => (a.dimensions as Record<string, string>)[dimension])
        .sort();
    expect(byMetric('DeploymentsFailed', 'trigger')).toEqual(deployingRoutes().sort());
    expect(byMetric('NotificationsFailed', 'channel')).toEqual([...CHANNEL_NAMES].sort());
    expect(byMetric('ConfigInvalid', 'trigger')).toEqual([undefined]);
  });
});
