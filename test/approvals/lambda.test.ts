/**
 * Approvals of Lambda targets, on the App with mocked Lambda (fast waiters) and the deployments
 * table in memory: a push to an image function waits with only the reads made; approved, the
 * function is updated with its own ImageUri (the tag), so that later pushes still deploy it, and
 * its messages and log lines name the approver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideApproval, startApproved } from '../../src/approvals/records.js';
import { createMemoryJournal } from '../../src/following/store.js';
import type { Notifier } from '../../src/slack/notifier.js';
import { recordingNotifier } from '../helpers/app.js';
import { adapt } from '../helpers/fixtures.js';
import {
  configuration,
  functionState,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  happyPath,
  lambdaApp,
  REGISTRY,
  RENDERER,
  story,
} from '../helpers/lambda-harness.js';
import { captureOutput } from '../helpers/logs.js';
import { TEST_BOT_TOKEN } from '../helpers/slackApi.js';
import { TEST_SIGNING_SECRET } from '../helpers/slackInteractions.js';

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
const IMAGE = `${REGISTRY}/myproject_service_renderer:v2.3.0`;
const APPROVALS = {
  APPROVERS: 'U0APPROVER',
  SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
  SLACK_CHANNEL: 'C0DEPLOYS',
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  DEPLOYMENTS_TABLE: 'deployments',
};

/** A notifier that records, and says where each first message went (as a bot token does). */
function botLikeNotifier(): Notifier & { sent: ReturnType<typeof recordingNotifier>['sent'] } {
  const recorded = recordingNotifier();
  return {
    ...recorded,
    open: async (notification) => {
      recorded.notify(notification);
      return { channel: 'C0DEPLOYS', ts: String(recorded.sent.length) };
    },
  };
}

describe('approvals of a Lambda image function', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('waits with the reads only; approved, updates the code with the function’s own ImageUri and names the approver', async () => {
    const journal = createMemoryJournal();
    const notifier = botLikeNotifier();
    const { app, lambdaMock } = lambdaApp(APPROVALS, { journal, notifier });
    happyPath(lambdaMock);
    lambdaMock.on(GetFunctionConfigurationCommand).resolves(configuration({ FunctionName: RENDERER, PackageType: 'Image' }));
    const state = functionState('Successful', 'rev-2', {
      RepositoryType: 'ECR',
      ImageUri: IMAGE,
      ResolvedImageUri: `${REGISTRY}/myproject_service_renderer@${DIGEST}`,
    });
    lambdaMock.on(GetFunctionCommand).resolves({ ...state, Configuration: { ...state.Configuration, PackageType: 'Image' } });

    const push = adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_renderer', 'image-tag': 'v2.3.0' });
    const result = (await app.handle(push)) as { deployments: Array<{ status: string; approvalId?: string }> };
    expect(result.deployments).toEqual([{ service: 'renderer', status: 'awaiting approval', approvalId: expect.any(String) }]);
    expect(story(lambdaMock).map(([command]) => command)).toEqual(['GetFunction', 'GetFunctionConfiguration', 'GetAlias']);
    expect(notifier.sent.map((n) => n.title)).toEqual(['Approval needed: renderer']);
    expect(notifier.sent[0]?.facts).toContainEqual(['Pinned', 'image sha256:7f5b264…']);

    const id = result.deployments[0]?.approvalId as string;
    const by = { id: 'U0APPROVER', name: 'alice' };
    expect((await decideApproval(journal, id, 'approve', by, new Date())).changed).toBe(true);
    const started = await startApproved(journal, id);
    if (started?.decision === undefined) throw new Error('expected the request to be started');
    lambdaMock.resetHistory();
    expect(await app.carryOutApproved({ ...started, decision: started.decision })).toBe('done');

    const update = story(lambdaMock).find(([command]) => command === 'UpdateFunctionCode');
    expect(update).toEqual(['UpdateFunctionCode', { FunctionName: RENDERER, ImageUri: IMAGE }]);
    const succeeded = notifier.sent.at(-1);
    expect(succeeded?.title).toBe('Deployment succeeded: renderer');
    expect(succeeded?.mentions).toEqual([{ label: 'Approved by', people: [by], note: expect.stringMatching(/^at \d{4}-/) }]);
    expect(output.logs().find((l) => l.message === 'deployment succeeded')?.fields).toMatchObject({
      approved_by: 'U0APPROVER',
      approval_id: id,
    });
  });
});
