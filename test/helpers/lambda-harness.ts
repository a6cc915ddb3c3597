/**
 * Shared by the lambda-*.test.ts files: an App whose Lambda and ECS clients are real SDK clients
 * answered by aws-sdk-client-mock, with waiters that poll every millisecond and backoff of 0 ms
 * (unless a test says otherwise), plus the canned Lambda responses the stories start from.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createEcsTarget } from '../../src/targets/ecs.js';
import { createLambdaTarget } from '../../src/targets/lambda/index.js';
import { sentCommands, testApp, type TestAppOverrides } from './app.js';

export {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  sentCommands,
};

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const THUMBNAILER = 'myproject_lambda_thumbnailer_dev';
export const RENDERER = 'myproject_lambda_renderer_dev';
export const RESIZER = 'resizer-fn';
/** An environment variable value the function holds; it must never appear in logs or Slack (the suite-wide scan checks). */
export const SECRET = 'pg-s3cr3t-Zq81xv';

export const LAMBDA_CONFIG = {
  // A zip function deployed from an S3 artifact, blue/green behind alias "live", smoke-tested.
  thumbnailer: {
    alias: 'live',
    artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
    smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
  },
  // An image function built from the myproject_service_renderer repository.
  renderer: { alias: 'live', smoke_test: { payload: { ping: true } } },
  // No alias: $LATEST is updated in place; named explicitly rather than by the pattern.
  resizer: {
    function_name: RESIZER,
    artifact: { bucket: 'myproject-artifacts', key: 'resizer/lambda.zip' },
    smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
  },
};

/** A function's configuration as GetFunctionConfiguration returns it. */
export function configuration(overrides: Record<string, unknown> = {}) {
  return {
    FunctionName: THUMBNAILER,
    Version: '$LATEST',
    PackageType: 'Zip' as const,
    State: 'Active' as const,
    LastUpdateStatus: 'Successful' as const,
    RevisionId: 'rev-1',
    Environment: { Variables: { DATABASE_PASSWORD: SECRET, LOG_LEVEL: 'info' } },
    ...overrides,
  };
}

/** A GetFunction response (what the SDK waiter polls). */
export function functionState(
  lastUpdateStatus: 'Successful' | 'InProgress' | 'Failed',
  revisionId = 'rev-2',
  code: Record<string, unknown> = {},
) {
  return { Configuration: { ...configuration({ LastUpdateStatus: lastUpdateStatus, RevisionId: revisionId }) }, Code: code };
}

export function alias(
  version: string,
  description = `deploybridge previous_version=11; S3 object s3://myproject-artifacts/thumbnailer/lambda.zip (PutObject)`,
) {
  return { Name: 'live', FunctionVersion: version, Description: description, RevisionId: 'alias-rev-1' };
}

/** An Invoke response with this JSON (or text) payload. */
export function invoked(payload: unknown, functionError?: string): Partial<InvokeCommandOutput> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    StatusCode: 200,
    Payload: new TextEncoder().encode(text) as InvokeCommandOutput['Payload'],
    ...(functionError ? { FunctionError: functionError } : {}),
  };
}

/** The whole happy path of a blue/green deploy: version 12 live, version 13 published and healthy. */
export function happyPath(lambdaMock: ReturnType<typeof lambdaApp>['lambdaMock']) {
  lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration());
  lambdaMock.on(GetAliasCommand).resolves(alias('12'));
  lambdaMock.on(UpdateFunctionCodeCommand).resolves({ LastUpdateStatus: 'InProgress' });
  lambdaMock.on(UpdateFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'InProgress' });
  lambdaMock.on(GetFunctionCommand).resolves(functionState('Successful'));
  lambdaMock.on(PublishVersionCommand).resolves({ Version: '13', State: 'Active' });
  lambdaMock.on(InvokeCommand).resolves(invoked({ statusCode: 200, body: 'pong' }));
  lambdaMock.on(UpdateAliasCommand).resolves({ Name: 'live', FunctionVersion: '13' });
}

/**
 * An App with LAMBDA_CONFIG set, on mocked Lambda and ECS clients, recording Slack notifications
 * and metrics. Logs go to the real logger (capture stdout to read them).
 */
export function lambdaApp(env: Record<string, string> = {}, overrides: TestAppOverrides = {}) {
  const client = new LambdaClient({ region: 'us-east-1', maxAttempts: 1 });
  // This app's own client is mocked, not every LambdaClient: an SDK waiter polls once more after
  // it was aborted, and that late call must land in this test's mock, never in the next test's.
  const lambdaMock = mockClient(client);
  const lambda = createLambdaTarget(client, { waiterMinDelaySeconds: 0.001, waiterMaxDelaySeconds: 0.002 });
  const ecs = createEcsTarget(new ECSClient({ region: 'us-east-1', maxAttempts: 1 }));
  const { app, config, ecsMock, s3Mock, ecrMock, ssmMock, metrics, notifier } = testApp(
    { LAMBDA_CONFIG: JSON.stringify(LAMBDA_CONFIG), ...env },
    {
      targets: { ecs: async () => ecs, lambda: async () => lambda },
      ...overrides,
      clients: { lambda: async () => client, ...overrides.clients },
    },
  );
  return { app, config, lambdaMock, ecsMock, s3Mock, ecrMock, ssmMock, metrics, notifier };
}

/** The commands a mock received, as `[name without "Command", input]` pairs: the story, in order. */
export function story(mock: Parameters<typeof sentCommands>[0]): Array<[string, unknown]> {
  return sentCommands(mock).map(({ command, input }) => [command.replace(/Command$/, ''), input]);
}

/** A fact of a notification by its label. */
export function fact(notification: { facts: Array<[string, string]> } | undefined, label: string): string | undefined {
  return notification?.facts.find(([l]) => l === label)?.[1];
}
