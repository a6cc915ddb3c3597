/**
 * The notifications of one ECS deployment as the presenter words them (started, succeeded,
 * failed, rolled back), and of a Lambda deployment that succeeded, for the channels' tests; and a
 * message for the channels made of one.
 */
import type { ChannelMessage } from '../../src/channels/message.js';
import { deploymentMessages } from '../../src/present/deployments.js';
import { deploymentStepUpdate } from '../../src/present/following.js';
import { identify } from '../../src/present/identity.js';
import type { Notification } from '../../src/present/notification.js';
import type { FollowedEcsDeployment } from '../../src/following/journal.js';
import type { FailureEvidence } from '../../src/following/steps.js';
import type { EcsDeployment, LambdaDeployment } from '../../src/triggers/requests.js';

const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev';
export const DEPLOYMENT_ID = 'ecs-svc/1234567890123456789';

const push = {
  kind: 'ecr',
  repository: 'myproject_service_api',
  tag: 'v1.4.2',
  digest: 'sha256:3f9c1e2b7d5a4c8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6',
} as const;

const request: EcsDeployment = {
  target: 'ecs',
  service: 'api',
  ecs: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', family: 'myproject_service_api_dev' },
  taskDefinition: 'myproject_service_api_dev',
  trigger: push,
};

const run = { eventId: 'evt-push-1', startedAt: '2026-12-07T10:00:00.000Z' };

/** The ECS deployment the messages are about, as its record stands after a step. */
export const followed = (more: Partial<FollowedEcsDeployment>): FollowedEcsDeployment => ({
  target: 'ecs',
  id: DEPLOYMENT_ID,
  service: 'api',
  resource: 'myproject_service_api_dev',
  region: 'us-east-1',
  cluster: 'myproject_cluster_dev',
  trigger: push,
  eventId: 'evt-push-1',
  triggeredAt: '2026-12-07T09:59:58.000Z',
  startedAt: run.startedAt,
  status: 'in_progress',
  events: [],
  taskDefinition: `${TASK_DEFINITION}:42`,
  previousTaskDefinition: `${TASK_DEFINITION}:41`,
  ...more,
});

const evidence: FailureEvidence = {
  stoppedTasks: [
    {
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/myproject_cluster_dev/0123456789abcdef',
      startedBy: DEPLOYMENT_ID,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: '2026-12-07T10:02:00.000Z',
      containers: [{ name: 'app', reason: undefined, exitCode: 137 }],
    },
  ],
  serviceEvents: [],
  unavailable: [],
};

/** The four messages of one ECS deployment, as a webhook (and every channel besides Slack) receives them. */
export const ECS_DEPLOYMENT: Record<'started' | 'succeeded' | 'failed' | 'rolledBack', Notification> = {
  started: deploymentMessages.started(
    request,
    identify(request, 'us-east-1'),
    {
      target: 'ecs',
      taskDefinition: `${TASK_DEFINITION}:42`,
      deploymentId: DEPLOYMENT_ID,
      previousTaskDefinition: `${TASK_DEFINITION}:41`,
      supersedes: [],
    },
    run,
  ),
  succeeded: deploymentStepUpdate(followed({ status: 'completed', finishedAt: '2026-12-07T10:03:05.000Z' }), {
    kind: 'completed',
    durationMs: 185_000,
  }).standalone,
  failed: deploymentStepUpdate(
    followed({
      status: 'failed',
      failure: 'ECS deployment circuit breaker: tasks failed to start.',
      finishedAt: '2026-12-07T10:04:00.000Z',
    }),
    { kind: 'failed', reason: 'ECS deployment circuit breaker: tasks failed to start.' },
    evidence,
  ).standalone,
  rolledBack: deploymentStepUpdate(
    followed({
      status: 'failed',
      failure: 'ECS deployment circuit breaker: tasks failed to start.',
      finishedAt: '2026-12-07T10:06:06.000Z',
      rollback: {
        deploymentId: 'ecs-svc/9999999999999999999',
        to: 'ecs-svc/1111111111111111111',
        toTaskDefinition: `${TASK_DEFINITION}:41`,
        status: 'completed',
      },
    }),
    { kind: 'rolled_back', durationMs: 366_000 },
  ).standalone,
};

const lambdaRequest: LambdaDeployment = {
  target: 'lambda',
  service: 'thumbnailer',
  lambda: { functionName: 'myproject_lambda_thumbnailer_dev', alias: 'live', smokeTest: undefined },
  change: { kind: 'zip', bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip', versionId: 'v7' },
  trigger: {
    kind: 's3',
    bucket: 'myproject-artifacts',
    key: 'thumbnailer/lambda.zip',
    versionId: 'v7',
    operation: 'PutObject',
    actor: 'arn:aws:iam::123456789012:user/alice',
  },
};

/** A Lambda deployment that succeeded inside the invocation. */
export const LAMBDA_SUCCEEDED: Notification = deploymentMessages.succeeded(
  lambdaRequest,
  identify(lambdaRequest, 'us-east-1'),
  {
    target: 'lambda',
    functionName: 'myproject_lambda_thumbnailer_dev',
    alias: 'live',
    fromVersion: '12',
    toVersion: '13',
    smokeTest: 'not_configured',
  },
  42_000,
  { eventId: 'evt-artifact-1', startedAt: '2026-12-07T11:00:00.000Z' },
);

/** The message the channels get for a notification. */
export function channelMessage(notification: Notification, id = '6f1d9a62-1c1b-4f5e-9a7e-2b0c1d2e3f40'): ChannelMessage {
  if (notification.event === undefined) throw new Error(`no event: ${notification.title}`);
  return { notification, event: notification.event, id, time: '2026-12-07T10:06:07.000Z', project: 'myproject', environment: 'dev' };
}
