/**
 * The reporter of one deployment, on its own: what each thing that happens to a deployment becomes
 * in Slack, the log, the metrics and what the follower is told; and the one report of what a run had
 * no time to start. The kind of target is the third one of test/unit/third-target.test.ts: the
 * reporter knows none.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeploymentReport, reportNotStarted } from '../../src/deploy/reporter.js';
import type { Follower } from '../../src/following/follower.js';
import type { MessageRef } from '../../src/following/journal.js';
import { createLogger, MetricName } from '../../src/shared/observability.js';
import type { Progress, TargetOutcome } from '../../src/targets/contract.js';
import type { DeploymentRequest } from '../../src/triggers/requests.js';
import { fakeMetrics, recordingNotifier, testConfig } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { captureOutput } from '../helpers/logs.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/myproject-jobs-dev';
const request = {
  target: 'queue',
  service: 'jobs',
  queue: { url: QUEUE_URL },
  trigger: { kind: 'manual', source: 'action.deploy', reason: 'drain', account: undefined, requestedBy: 'alice' },
} as unknown as DeploymentRequest;
const preview = { target: 'queue', queueUrl: QUEUE_URL } as never;
const purged = { target: 'queue', queueUrl: QUEUE_URL, purgedMessages: 42 } as never;
const TRIGGERED_AT = '2026-03-02T10:00:00.000Z';

/** A reporter of the `jobs` deployment, with a follower that says what it is told (and may be held). */
function reporter(hold?: Promise<void>) {
  const told: Array<{ what: 'started' | 'finished'; outcome: TargetOutcome; first?: MessageRef | undefined }> = [];
  const follower: Follower = {
    // The queue kind does not claim its target: nothing is claimed, released or covered.
    claim: async () => undefined,
    release: async () => {},
    onCovered: async () => {},
    async onStarted(_deployment, outcome, message) {
      told.push({ what: 'started', outcome });
      await hold;
      notifier.notify(message);
      return { channel: 'C0123456789', ts: '1712345678.000100' };
    },
    async onFinished(_deployment, outcome, first) {
      told.push({ what: 'finished', outcome, first });
      await hold;
    },
    onEcsEvent: async () => [],
  };
  const notifier = recordingNotifier();
  const metrics = fakeMetrics();
  const log = createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' });
  const report = new DeploymentReport(
    { config: testConfig(), log, notifier, follower },
    { request, eventId: 'e-1', triggeredAt: TRIGGERED_AT, startedAt: TRIGGERED_AT, metrics },
  );
  return { report, told, notifier, metrics, titles: () => notifier.sent.map((n) => `${n.severity}: ${n.title}`) };
}

/** Whether a promise has settled, once everything already queued has run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

const failure = (progress?: Progress) => ({
  cause: Object.assign(new Error('queue does not exist'), { name: 'QueueDoesNotExist' }),
  progress,
  attempts: 1,
  retryable: false,
  unexpected: false,
});

describe('the reporter of one deployment', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.useRealTimers();
  });

  it('announces a deployment about to change AWS once, however many attempts it takes', async () => {
    const { report, metrics, titles } = reporter();
    report.starting(preview, 1);
    report.starting(preview, 2);
    await report.settled();
    expect(titles()).toEqual(['info: Deployment started: jobs']);
    expect(metrics.counts).toEqual({ DeploymentsStarted: 1 });
    expect(output.logs().filter((l) => l.message === 'deployment started')).toHaveLength(1);
  });

  it('a rollout that started is handed to the follower once, which announces it', async () => {
    const { report, told, titles } = reporter();
    report.started({ status: 'started', result: purged }, 1);
    report.started({ status: 'started', result: purged }, 1);
    await report.settled();
    expect(told.map((t) => `${t.what} ${t.outcome.status}`)).toEqual(['started started']);
    expect(titles()).toEqual(['info: Deployment started: jobs']);
  });

  it('a failure after its start was announced: the follower is told the end, with where it got to when the target says', async () => {
    const withProgress = reporter();
    withProgress.report.starting(preview, 1);
    withProgress.report.failed(failure({ fromVersion: '3', toVersion: '4' } as Progress));
    await withProgress.report.settled();
    expect(withProgress.told).toEqual([
      {
        what: 'finished',
        outcome: { status: 'failed', cause: expect.any(Error), retryable: false, progress: { fromVersion: '3', toVersion: '4' } },
        first: undefined,
      },
    ]);

    const without = reporter();
    without.report.starting(preview, 1);
    without.report.failed(failure());
    await without.report.settled();
    expect(without.told[0]?.outcome).toEqual({ status: 'failed', cause: expect.any(Error), retryable: false });
    expect(without.told[0]?.outcome).not.toHaveProperty('progress');
  });

  it('a failure before any start was announced is a message of its own: the follower is not told', async () => {
    const { report, told, titles, metrics } = reporter();
    report.failed(failure());
    await report.settled();
    expect(told).toEqual([]);
    expect(titles()).toEqual(['error: Deployment failed: jobs']);
    expect(metrics.counts).toEqual({ DeploymentsFailed: 1 });
  });

  it('settled() waits for the follower: the start it records, and the end', async () => {
    const held = deferred();
    const started = reporter(held.promise);
    started.report.started({ status: 'started', result: purged }, 1);
    const startSettled = started.report.settled();
    expect(await isSettled(startSettled)).toBe(false);

    const finished = reporter(held.promise);
    finished.report.starting(preview, 1);
    finished.report.succeeded({ status: 'succeeded', result: purged }, 1, 5000);
    const endSettled = finished.report.settled();
    expect(await isSettled(endSettled)).toBe(false);

    held.resolve();
    await Promise.all([startSettled, endSettled]);
    expect(started.titles()).toEqual(['info: Deployment started: jobs']);
    expect(finished.told.map((t) => `${t.what} ${t.outcome.status}`)).toEqual(['finished succeeded']);
  });

  it("a success's duration counts from the trigger's event; from the deployment's start when that event is in the future", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(TRIGGERED_AT) + 90_000);
    const onTime = reporter();
    onTime.report.succeeded({ status: 'succeeded', result: purged }, 1, 5000);
    expect(onTime.metrics.ofDeployments).toEqual([
      { name: MetricName.DeploymentDuration, trigger: 'manual', value: 90_000, unit: 'Milliseconds' },
    ]);
    expect(onTime.metrics.counts).toMatchObject({ DeploymentsSucceeded: 1 });

    // A trigger's clock ahead of Lambda's: the deployment's own duration, never a negative one.
    vi.setSystemTime(Date.parse(TRIGGERED_AT) - 60_000);
    const skewed = reporter();
    skewed.report.succeeded({ status: 'succeeded', result: purged }, 1, 5000);
    expect(skewed.metrics.ofDeployments).toEqual([
      { name: MetricName.DeploymentDuration, trigger: 'manual', value: 5000, unit: 'Milliseconds' },
    ]);
  });

  it('not run by the guard: in progress elsewhere is a warning (the invocation fails), already deployed a skip that counts', () => {
    const inProgress = reporter();
    inProgress.report.notRun('in progress', 'queue:jobs');
    expect(inProgress.metrics.counts).toEqual({});
    const warning = output.logs().find((l) => l.message.startsWith('deployment in progress in another invocation'));
    expect(warning).toMatchObject({ level: 'warn', fields: { service: 'jobs', event_id: 'e-1', idempotency_key: 'queue:jobs' } });
    expect(output.logs().filter((l) => l.message.startsWith('deployment skipped'))).toEqual([]);

    const deployed = reporter();
    deployed.report.notRun('already deployed', 'queue:jobs');
    expect(deployed.metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(output.logs().find((l) => l.message === 'deployment skipped: already deployed for this event')).toMatchObject({
      level: 'info',
      fields: { service: 'jobs', reason: 'already deployed', idempotency_key: 'queue:jobs' },
    });
    expect(inProgress.titles()).toEqual([]);
    expect(deployed.titles()).toEqual([]);
  });
});

describe('what a run had no time to start', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const parts = () => ({
    log: createLogger({ projectName: 'myproject', environment: 'dev', level: 'info' }),
    notifier: recordingNotifier(),
  });

  it('nothing when everything started', () => {
    const { log, notifier } = parts();
    const metricsOf = vi.fn(() => fakeMetrics());
    reportNotStarted({ log, notifier }, [], 3, 2000, metricsOf);
    expect(notifier.sent).toEqual([]);
    expect(metricsOf).not.toHaveBeenCalled();
    expect(output.logs()).toEqual([]);
  });

  it("of one event: its id; of several: theirs, once each; counted under each deployment's route", () => {
    const { log, notifier } = parts();
    const metrics = { ssm: fakeMetrics(), s3: fakeMetrics() };
    reportNotStarted({ log, notifier }, [{ service: 'api', eventId: 'e-1', route: 'ssm' }], 2, 2000, (route) => metrics[route as 'ssm']);
    reportNotStarted(
      { log, notifier },
      [
        { service: 'worker', eventId: 'e-2', route: 'ssm' },
        { service: 'backend', eventId: 'e-3', route: 's3' },
        { service: 'cron', eventId: 'e-2', route: 'ssm' },
      ],
      5,
      2000,
      (route) => metrics[route as 'ssm' | 's3'],
    );
    const lines = output.logs().filter((l) => l.message === 'deployments not started: out of time');
    expect(lines.map((l) => l.fields)).toEqual([
      { event_id: 'e-1', services: ['api'], planned: 2, invocation_margin_ms: 2000 },
      { event_ids: ['e-2', 'e-3'], services: ['worker', 'backend', 'cron'], planned: 5, invocation_margin_ms: 2000 },
    ]);
    expect(metrics.ssm.counts).toEqual({ DeploymentsNotStarted: 3 });
    expect(metrics.s3.counts).toEqual({ DeploymentsNotStarted: 1 });
    expect(notifier.sent.map((n) => `${n.severity}: ${n.title}`)).toEqual([
      'error: Deployments not started: 1 of 2',
      'error: Deployments not started: 3 of 5',
    ]);
  });
});
