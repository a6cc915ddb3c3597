/**
 * Approvals and releases together (APPROVERS and RELEASE_CONFIG), through the Lambda entry point
 * as deployed: a release begins only once its deployment is approved. A push asks for approval and
 * runs nothing; Approve runs the migration task (the release's first step), and the task's `STOPPED`
 * event deploys the revision the request pinned, in the request's own message. The deployments
 * table is dynalite on 127.0.0.1, Slack's Web API and response URLs on 127.0.0.1, ECS, ECR and
 * Lambda's hand-off aws-sdk-client-mock.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiPush, approvalHandler, approvalIdOf, titleOf, type ApprovalParts } from '../helpers/approvalHandler.js';
import { taskDefinition } from '../helpers/app.js';
import { awsSample } from '../helpers/fixtures.js';
import { signedClick } from '../helpers/slackInteractions.js';

const CLUSTER = 'myproject_cluster_dev';
const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const FAMILY = 'myproject_service_api_dev';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/myproject_service_api';
const MIGRATE = `${ARN}:task-definition/myproject_migrate_dev:7`;
const TASK = `${ARN}:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const NOW = new Date('2026-03-02T10:00:00Z');
const RELEASE_CONFIG = JSON.stringify({
  api: { run_before: { family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], timeout_minutes: 20 } },
  worker: { after: ['api'] },
});
const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' as const },
};

/** The documented task event, as ECS sends it when the migration task deploybridge started stopped. */
function taskStopped(id: string, startedBy: string, exitCode: number) {
  const sample = awsSample('ecs/task-state-change-not-handled.json');
  return {
    ...sample,
    id,
    time: '2026-03-02T10:12:00Z',
    account: '123456789012',
    region: 'us-east-1',
    resources: [TASK],
    detail: {
      ...sample.detail,
      clusterArn: `${ARN}:cluster/${CLUSTER}`,
      taskArn: TASK,
      taskDefinitionArn: MIGRATE,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'migrate', lastStatus: 'STOPPED', taskArn: TASK, exitCode }],
    },
  };
}

describe('approvals with RELEASE_CONFIG: a release begins once its deployment is approved', () => {
  const handler = approvalHandler({ tablePrefix: 'approved-releases', env: { APPROVERS: 'U0APPROVER', RELEASE_CONFIG } });
  const { coldStart, click, requests, responseUrl } = handler;
  let api: ApprovalParts['api'];
  let output: ApprovalParts['output'];
  let ecs: ApprovalParts['ecs'];
  let handOffs: unknown[];
  // The release's migration task, and the service it runs in.
  beforeEach(() => {
    ({ api, output, ecs, handOffs } = handler.parts());
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'myproject_migrate_dev' }).resolves({
      taskDefinition: {
        taskDefinitionArn: MIGRATE,
        family: 'myproject_migrate_dev',
        revision: 7,
        containerDefinitions: [
          {
            name: 'migrate',
            essential: true,
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/myproject/migrate', 'awslogs-stream-prefix': 'ecs' },
            },
          },
        ],
      },
    });
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: FAMILY, launchType: 'FARGATE', platformVersion: '1.4.0', networkConfiguration: NETWORK }],
    });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
  });
  /** The ECS calls that change something: the task run, the services updated. */
  const changes = () =>
    ecs
      .calls()
      .map((call) => call.args[0])
      .filter((command) => command instanceof RunTaskCommand || command instanceof UpdateServiceCommand)
      .map((command) =>
        command instanceof RunTaskCommand
          ? `RunTask ${command.input.taskDefinition}`
          : `UpdateService ${(command.input as UpdateServiceCommandInput).service} ${(command.input as UpdateServiceCommandInput).taskDefinition}`,
      );
  const startedBy = () => (ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.startedBy ?? '') as string;
  /** The top-level messages posted (not the replies in a thread), by title. */
  const posted = () => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === undefined).map((c) => titleOf(c));

  it('the push asks for approval and runs no task; Approve runs the migration; its exit 0 deploys the pinned revision in the request’s message', async () => {
    const invoke = await coldStart();
    const asked = (await invoke(apiPush('v1.4.3', 'push-1'))) as { deployments: Array<Record<string, unknown>> };
    expect(asked.deployments).toEqual([{ service: 'api', status: 'awaiting approval', approvalId: expect.any(String) }]);
    // Waiting for approval: no migration, no deployment, no release announced.
    expect(changes()).toEqual([]);
    expect(posted()).toEqual(['Approval needed: api']);

    // Someone registers revision 44 while the request waits: the approved deployment is still the pinned 43.
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY }).resolves(taskDefinition(FAMILY, 44, [`${IMAGE}:v1.4.4`]));
    vi.setSystemTime(new Date(NOW.getTime() + 10 * 60_000));
    const { result } = await click(invoke, approvalIdOf(requests()[0]));
    expect(result).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    // Approved: the release begins, its migration runs, and the api waits for it.
    expect(changes()).toEqual([`RunTask ${MIGRATE}`]);
    expect(startedBy()).toMatch(/^deploybridge\/[0-9a-f]{16}\/0$/);
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input).toMatchObject({
      cluster: CLUSTER,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      overrides: { containerOverrides: [{ name: 'migrate', command: ['./migrate', 'up'] }] },
    });
    expect(posted()).toEqual(['Approval needed: api', 'Release in progress: api']);
    expect(output.logs().find((l) => l.message === 'release started')?.fields).toMatchObject({ event_id: 'push-1', steps: 2 });

    await invoke(taskStopped('task-1', startedBy(), 0));
    expect(changes()).toEqual([`RunTask ${MIGRATE}`, `UpdateService ${FAMILY} ${ARN}:task-definition/${FAMILY}:43`]);
    // The deployment is the request's message, approved by whom; no second deployment message.
    const requestTs = api.messages[0]?.ts;
    const requestUpdates = api.calls.filter((c) => c.method === 'chat.update' && c.body.ts === requestTs).map((c) => titleOf(c));
    expect(requestUpdates).toEqual(['Approved: api', 'Deployment started: api']);
    expect(posted()).toEqual(['Approval needed: api', 'Release in progress: api']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      approved_by: 'U0APPROVER',
      task_definition: `${ARN}:task-definition/${FAMILY}:43`,
    });
  });

  it('Reject: the release never begins, no task runs', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    await click(invoke, approvalIdOf(requests()[0]), 'reject');
    expect(changes()).toEqual([]);
    expect(output.logs().some((l) => l.message === 'release started')).toBe(false);
  });

  it('a transient RunTask failure after approval gives the request back and fails the invocation; Lambda’s retry runs the task once', async () => {
    const invoke = await coldStart();
    await invoke(apiPush('v1.4.3', 'push-1'));
    // As the SDK throws it: a client fault Lambda's retry can mend.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(throttled)
      .resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    await invoke(signedClick({ actionId: 'deploybridge.approve', value: approvalIdOf(requests()[0]), responseUrl: responseUrl() }));
    const [handOff] = handOffs;
    await expect(invoke(handOff)).rejects.toThrow('approved deployment of api not finished; retried');
    // Lambda retries the asynchronous invocation with the same event: the start is finished, once.
    expect(await invoke(handOff)).toEqual({ status: 'carried out', action: 'deploybridge.approve' });
    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.startedBy)).toEqual([startedBy(), startedBy()]);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    // A further delivery runs nothing again.
    await invoke(handOff);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    await invoke(taskStopped('task-1', startedBy(), 0));
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.service)).toEqual([FAMILY]);
  });
});
