/**
 * Every family of messages carries its typed event (the type filters match, the webhook's `type`,
 * Chatbot's `eventType`), including those no sample in events/ produces: a superseded rollout, a
 * refused manual deploy, a deployment that failed before it started, a deleted Lambda artifact,
 * deployments an invocation had no time to start. A message without one would reach Slack only.
 */
import { describe, expect, it } from 'vitest';
import { deploymentStepUpdate } from '../../src/present/following.js';
import { noticeMessage, notStartedMessage, planningFailedMessage, refusalMessage } from '../../src/present/notices.js';
import type { LambdaService } from '../../src/config/catalog.js';
import { DEPLOYMENT_ID, followed } from '../helpers/notifications.js';

describe('typed events of the messages no sample sends', () => {
  it('a superseded rollout: deployment.superseded, its outcome superseded, in its thread', () => {
    const update = deploymentStepUpdate(followed({ status: 'superseded', finishedAt: '2026-12-07T10:02:00.000Z' }), {
      kind: 'superseded',
    });
    expect(update.standalone.event).toMatchObject({
      type: 'deployment.superseded',
      deployment: { id: DEPLOYMENT_ID, outcome: 'superseded', ended_at: '2026-12-07T10:02:00.000Z' },
    });
  });

  it('the notices: a refused manual deploy, a failure before the start, a deleted artifact, deployments not started', () => {
    const thumbnailer: LambdaService = {
      kind: 'lambda',
      name: 'thumbnailer',
      lambda: { functionName: 'myproject_lambda_thumbnailer_dev', alias: 'live', smokeTest: undefined },
      artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
      envFiles: [],
    };
    expect(
      [
        refusalMessage('MANUAL_DEPLOY_ACCOUNTS does not list 999999999999', {
          id: 'evt-1',
          source: 'action.deploy',
          detail: { service: 'api' },
        }),
        planningFailedMessage('ClientException: task definition family not found', 'evt-2'),
        noticeMessage({ kind: 'artifact_deleted', location: 's3://myproject-artifacts/thumbnailer/lambda.zip', services: [thumbnailer] }),
        notStartedMessage(['api'], 2, ['evt-3']),
      ].map((n) => n.event?.type),
    ).toEqual(['request.refused', 'deployment.failed', 'warning.artifact_deleted', 'warning.deployments_not_started']);
  });
});
