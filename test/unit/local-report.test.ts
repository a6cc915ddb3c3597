/**
 * The local run's words for what an event came to (src/local/report.ts) and what it reads
 * (src/local/input.ts), for the outcomes and shapes the sample events do not all reach.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandleResult } from '../../src/entry/app.js';
import type { DeploymentResult } from '../../src/deploy/deployer.js';
import type { DescribedCall } from '../../src/local/describedCalls.js';
import { readLocalInput } from '../../src/local/input.js';
import { planSummary } from '../../src/local/report.js';
import type { Plan } from '../../src/triggers/plan.js';
import type { DeploymentRequest } from '../../src/triggers/requests.js';

const ECS = { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', family: 'myproject_service_api_dev' };
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:42';
const MANUAL = { kind: 'manual', source: 'action.deploy', reason: 'Hotfix', account: undefined, requestedBy: undefined } as const;
const EVENT = { 'detail-type': 'Manual Deploy' };

/** An ECS deployment of `taskDefinition`, or (null) a restart on the revision the service runs. */
function ecs(taskDefinition: string | null = TD, service = 'api'): DeploymentRequest {
  return {
    target: 'ecs',
    service,
    ecs: { ...ECS, service: `myproject_service_${service}_dev` },
    ...(taskDefinition === null ? {} : { taskDefinition }),
    trigger: MANUAL,
  };
}

function lambda(
  overrides: {
    alias?: string;
    expect?: Record<string, unknown>;
    smoke?: boolean;
    change?: Extract<DeploymentRequest, { target: 'lambda' }>['change'];
  } = {},
): DeploymentRequest {
  const smokeTest = overrides.smoke === false ? undefined : { payload: {}, expect: overrides.expect };
  return {
    target: 'lambda',
    service: 'thumbnailer',
    lambda: { functionName: 'myproject_lambda_thumbnailer_dev', alias: overrides.alias, smokeTest },
    change: overrides.change ?? { kind: 'release' },
    trigger: MANUAL,
  };
}

function planned(deployments: DeploymentRequest[], results: DeploymentResult[], more: Partial<Plan> = {}): HandleResult {
  return {
    status: 'planned',
    eventId: 'e-1',
    plan: { route: 'manual', eventId: 'e-1', deployments, skipped: [], notices: [], ...more },
    deployments: results,
    followed: [],
  };
}

const call = (overrides: Partial<DescribedCall>): DescribedCall => ({
  service: 'ecs',
  command: 'DescribeTaskDefinition',
  input: {},
  kind: 'read',
  assumed: [],
  ...overrides,
});

describe('planSummary: the plan first, trigger → target → what would happen or happened', () => {
  it('counts deployments, skips and notices in the first line, in the plural where it applies', () => {
    const skipped = [
      { service: 'api', reason: 'runs tag v1' },
      { service: 'worker', reason: 'runs tag v2' },
    ];
    expect(
      planSummary(planned([], [], { skipped, notices: [{ kind: 'env_file_deleted', location: 's3://b/k', services: [] }] }), EVENT, []),
    ).toEqual([
      'Plan for Manual Deploy e-1 (route manual): nothing to deploy, 2 skipped, 1 notice',
      '  skip api: runs tag v1',
      '  skip worker: runs tag v2',
      '  notify (error): Env file deleted: s3://b/k',
    ]);
    const two = planSummary(planned([ecs(TD, 'api'), ecs(TD, 'worker')], []), EVENT, [])[0];
    expect(two).toBe('Plan for Manual Deploy e-1 (route manual): 2 deployments');
  });

  it('ECS: a dry run says "would", a start names the deployment and what it replaces, a restart keeps the revision', () => {
    expect(
      planSummary(
        planned([ecs()], [{ service: 'api', status: 'dry_run', plannedCalls: [], target: 'ecs', taskDefinition: TD }]),
        EVENT,
        [],
      ).slice(1),
    ).toEqual([
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): would deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)',
      '    trigger: manual deploy via action.deploy: Hotfix',
    ]);
    const started: DeploymentResult = {
      service: 'api',
      status: 'started',
      attempts: 1,
      target: 'ecs',
      taskDefinition: TD,
      deploymentId: 'ecs-svc/7',
      previousTaskDefinition: TD.replace(':42', ':41'),
      supersedes: [],
    };
    expect(planSummary(planned([ecs()], [started]), EVENT, []).slice(1)).toEqual([
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): deploy myproject_service_api_dev:42 (UpdateService, forceNewDeployment)',
      '    trigger: manual deploy via action.deploy: Hotfix',
      '    started: deployment ecs-svc/7 of myproject_service_api_dev:42, replacing myproject_service_api_dev:41',
    ]);
    const restart = planSummary(
      planned([ecs(null)], [{ ...started, deploymentId: undefined, previousTaskDefinition: undefined }]),
      EVENT,
      [],
    );
    expect(restart[1]).toBe(
      '  api → ECS service myproject_service_api_dev (cluster myproject_cluster_dev): restart it on the revision it runs (UpdateService, forceNewDeployment)',
    );
    expect(restart[3]).toBe('    started: deployment (no id) of myproject_service_api_dev:42');
    expect(planSummary(planned([ecs('myproject_service_api_dev')], []), EVENT, [])[1]).toContain(
      ': deploy the latest ACTIVE revision of myproject_service_api_dev (UpdateService',
    );
  });

  it('what a deployment came to when it did not start: failed (retryable or not), already deployed, deferred', () => {
    const lines = (result: DeploymentResult) => planSummary(planned([ecs()], [result]), EVENT, [])[3];
    expect(
      lines({
        service: 'api',
        status: 'failed',
        error: 'ServiceNotFoundException: not found',
        attempts: 1,
        retryable: false,
        unexpected: false,
      }),
    ).toBe('    failed after 1 attempt: ServiceNotFoundException: not found');
    expect(
      lines({ service: 'api', status: 'failed', error: 'ThrottlingException: slow down', attempts: 3, retryable: true, unexpected: false }),
    ).toBe('    failed after 3 attempts: ThrottlingException: slow down (retryable: the invocation fails, so Lambda retries it)');
    expect(lines({ service: 'api', status: 'skipped', reason: 'already deployed' })).toBe('    skipped: already deployed for this event');
    expect(lines({ service: 'api', status: 'deferred', reason: 'out of time' })).toBe(
      '    not carried out (out of time): the invocation fails, so Lambda retries the event',
    );
    // A result of another service is not this deployment's.
    expect(planSummary(planned([ecs()], [{ service: 'worker', status: 'skipped', reason: 'already deployed' }]), EVENT, [])).toHaveLength(
      3,
    );
  });

  it('Lambda: the alias or $LATEST, the smoke test (with its expectation, skipped for a rollback), the calls, the release', () => {
    const dry: DeploymentResult = {
      service: 'thumbnailer',
      status: 'dry_run',
      plannedCalls: ['lambda:PublishVersion {}', 'lambda:UpdateAlias {}'],
      target: 'lambda',
      functionName: 'f',
      alias: 'live',
      fromVersion: '7',
      toVersion: '(new version)',
    };
    expect(planSummary(planned([lambda({ alias: 'live', expect: { statusCode: 200 } })], [dry]), EVENT, []).slice(1)).toEqual([
      '  thumbnailer → Lambda myproject_lambda_thumbnailer_dev (alias live): would publish $LATEST as it is and move the alias to it',
      '    smoke test: invoke with smoke_test.payload, expect {"statusCode":200}',
      '    trigger: manual deploy via action.deploy: Hotfix',
      '    from version 7; the calls it would make, in order:',
      '      lambda:PublishVersion {}',
      '      lambda:UpdateAlias {}',
    ]);
    expect(planSummary(planned([lambda({ alias: 'live', change: { kind: 'rollback' } })], []), EVENT, [])[2]).toBe(
      '    smoke test: skipped for a rollback',
    );
    expect(planSummary(planned([lambda({})], []), EVENT, []).slice(1, 3)).toEqual([
      '  thumbnailer → Lambda myproject_lambda_thumbnailer_dev (no alias: $LATEST in place): publish $LATEST as it is and move the alias to it',
      '    smoke test: invoke with smoke_test.payload',
    ]);
    expect(planSummary(planned([lambda({ smoke: false })], []), EVENT, [])[2]).toBe('    trigger: manual deploy via action.deploy: Hotfix');
    const release = (alias: string | undefined): DeploymentResult => ({
      service: 'thumbnailer',
      status: 'succeeded',
      attempts: 1,
      durationMs: 8400,
      target: 'lambda',
      functionName: 'f',
      alias,
      fromVersion: '7',
      toVersion: '8',
      smokeTest: 'not_configured',
    });
    expect(planSummary(planned([lambda({ alias: 'live' })], [release('live')]), EVENT, [])[4]).toBe(
      '    succeeded: alias live 7 → 8, smoke test not configured, 8400 ms',
    );
    expect(planSummary(planned([lambda({})], [release(undefined)]), EVENT, [])[4]).toBe(
      '    succeeded: $LATEST 7 → 8, smoke test not configured, 8400 ms',
    );
  });

  it('a rejected or ignored event says why nothing is deployed', () => {
    expect(planSummary({ status: 'rejected', eventId: undefined, reason: 'malformed EventBridge event' }, {}, [])).toEqual([
      'Rejected event (no id): nothing to deploy (malformed EventBridge event)',
    ]);
    expect(planSummary({ status: 'rejected', eventId: 'e-2', reason: 'unknown field "x"' }, EVENT, [])).toEqual([
      'Rejected Manual Deploy e-2: nothing to deploy (unknown field "x")',
    ]);
    expect(
      planSummary(
        { status: 'ignored', eventId: 'e-3', route: undefined, reason: 'not ours' },
        { 'detail-type': 'EC2 Instance State-change Notification' },
        [],
      ),
    ).toEqual(['Plan for EC2 Instance State-change Notification e-3: nothing to deploy (ignored: not ours)']);
    expect(
      planSummary(
        { status: 'ignored', eventId: 'e-4', route: 'ssm', reason: 'another env' },
        { 'detail-type': 'Parameter Store Change' },
        [],
      )[0],
    ).toBe('Plan for Parameter Store Change e-4 (route ssm): nothing to deploy (ignored: another env)');
  });

  it('the answers it assumed: each call as name=value pairs of its input, with digests and long values cut', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const calls = [
      call({
        service: 'ecr',
        command: 'DescribeImages',
        input: { repositoryName: 'repo', imageIds: [{ imageDigest: digest }, { imageTag: 'v1' }], nextToken: null },
        assumed: ['tagged v1', 'scan COMPLETE'],
      }),
      call({ command: 'ListTasks', input: { cluster: 'c', maxResults: 20, include: true }, assumed: [] }),
      call({
        command: 'UpdateService',
        kind: 'write',
        input: { service: 'x'.repeat(81), forceNewDeployment: true },
        assumed: ['ECS starts deployment ecs-svc/1'],
      }),
      call({ command: 'DescribeServices', input: { note: 'y'.repeat(80) } }),
    ];
    expect(planSummary({ status: 'ignored', eventId: 'e', route: 'ecs', reason: 'r' }, {}, calls).slice(1)).toEqual([
      '  assumed: ecr:DescribeImages repositoryName=repo imageDigest=sha256:0123456789ab… imageTag=v1 → tagged v1; scan COMPLETE',
      '  assumed: ecs:ListTasks cluster=c maxResults=20 include=true → an empty answer',
      `  described write: ecs:UpdateService service=${'x'.repeat(79)}… forceNewDeployment=true → ECS starts deployment ecs-svc/1`,
      `  assumed: ecs:DescribeServices note=${'y'.repeat(80)} → an empty answer`,
    ]);
    expect(
      planSummary({ status: 'ignored', eventId: 'e', route: 'ecs', reason: 'r' }, {}, [
        call({ input: { taskDefinition: `x${digest}` } }),
      ])[1],
    ).toBe(`  assumed: ecs:DescribeTaskDefinition taskDefinition=x${digest} → an empty answer`);
  });
});

describe('readLocalInput: what the runner reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploybridge-input-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('one event, as it is', () => {
    const event = { id: '1', 'detail-type': 'ECR Image Action', source: 'aws.ecr', detail: {} };
    expect(readLocalInput(file('one.json', event), { region: 'eu-west-1', account: '123456789012' })).toEqual({
      kind: 'event',
      events: [event],
      buses: [],
    });
  });

  it('an array of events is a sequence, in order', () => {
    const events = [1, 2].map((n) => ({ id: String(n), 'detail-type': 'x', source: 's', detail: {} }));
    expect(readLocalInput(file('seq.json', events), { region: 'eu-west-1', account: '123456789012' })).toEqual({
      kind: 'sequence',
      events,
      buses: [],
    });
  });

  it('each put-events entry as EventBridge delivers it, with the bus it is sent to', () => {
    const entries = [
      {
        Source: 'action.deploy',
        DetailType: 'Manual Deploy',
        Detail: '{"service":"api"}',
        Resources: ['arn:aws:ecs:eu-west-1:123456789012:service/c/s'],
      },
      {
        Source: 'action.production',
        DetailType: 'Manual Deploy',
        Detail: '{"service":"worker"}',
        EventBusName: 'myproject-deploybridge-dev-manual-deploys',
      },
    ];
    const input = readLocalInput(file('entries.json', entries), { region: 'eu-west-1', account: '123456789012' });
    expect(input.kind).toBe('entries');
    expect(input.buses).toEqual(['default', 'myproject-deploybridge-dev-manual-deploys']);
    expect(input.events).toEqual([
      {
        version: '0',
        id: expect.stringMatching(/^local-entry-1-\d+$/),
        'detail-type': 'Manual Deploy',
        source: 'action.deploy',
        account: '123456789012',
        time: expect.any(String),
        region: 'eu-west-1',
        resources: ['arn:aws:ecs:eu-west-1:123456789012:service/c/s'],
        detail: { service: 'api' },
      },
      {
        version: '0',
        id: expect.stringMatching(/^local-entry-2-\d+$/),
        'detail-type': 'Manual Deploy',
        source: 'action.production',
        account: '123456789012',
        time: expect.any(String),
        region: 'eu-west-1',
        resources: [],
        detail: { service: 'worker' },
      },
    ]);
  });

  it.each([['Source'], ['DetailType'], ['Detail'], ['EventBusName']])('an item with only %s is taken for an entry', (key) => {
    expect(() => readLocalInput(file(`only-${key}.json`, [{ [key]: 'x' }]), { region: 'eu-west-1', account: '123456789012' })).toThrow(
      /^.+: entry 1 has no "\w+"(, "\w+")*: PutEvents fails an entry without Source, DetailType and Detail$/,
    );
  });

  it('an object that is an event and names a DetailType too is an event', () => {
    const event = { 'detail-type': 'x', DetailType: 'y' };
    expect(readLocalInput(file('both.json', event), { region: 'eu-west-1', account: '123456789012' }).kind).toBe('event');
  });
});
