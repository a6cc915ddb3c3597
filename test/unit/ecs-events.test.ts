import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSample } from '../helpers/fixtures.js';
import { captureOutput } from '../helpers/logs.js';
import { createLogger } from '../../src/shared/observability.js';
import { createNotifier } from '../../src/slack/setup.js';
import { fakeMetrics, sentCommands, testApp, testConfig } from '../helpers/app.js';
import { adapt } from '../helpers/fixtures.js';
import { startSlackServer } from '../helpers/slackServer.js';

const OUR_SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/myproject_cluster_dev/myproject_service_api_dev';

/** A documented ECS sample, moved to this project's cluster and service. */
function ecsEvent(file: string, resource = OUR_SERVICE_ARN, detail: Record<string, unknown> = {}) {
  const sample = awsSample(`ecs/${file}`);
  return { ...sample, resources: [resource], detail: { ...sample.detail, ...detail } };
}

describe('ECS events → Slack (observation only)', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it.each([
    ['deployment-in-progress.json', 'info', 'Deployment in progress: api', 'in progress'],
    ['deployment-completed.json', 'success', 'Deployment completed: api', 'completed'],
    ['deployment-failed.json', 'error', 'Deployment failed: api', 'failed'],
  ])('%s → one %s message', async (file, severity, title, status) => {
    const { app, ecsMock, notifier } = testApp();
    await app.handle(ecsEvent(file));
    // Only a failure asks ECS why tasks failed.
    expect(sentCommands(ecsMock).map((c) => c.command)).toEqual(
      severity === 'error' ? ['ListTasksCommand', 'DescribeServicesCommand'] : [],
    );
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({
      severity,
      title,
      service: 'myproject_service_api_dev',
      consoleUrl:
        'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/myproject_cluster_dev/services/myproject_service_api_dev/deployments?region=us-west-2',
    });
    expect(notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Status', status],
        ['Deployment ID', 'ecs-svc/123'],
      ]),
    );
  });

  it('carries the circuit breaker reason of a failed deployment', async () => {
    const { app, notifier } = testApp();
    await app.handle(ecsEvent('deployment-failed.json'));
    expect(notifier.sent[0]?.facts).toContainEqual(['Reason', 'ECS deployment circuit breaker: task failed to start.']);
  });

  it('SERVICE_TASK_START_IMPAIRED → warning, checking the cluster ARN', async () => {
    const { app, notifier } = testApp();
    await app.handle(
      ecsEvent('service-action-task-start-impaired.json', OUR_SERVICE_ARN, {
        clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/myproject_cluster_dev',
      }),
    );
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'warning', title: 'Tasks fail to start: api' });
  });

  it.each([
    ['the documented sample (cluster "default")', () => awsSample('ecs/deployment-completed.json')],
    [
      'another env',
      () =>
        ecsEvent(
          'deployment-completed.json',
          'arn:aws:ecs:us-west-2:111122223333:service/myproject_cluster_dev/myproject_service_api_prod',
        ),
    ],
    [
      'another cluster',
      () => ecsEvent('deployment-completed.json', 'arn:aws:ecs:us-west-2:111122223333:service/other_cluster/myproject_service_api_dev'),
    ],
    ['steady state', () => ecsEvent('service-action-steady-state.json')],
    ['a task placement failure', () => ecsEvent('service-action-task-placement-failure.json')],
    ['a task state change', () => awsSample('ecs/task-state-change-not-handled.json')],
    ['an impaired service of another cluster', () => ecsEvent('service-action-task-start-impaired.json')],
  ])('ignores %s', async (_what, event) => {
    const { app, notifier, metrics } = testApp();
    const result = await app.handle(event());
    expect(result.status).toBe('ignored');
    expect(notifier.sent).toEqual([]);
    expect(metrics.counts).toEqual({ EventsIgnored: 1 });
  });

  it('recognises the backend service and the older service ARN format', async () => {
    const { app, notifier } = testApp();
    await app.handle(ecsEvent('deployment-completed.json', 'arn:aws:ecs:us-west-2:111122223333:service/myproject_service_dev'));
    expect(notifier.sent[0]).toMatchObject({ title: 'Deployment completed: backend', service: 'myproject_service_dev' });
  });

  it('in a dry run, ECS events are real: only what deploybridge would do is marked [DRY RUN]', async () => {
    const slack = await startSlackServer();
    try {
      const env = { DRY_RUN: 'true', SLACK_WEBHOOK_URL: slack.url };
      const notifier = createNotifier(
        testConfig(env),
        createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
        fakeMetrics(),
      );
      const { app, ecsMock } = testApp(env, { notifier });
      await app.handle(ecsEvent('deployment-completed.json'));
      await app.handle(adapt('ssm/parameter-store-change-update-string.json', { name: '/dev/myproject/api/KEY' }));
      expect(ecsMock.calls()).toHaveLength(0);
      const texts = slack.received.map((r) => (r.body as { text: string }).text);
      expect(texts).toEqual(['Deployment completed: api (dev)', '[DRY RUN] Deployment would start: api (dev)']);
    } finally {
      await slack.close();
    }
  });
});
