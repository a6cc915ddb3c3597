import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/aws/clients.js';
import { createApp, type AppOverrides } from '../../src/entry/createApp.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import type { ChannelName } from '../../src/config/constants.js';
import { LOCAL_DEFAULTS } from '../../src/local/defaults.js';
import { createLogger, type HookCheckKind, type MetricName } from '../../src/shared/observability.js';
import type { Notification } from '../../src/present/notification.js';
import type { Notifier } from '../../src/slack/notifier.js';
import { buildSlackPayload } from '../../src/slack/messages.js';
import { mockReads } from './reads.js';
import { recordSuiteOutput } from './suiteOutput.js';

/** The local run's embedded project (myproject, dev) and env files, without its Lambda targets. */
export const BASE_ENV = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  SERVICE_CONFIG: LOCAL_DEFAULTS.SERVICE_CONFIG as string,
};

/** The problems a configuration is refused for (fails the test if it is accepted). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...BASE_ENV, ...env });
}

/**
 * A Lambda context as Lambda passes it: the function's ARN (whose account is the one deploybridge
 * runs in) and the time left in the invocation.
 */
export function lambdaContext(
  options: { account?: string; region?: string; partition?: string; remainingMs?: number | (() => number) } = {},
): Context {
  const { account = '123456789012', region = 'us-east-1', partition = 'aws', remainingMs = 600_000 } = options;
  return {
    functionName: 'myproject-deploybridge-dev',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:${partition}:lambda:${region}:${account}:function:myproject-deploybridge-dev`,
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: typeof remainingMs === 'function' ? remainingMs : () => remainingMs,
  } as unknown as Context;
}

/** ECS-only test apps have no Lambda client: any Lambda read or deployment would fail loudly. */
export const noLambdaClient = (): Promise<never> => Promise.reject(new Error('this test app has no Lambda client'));

/** Test apps have no CloudWatch client unless a test gives one: only the lifecycle hook reads alarms. */
export const noCloudWatchClient = (): Promise<never> => Promise.reject(new Error('this test app has no CloudWatch client'));

/** Records metric counts by name, each deployment metric with its trigger dimension and unit, and each channel's count with its channel. */
export function fakeMetrics() {
  const counts: Partial<Record<MetricName, number>> = {};
  const triggers: string[] = [];
  const ofDeployments: Array<{ name: MetricName; trigger: string; value: number; unit: 'Count' | 'Milliseconds' }> = [];
  const ofChannels: Array<{ name: MetricName; channel: ChannelName; value: number }> = [];
  const ofHookChecks: Array<{ name: MetricName; check: HookCheckKind; value: number }> = [];
  return {
    counts,
    triggers,
    ofDeployments,
    ofChannels,
    ofHookChecks,
    count(name: MetricName, value = 1) {
      counts[name] = (counts[name] ?? 0) + value;
    },
    ofDeployment(name: MetricName, trigger: string, value = 1, unit: 'Count' | 'Milliseconds' = 'Count') {
      ofDeployments.push({ name, trigger, value, unit });
      if (unit === 'Count') counts[name] = (counts[name] ?? 0) + value;
    },
    ofChannel(name: MetricName, channel: ChannelName, value = 1) {
      ofChannels.push({ name, channel, value });
      counts[name] = (counts[name] ?? 0) + value;
    },
    ofHookCheck(name: MetricName, check: HookCheckKind, value = 1) {
      ofHookChecks.push({ name, check, value });
      counts[name] = (counts[name] ?? 0) + value;
    },
    setTrigger(trigger: string) {
      triggers.push(trigger);
    },
  };
}

/** Records notifications instead of sending them, as a webhook would receive them (a later step of a deployment: its standalone message). */
export function recordingNotifier(): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  const notify = (n: Notification) => {
    sent.push(n);
    // What Slack would have received, for the suite-wide secret scan.
    recordSuiteOutput(JSON.stringify(buildSlackPayload(n, { environment: 'test' })));
  };
  return {
    sent,
    notify,
    open: async (n) => {
      notify(n);
      return undefined;
    },
    follow: async (_message, update) => {
      notify(update.standalone);
      return undefined;
    },
    flush: async () => undefined,
  };
}

/** A task definition response whose containers run the given images. */
export function taskDefinition(family: string, revision: number, images: string[]) {
  return {
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`,
      family,
      revision,
      containerDefinitions: images.map((image, i) => ({ name: i === 0 ? 'app' : `sidecar${i}`, image })),
    },
  };
}

/** An UpdateService response with a new PRIMARY deployment. */
export function serviceUpdated(taskDefinitionArn: string, deploymentId = 'ecs-svc/1234567890123456789') {
  return {
    service: {
      taskDefinition: taskDefinitionArn,
      deployments: [
        { id: deploymentId, status: 'PRIMARY', taskDefinition: taskDefinitionArn },
        { id: 'ecs-svc/0000000000000000001', status: 'ACTIVE' },
      ],
    },
  };
}

/** Parts of a test App to use instead of its own; `clients` replaces only the clients it names. */
export type TestAppOverrides = Omit<AppOverrides, 'clients'> & { clients?: Partial<AwsClients> };

/**
 * An App on a mocked ECS client (real SDK client, aws-sdk-client-mock answers) and mocked clients
 * for the planning reads (S3, ECR, SSM: see ./reads.ts), recording Slack notifications and metrics,
 * with no idempotency guard or deployments table unless `overrides` gives them. Logs go to the real
 * logger (capture stdout to read them).
 */
export function testApp(env: Record<string, string> = {}, overrides: TestAppOverrides = {}) {
  const config = testConfig(env);
  const ecsMock = mockClient(ECSClient);
  const ecs = new ECSClient({ region: 'us-east-1', maxAttempts: 1 });
  const metrics = fakeMetrics();
  const notifier = recordingNotifier();
  const log = createLogger({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel });
  const { clients, s3Mock, ecrMock, ssmMock } = mockReads();
  const deps: AppOverrides = {
    log,
    metrics,
    notifier,
    guard: undefined,
    journal: undefined,
    deployerOptions: { backoffBaseMs: 0 },
    ...overrides,
    clients: { ...clients, ecs: async () => ecs, lambda: noLambdaClient, cloudwatch: noCloudWatchClient, ...overrides.clients },
  };
  return { app: createApp(config, deps), deps, config, ecsMock, s3Mock, ecrMock, ssmMock, metrics, notifier };
}

export { DescribeTaskDefinitionCommand, UpdateServiceCommand };

/** The commands a mocked client received, in order, as `{ command, input }` (the story a test tells). */
export function sentCommands(mock: { calls(): Array<{ args: unknown[] }> }): Array<{ command: string; input: unknown }> {
  return mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return { command: command.constructor.name, input: command.input };
  });
}
