/**
 * Adding a kind of target leaves the deployer unchanged: a third kind, a queue purger registered
 * only in this file, deploys through the real deployer, reporter and follower, and the messages say
 * what its outcome says although src/present/ has no words of its own for it. Whether it is
 * followed is its outcome's to say: a `started` one is handed to the follower as a start, one that
 * is over as an end, a dry run not at all.
 *
 * The kind is outside the production types on purpose (requests and registries list ECS and
 * Lambda): the request and the registry are cast to them, as a new kind would be added to them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deployer, type DeployerOptions, type DeploymentOrder } from '../../src/deploy/deployer.js';
import type { DeploymentGuard } from '../../src/deploy/idempotency/guard.js';
import { createFollower, type Follower } from '../../src/following/follower.js';
import { createMemoryJournal } from '../../src/following/store.js';
import { invocationOf } from '../../src/shared/invocation.js';
import { createLogger } from '../../src/shared/observability.js';
import type { PreparedDeployment, Target, TargetOutcome, TargetRegistry } from '../../src/targets/contract.js';
import type { DeploymentRequest } from '../../src/triggers/requests.js';
import { fakeMetrics, recordingNotifier, testConfig } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { captureOutput } from '../helpers/logs.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/myproject-jobs-dev';
const PURGE = `sqs:PurgeQueue {"QueueUrl":"${QUEUE_URL}"}`;

/** A request of the third kind, for the catalog service `jobs`. */
const request = {
  target: 'queue',
  service: 'jobs',
  queue: { url: QUEUE_URL },
  trigger: { kind: 'manual', source: 'action.deploy', reason: 'drain', account: undefined, requestedBy: 'alice' },
} as unknown as DeploymentRequest;

const order = (eventId = 'e-1'): DeploymentOrder => ({ request, eventId, triggeredAt: '2026-03-02T10:00:00.000Z', route: 'manual' });

/**
 * A queue target: `prepare` reads nothing and lists the purge; `apply` answers with the outcomes
 * given, in turn. `reportsCompletion` as asked: a purge that is over when apply returns, or one
 * that runs on (started).
 */
function queueTarget(reportsCompletion: boolean, outcomes: TargetOutcome[]) {
  const calls: string[] = [];
  const target: Target = {
    reportsCompletion,
    async prepare(prepared): Promise<PreparedDeployment> {
      calls.push(`prepare ${prepared.service}`);
      return {
        preview: { target: 'queue', queueUrl: QUEUE_URL } as never,
        calls: [PURGE],
        async apply() {
          calls.push('apply');
          return outcomes.shift() ?? { status: 'failed', cause: new Error('no more outcomes'), retryable: false };
        },
      };
    },
  };
  return { target, calls };
}

function deployer(
  target: Target,
  env: Record<string, string> = {},
  guard?: DeploymentGuard,
  { options = {}, hold }: { options?: Partial<DeployerOptions>; hold?: Promise<void> } = {},
) {
  const config = testConfig(env);
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' });
  const notifier = recordingNotifier();
  const metrics = fakeMetrics();
  const journal = createMemoryJournal();
  const real = createFollower({ log, notifier, journal, ecs: () => Promise.reject(new Error('no ECS here')) });
  // What the follower is told, in order: `started <service> <outcome's status>` or `finished …`.
  const told: string[] = [];
  const follower: Follower = {
    claim: (ask, fields, metrics) => real.claim(ask, fields, metrics),
    release: (deployment, ticket) => real.release(deployment, ticket),
    onCovered: (deployment, by, changes, trigger) => real.onCovered(deployment, by, changes, trigger),
    onStarted: (deployment, outcome, message) => {
      told.push(`started ${deployment.facts.request.service} ${outcome.status}`);
      return real.onStarted(deployment, outcome, message);
    },
    onFinished: async (deployment, outcome, first, message) => {
      told.push(`finished ${deployment.facts.request.service} ${outcome.status}`);
      await hold;
      return real.onFinished(deployment, outcome, first, message);
    },
    onEcsEvent: (facts, metrics) => real.onEcsEvent(facts, metrics),
  };
  // The real registry has no queue kind: it is registered here only.
  const targets = { queue: async () => target } as unknown as TargetRegistry;
  return {
    deployer: new Deployer({ config, log, notifier, targets, guard, follower }, { backoffBaseMs: 0, ...options }),
    notifier,
    metrics,
    journal,
    told,
    run: (d: Deployer, orders = [order()], invocation = invocationOf(undefined)) => d.run(orders, invocation, () => metrics),
  };
}

const purged = { target: 'queue', queueUrl: QUEUE_URL, purgedMessages: 42 } as never;

describe('a third kind of target, registered only in this test', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('one that is over when apply returns: announced before, its success reported after, with the facts its outcome gives', async () => {
    const { target, calls } = queueTarget(true, [{ status: 'succeeded', result: purged }]);
    const claims: string[] = [];
    const guard: DeploymentGuard = {
      async once(eventId, key, deploy) {
        claims.push(`${eventId} ${key}`);
        return { ran: true, result: await deploy() };
      },
    };
    const built = deployer(target, {}, guard);

    const results = await built.run(built.deployer);

    expect(calls).toEqual(['prepare jobs', 'apply']);
    expect(claims).toEqual(['e-1 queue:jobs']);
    expect(results).toEqual([
      expect.objectContaining({ service: 'jobs', status: 'succeeded', attempts: 1, target: 'queue', purgedMessages: 42 }),
    ]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual([
      'info: Deployment started: jobs',
      'success: Deployment succeeded: jobs',
    ]);
    expect(built.notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Trigger', 'manual deploy via action.deploy, requested by alice (unverified): drain'],
        ['Queue url', QUEUE_URL],
      ]),
    );
    expect(built.notifier.sent[1]?.facts).toEqual(
      expect.arrayContaining([
        ['Status', 'succeeded'],
        ['Purged messages', '42'],
      ]),
    );
    expect(built.metrics.counts).toMatchObject({ DeploymentsStarted: 1, DeploymentsSucceeded: 1 });
    const succeeded = output.logs().find((l) => l.message === 'deployment succeeded');
    expect(succeeded?.fields).toMatchObject({ service: 'jobs', queue_url: QUEUE_URL, purged_messages: 42, attempt: 1 });
    // Its start was announced, so its end is handed to the follower, which keeps ECS and Lambda
    // deployments only: nothing was written for this kind.
    expect(built.told).toEqual(['finished jobs succeeded']);
    expect(await built.journal.read('deployment#e-1')).toBeUndefined();
  });

  it('one that starts something that runs on: its start is its outcome, handed to the follower', async () => {
    const { target, calls } = queueTarget(false, [{ status: 'started', result: purged }]);
    const built = deployer(target);

    const results = await built.run(built.deployer);

    expect(calls).toEqual(['prepare jobs', 'apply']);
    expect(results).toEqual([expect.objectContaining({ service: 'jobs', status: 'started', attempts: 1, purgedMessages: 42 })]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['info: Deployment started: jobs']);
    expect(built.notifier.sent[0]?.facts).toContainEqual(['Purged messages', '42']);
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({ purged_messages: 42 });
    expect(built.told).toEqual(['started jobs started']);
  });

  it('a transient failure is retried, a permanent one reported with its reason', async () => {
    const awsError = (name: string, message: string, status: number) =>
      Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
    const throttled = awsError('ThrottlingException', 'slow down', 400);
    const { target, calls } = queueTarget(true, [
      { status: 'failed', cause: throttled, retryable: true },
      { status: 'failed', cause: awsError('QueueDoesNotExist', 'queue does not exist', 400), retryable: false },
    ]);
    const built = deployer(target);

    const results = await built.run(built.deployer);

    expect(calls).toEqual(['prepare jobs', 'apply', 'prepare jobs', 'apply']);
    expect(results).toEqual([
      {
        service: 'jobs',
        status: 'failed',
        error: 'QueueDoesNotExist: queue does not exist',
        attempts: 2,
        retryable: false,
        unexpected: false,
      },
    ]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual([
      'info: Deployment started: jobs',
      'error: Deployment failed: jobs',
    ]);
    expect(built.notifier.sent[1]?.facts).toEqual(
      expect.arrayContaining([
        ['Status', 'failed'],
        ['Reason', 'QueueDoesNotExist: queue does not exist'],
        ['Attempts', '2'],
      ]),
    );
    expect(built.metrics.counts).toMatchObject({ DeploymentsRetried: 1, DeploymentsFailed: 1 });
    expect(built.told).toEqual(['finished jobs failed']);
  });

  it('dry run: the calls it would make, in the log and in Slack', async () => {
    const { target, calls } = queueTarget(true, []);
    const built = deployer(target, { DRY_RUN: 'true' });

    const results = await built.run(built.deployer);

    expect(calls).toEqual(['prepare jobs']);
    expect(results).toEqual([{ service: 'jobs', status: 'dry_run', plannedCalls: [PURGE], target: 'queue', queueUrl: QUEUE_URL }]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['info: Deployment would start: jobs']);
    expect(built.told).toEqual([]);
    expect(built.notifier.sent[0]?.facts).toEqual(
      expect.arrayContaining([
        ['Queue url', QUEUE_URL],
        ['Planned calls', `1. ${PURGE}`],
      ]),
    );
    expect(output.logs().find((l) => l.message === 'dry run: deployment not started')?.fields).toMatchObject({
      queue_url: QUEUE_URL,
      planned_calls: [PURGE],
      dry_run: true,
    });
  });
});

describe("the deployer's own decisions, for any kind of target", () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  it('a dry run whose reads already decided a failure reports the failure, not what would start', async () => {
    const cause = Object.assign(new Error('queue does not exist'), {
      name: 'QueueDoesNotExist',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const target: Target = {
      reportsCompletion: true,
      prepare: async () => ({
        preview: { target: 'queue', queueUrl: QUEUE_URL } as never,
        calls: [],
        settled: { status: 'failed', cause, retryable: false },
      }),
    };
    const built = deployer(target, { DRY_RUN: 'true' });

    const results = await built.run(built.deployer);

    expect(results).toEqual([
      {
        service: 'jobs',
        status: 'failed',
        error: 'QueueDoesNotExist: queue does not exist',
        attempts: 1,
        retryable: false,
        unexpected: false,
      },
    ]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployment failed: jobs']);
    expect(output.logs().filter((l) => l.message.startsWith('dry run'))).toEqual([]);
  });

  it('an idempotency table it cannot reach deploys nothing, and the failure is transient, with its reason', async () => {
    const { target, calls } = queueTarget(true, [{ status: 'succeeded', result: purged }]);
    const guard: DeploymentGuard = {
      once: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' })),
    };
    const built = deployer(target, {}, guard);

    const results = await built.run(built.deployer);

    expect(calls).toEqual([]);
    expect(results).toEqual([
      {
        service: 'jobs',
        status: 'failed',
        error: 'idempotency table unavailable: TimeoutError: connect ECONNREFUSED',
        attempts: 0,
        retryable: true,
        unexpected: false,
      },
    ]);
    expect(built.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployment failed: jobs']);
  });

  it('starts a deployment with exactly the minimum time left, not with a millisecond less', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const options = { invocationMarginMs: 1000, minimumStartMs: 5000 };
    const endingIn = (ms: number) => ({ account: undefined, partition: undefined, endsAt: Date.now() + ms, lambdaContext: undefined });

    const enough = deployer(queueTarget(true, [{ status: 'succeeded', result: purged }]).target, {}, undefined, { options });
    expect(await enough.run(enough.deployer, [order()], endingIn(6000))).toEqual([expect.objectContaining({ status: 'succeeded' })]);

    const short = deployer(queueTarget(true, [{ status: 'succeeded', result: purged }]).target, {}, undefined, { options });
    expect(await short.run(short.deployer, [order()], endingIn(5999))).toEqual([
      { service: 'jobs', status: 'deferred', reason: 'out of time' },
    ]);
    expect(short.notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual(['error: Deployments not started: 1 of 1']);
  });

  it('returns only once every deployment is reported: its end recorded by the follower', async () => {
    const held = deferred();
    const built = deployer(queueTarget(true, [{ status: 'succeeded', result: purged }]).target, {}, undefined, { hold: held.promise });
    let returned = false;
    const running = built.run(built.deployer).then((results) => {
      returned = true;
      return results;
    });
    await vi.waitFor(() => expect(built.told).toEqual(['finished jobs succeeded']));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    held.resolve();
    expect(await running).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });
});
