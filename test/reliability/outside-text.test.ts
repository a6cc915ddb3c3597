/**
 * Text from outside — an ECS event's reason, a stopped task's and a container's reason, a service
 * event, a manual request's fields, who changed an S3 object or a parameter — may hold a secret
 * (a registry password in a URL, an AWS secret key, a Slack token or webhook) and control or
 * bidirectional characters. Whatever path it takes, it reaches no Slack message and no log line
 * as it came: the secrets are masked and those characters are gone, with the rest of the text kept.
 */
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryJournal } from '../../src/following/store.js';
import { createLogger } from '../../src/shared/observability.js';
import { buildSlackPayload } from '../../src/slack/messages.js';
import { createNotifier } from '../../src/slack/setup.js';
import {
  BASE_ENV,
  DescribeTaskDefinitionCommand,
  fakeMetrics,
  serviceUpdated,
  taskDefinition,
  testApp,
  testConfig,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { adapt, awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeParametersCommand } from '../helpers/reads.js';
import { startSlackApi, TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { HOSTILE_TEXT, OUTSIDE_TEXT_SECRETS, UNSAFE_CHARACTERS } from '../helpers/suiteOutput.js';

const FAMILY = 'myproject_service_api_dev';
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/myproject_cluster_dev/myproject_service_api_dev';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';

/** A requester as a manual request may name one (at most 200 characters). */
const REQUESTER = 'alice https://deploy:hunter2-outside-Pw9@registry.example.com xoxb-1234-5678-OUTSIDEtoken90 \u0000\u202Egnp.exe\u202C';

function ecsEvent(detail: Record<string, unknown>, id = 'ecs-failed-1') {
  return { ...awsSample('ecs/deployment-failed.json'), id, account: '123456789012', region: 'us-east-1', resources: [SERVICE_ARN], detail };
}

function manualRequest(detail: Record<string, unknown>) {
  return {
    ...awsSample('custom/custom-event-as-delivered-sqs-body.json'),
    id: 'manual-1',
    account: '123456789012',
    source: 'action.deploy',
    'detail-type': 'Manual Deploy',
    detail: { env: 'dev', project: 'myproject', ...detail },
  };
}

describe('text from outside is masked before any message or log line', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  /** Every leak of a secret or an unsafe character in what was logged and in each Slack payload, and the texts themselves. */
  function seen(payloads: string[]) {
    const logs = output.logs().map((line) => JSON.stringify(line));
    const all = [...logs, ...payloads];
    return {
      all: all.join('\n'),
      leaks: all
        .filter((text) => OUTSIDE_TEXT_SECRETS.some((secret) => text.includes(secret)) || UNSAFE_CHARACTERS.test(text))
        .map((t) => t.slice(0, 300)),
    };
  }

  /** ECS's answers about why tasks failed, each holding the hostile text. */
  function hostileEvidence(ecsMock: ReturnType<typeof testApp>['ecsMock']) {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/aaa'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'aaa',
          stopCode: 'TaskFailedToStart',
          stoppedAt: new Date(Date.now() + 1000),
          stoppedReason: `CannotPullContainerError: ${HOSTILE_TEXT}`,
          containers: [{ name: 'app', reason: `container: ${HOSTILE_TEXT}`, exitCode: 1 }],
        },
      ],
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { events: [{ createdAt: new Date(Date.now() + 2000), message: `(service x) was unable to place a task: ${HOSTILE_TEXT}` }] },
      ],
    });
  }

  it('an ECS event of a deployment deploybridge did not start: its reason, the stopped tasks and the service events', async () => {
    const { app, ecsMock, notifier } = testApp();
    hostileEvidence(ecsMock);
    await app.handle(
      ecsEvent({ eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/9', reason: HOSTILE_TEXT }),
    );
    const payloads = notifier.sent.map((n) => JSON.stringify(buildSlackPayload(n, { environment: 'dev' })));
    const { all, leaks } = seen(payloads);
    expect(leaks).toEqual([]);
    // The text did reach Slack, masked: the registry and the rest of the reason are still there.
    expect(payloads.join('\n')).toContain('https://[redacted]@registry.example.com/v2/app');
    expect(payloads.join('\n')).toContain('container: pull https://[redacted]@registry.example.com');
    expect(payloads.join('\n')).toContain('was unable to place a task');
    expect(all).toContain('AWS_SECRET_ACCESS_KEY=[redacted]');
  });

  it("a step of deploybridge's own deployment, in its Slack thread through a bot token, and in its log lines", async () => {
    const api = await startSlackApi();
    try {
      const env = { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_CHANNEL: 'C0DEPLOYS', SLACK_API_URL: api.apiUrl };
      const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'debug' });
      const metrics = fakeMetrics();
      const built = testApp(env, { notifier: createNotifier(testConfig(env), log, metrics), metrics, log, journal: createMemoryJournal() });
      built.ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 42, [`${IMAGE}:v1`]));
      built.ecsMock
        .on(UpdateServiceCommand)
        .resolves(serviceUpdated(`arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:42`, 'ecs-svc/1'));
      hostileEvidence(built.ecsMock);
      await built.app.handle(
        adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_api', 'image-tag': 'v1' }),
      );
      await built.app.handle(
        ecsEvent({ eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/1', reason: HOSTILE_TEXT }),
      );
      const payloads = api.calls.map((call) => JSON.stringify(call.body));
      expect(api.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
      const { leaks } = seen(payloads);
      expect(leaks).toEqual([]);
      expect(payloads.join('\n')).toContain('https://[redacted]@registry.example.com/v2/app');
      // The step's log line names why tasks failed, masked too.
      const reasons = output
        .logs()
        .flatMap((l) => (Array.isArray(l.fields.failure_reasons) ? (l.fields.failure_reasons as unknown[]) : []));
      expect(reasons.join('\n')).toContain('CannotPullContainerError: pull https://[redacted]@registry.example.com');
    } finally {
      await api.close();
    }
  });

  it("a manual request's requested_by and reason: in the dry run's message and log lines, and in a refusal", async () => {
    const { app, notifier } = testApp({ DRY_RUN: 'true' });
    await app.handle(manualRequest({ service: 'api', requested_by: REQUESTER, reason: `hotfix ${HOSTILE_TEXT}` }));
    await app.handle({ ...manualRequest({ service: 'xoxb-1-2-OUTSIDEtoken90\u202E', reason: HOSTILE_TEXT }), id: 'manual-2' });
    const payloads = notifier.sent.map((n) => JSON.stringify(buildSlackPayload(n, { environment: 'dev' })));
    expect(notifier.sent.map((n) => n.title)).toEqual(['Deployment would start: api', 'Manual deploy refused']);
    const { leaks } = seen(payloads);
    expect(leaks).toEqual([]);
    expect(payloads[0]).toContain('alice https://[redacted]@registry.example.com');
    expect(payloads[0]).toContain('hotfix pull https://[redacted]@registry.example.com');
    expect(notifier.sent[1]?.facts).toContainEqual([
      'Refused because',
      'manual deploy refused: service name "[redacted]" is not a valid service name',
    ]);
  });

  it('who changed an S3 object or an SSM parameter', async () => {
    const { app, notifier, ssmMock } = testApp({ DRY_RUN: 'true' });
    ssmMock
      .on(DescribeParametersCommand)
      .resolves({ Parameters: [{ Name: '/dev/myproject/api/DATABASE_URL', LastModifiedUser: HOSTILE_TEXT, Version: 3 }] });
    await app.handle(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/DATABASE_URL' }, { id: 'ssm-1' }));
    await app.handle(
      adapt(
        's3/eventbridge-object-created.json',
        { bucket: { name: 'myproject-config-dev' }, object: { key: 'api/.env', 'version-id': 'v2' }, requester: HOSTILE_TEXT },
        { id: 's3-1' },
      ),
    );
    const payloads = notifier.sent.map((n) => JSON.stringify(buildSlackPayload(n, { environment: 'dev' })));
    expect(notifier.sent).toHaveLength(2);
    const { leaks } = seen(payloads);
    expect(leaks).toEqual([]);
    expect(payloads.every((p) => p.includes('registry.example.com'))).toBe(true);
  });

  it("the invocation's error, when an AWS answer that must be retried quotes outside text", async () => {
    const ecs = mockClient(ECSClient);
    try {
      ecs
        .on(DescribeTaskDefinitionCommand)
        .rejects(
          Object.assign(new Error(`Rate exceeded for ${HOSTILE_TEXT}`), { name: 'ThrottlingException', $fault: 'client', $metadata: {} }),
        );
      vi.resetModules();
      for (const [name, value] of Object.entries({ ...BASE_ENV, DRY_RUN: 'true' })) vi.stubEnv(name, value);
      const { handler } = await import('../../src/index.js');
      const context = { functionName: 'deploybridge', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 } as unknown as Context;
      const thrown = await handler(
        adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_api' }),
        context,
      ).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      // What the Lambda runtime writes of a failed invocation: its name, message and stack.
      const written = `${thrown?.name}: ${thrown?.message}\n${thrown?.stack}`;
      expect(written).toContain('Rate exceeded for pull https://[redacted]@registry.example.com');
      expect(OUTSIDE_TEXT_SECRETS.filter((secret) => written.includes(secret))).toEqual([]);
      expect(written).not.toMatch(UNSAFE_CHARACTERS);
      expect(seen([]).leaks).toEqual([]);
    } finally {
      ecs.restore();
      vi.unstubAllEnvs();
    }
  });
});
