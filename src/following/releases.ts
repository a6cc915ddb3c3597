/**
 * Releases (RELEASE_CONFIG): a change whose services deploy in order. A service's `run_before` task
 * (a migration) runs before it deploys; a service `after` others deploys once their deployments of
 * the same change complete. Nothing waits inside an invocation: the release is a record of the
 * deployments table, and each step starts in the invocation that handles the ECS event ending the
 * step before it (a task `STOPPED`, a deployment `COMPLETED`). A failed step stops the steps after
 * it; a step that hears nothing before its deadline is failed by the periodic check of timeouts.
 *
 * Every move is one conditional write of the release's record, so an event delivered twice moves it
 * once; a retry of the event that started a step finishes that start (RunTask's idempotency token
 * is the task's `startedBy`, a deployment has the idempotency guard).
 */
import type { ECSClient } from '../aws/ecs.js';
import type { ReleaseRule } from '../config/release.js';
import type { DeploymentJournal, ReleaseDeployStep, ReleaseRecord, ReleaseStep, ReleaseStepRef, ReleaseTaskStep } from './journal.js';
import { change, journalKeys } from './records.js';
import { planRelease } from './releasePlan.js';
import type { DeploymentStep } from './steps.js';
import { releaseUpdate, type ReleaseMove } from '../present/release.js';
import { describeError, errorFields, isRetryableAwsError } from '../shared/errors.js';
import { MetricName, type Log, type MetricSink } from '../shared/observability.js';
import type { Notifier } from '../slack/notifier.js';
import type { TaskStoppedFacts } from '../triggers/plan.js';
import type { DeploymentOrder, DeploymentResult } from '../deploy/deployer.js';
import { runReleaseTask } from '../targets/ecsTask.js';

export interface ReleaseParts {
  rules: Record<string, ReleaseRule>;
  region: string;
  deploymentTimeoutSeconds: number;
  journal: DeploymentJournal;
  notifier: Notifier;
  log: Log;
  /** Counts the releases that failed (`ReleasesFailed`, by the trigger that asked for them). */
  metrics: MetricSink;
  ecs: () => Promise<ECSClient>;
  /** Epoch milliseconds now (tests give a fixed clock). */
  now?: () => number;
}

const ENDED: ReadonlySet<ReleaseStep['state']> = new Set(['done', 'failed', 'not_started']);
const isOver = (release: ReleaseRecord) => release.steps.every((s) => ENDED.has(s.state));
const hasFailed = (release: ReleaseRecord) => release.steps.some((s) => s.state === 'failed');
/** The route that asked for the release's deployments: the `trigger` dimension of what it counts. */
const triggerOf = (release: ReleaseRecord): string =>
  release.steps.find((s): s is ReleaseDeployStep => s.kind === 'deploy')?.order.route ?? 'unknown';

/** A step's name in a reason: "the task before api", "api". */
function named(step: ReleaseStep): string {
  return step.kind === 'task' ? `the task before ${step.service}` : step.service;
}

/**
 * Starts what can start, and marks not started what cannot any more (a step before it failed or
 * was not started), until nothing changes. Returns the steps it started.
 */
function cascade(release: ReleaseRecord, eventId: string, now: number, deploymentTimeoutSeconds: number): number[] {
  const started: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    release.steps.forEach((step, i) => {
      if (step.state !== 'waiting') return;
      const before = step.after.map((j) => release.steps[j] as ReleaseStep);
      const blocker = before.find((b) => b.state === 'failed' || b.state === 'not_started');
      if (blocker !== undefined) {
        Object.assign(step, {
          state: 'not_started',
          reason: `${named(blocker)} ${blocker.state === 'failed' ? 'failed' : 'was not started'}`,
          finishedAt: new Date(now).toISOString(),
        });
        changed = true;
      } else if (before.every((b) => b.state === 'done')) {
        const timeoutMs = step.kind === 'task' ? step.timeoutMinutes * 60_000 : deploymentTimeoutSeconds * 1000;
        Object.assign(step, {
          state: 'running',
          startedFor: eventId,
          startedAt: new Date(now).toISOString(),
          deadline: new Date(now + timeoutMs).toISOString(),
        });
        started.push(i);
        changed = true;
      }
    });
  }
  return started;
}

/** The release and step a task's `startedBy` names, if deploybridge started it. */
export function releaseOfTask(startedBy: string): ReleaseStepRef | undefined {
  const match = /^deploybridge\/([0-9a-f]{16})\/(\d{1,3})$/.exec(startedBy);
  return match === null ? undefined : { id: match[1] as string, step: Number(match[2]) };
}

/** What a change to a release decided: the moves to tell (empty: changed, nothing to tell). */
type Apply = (release: ReleaseRecord) => ReleaseMove[] | undefined;

/**
 * The releases of one container.
 *
 * @example
 * const releases = new Releases({ rules, region, deploymentTimeoutSeconds: 600, journal, notifier, log, metrics, ecs: clients.ecs });
 * const now = await releases.begin(orders); // the deployments to start in this invocation
 */
export class Releases {
  private readonly now: () => number;

  constructor(private readonly parts: ReleaseParts) {
    this.now = parts.now ?? (() => Date.now());
  }

  /**
   * A change's deployments: those RELEASE_CONFIG orders become a release (recorded, announced, its
   * first steps started); resolves with the deployments to start now (the others, and the release's
   * first deployments).
   */
  async begin(orders: readonly DeploymentOrder[]): Promise<DeploymentOrder[]> {
    const { rules, journal } = this.parts;
    const planned = planRelease(orders, rules);
    if (planned === undefined) return [...orders];
    const { id, steps, ordered } = planned;
    const first = ordered[0] as DeploymentOrder;
    const eventId = first.eventId;
    const others = orders.filter((o) => !ordered.includes(o));
    const release: ReleaseRecord = {
      id,
      eventId,
      region: this.parts.region,
      cluster: first.request.target === 'ecs' ? first.request.ecs.cluster : '',
      triggeredAt: ordered.map((o) => o.triggeredAt).sort()[0] as string,
      startedAt: new Date(this.now()).toISOString(),
      steps,
    };
    const created = await change(journal, journalKeys.release(id), (current) =>
      current === undefined ? { entry: { type: 'release', release }, result: true } : undefined,
    );
    if (created) {
      await change(journal, journalKeys.openReleases, (current) => {
        const ids = current?.type === 'open_releases' ? current.ids : [];
        return ids.includes(id) ? undefined : { entry: { type: 'open_releases', ids: [...ids, id] }, result: true };
      });
      this.parts.log.info('release started', { release_id: id, event_id: eventId, steps: steps.length });
      const message = await this.parts.notifier.open(releaseUpdate(release, { kind: 'started' }).state);
      if (message !== undefined)
        await this.move(id, eventId, (r) => {
          r.message = message;
          return [];
        });
    }
    return [...others, ...(await this.move(id, eventId, () => []))];
  }

  /** ECS stopped a task: the release whose step it is moves on. Resolves with the deployments to start now. */
  async onTaskStopped(facts: TaskStoppedFacts): Promise<DeploymentOrder[]> {
    const ref = releaseOfTask(facts.startedBy);
    if (ref === undefined) {
      this.parts.log.debug('task event ignored: deploybridge did not start this task', {
        event_id: facts.eventId,
        task_arn: facts.taskArn,
      });
      return [];
    }
    return this.move(ref.id, facts.eventId, (release) => {
      const step = release.steps[ref.step];
      if (step?.kind !== 'task' || step.state !== 'running' || release.cluster !== facts.cluster) return undefined;
      if (step.taskArn !== undefined && step.taskArn !== facts.taskArn) return undefined;
      const decisive = step.decisive ?? facts.containers.map((c) => c.name);
      const ok = decisive.length > 0 && decisive.every((name) => facts.containers.find((c) => c.name === name)?.exitCode === 0);
      step.taskArn = facts.taskArn;
      step.stopped = { stopCode: facts.stopCode, stoppedReason: facts.stoppedReason, containers: facts.containers };
      step.finishedAt = facts.time;
      step.state = ok ? 'done' : 'failed';
      if (!ok) step.reason = 'the task did not exit 0';
      return [{ kind: ok ? 'task_succeeded' : 'task_failed', step: ref.step }];
    });
  }

  /** A deployment of a release moved on (ECS): completed, the next steps start; failed, they do not. */
  async onDeploymentStep(ref: ReleaseStepRef, step: DeploymentStep, eventId: string, time: string): Promise<DeploymentOrder[]> {
    const failure =
      step.kind === 'failed'
        ? `its deployment failed${step.reason === undefined ? '' : `: ${step.reason}`}`
        : step.kind === 'rolling_back' || step.kind === 'rolled_back'
          ? 'its deployment was rolled back'
          : step.kind === 'superseded'
            ? 'its deployment was superseded by another'
            : undefined;
    if (step.kind !== 'completed' && failure === undefined) return [];
    return this.move(ref.id, eventId, (release) => {
      const deploy = release.steps[ref.step];
      if (deploy?.kind !== 'deploy' || deploy.state !== 'running') return undefined;
      deploy.finishedAt = time;
      if (failure === undefined) {
        deploy.state = 'done';
        return [{ kind: 'deploy_completed', step: ref.step }];
      }
      deploy.state = 'failed';
      deploy.reason = failure;
      return [{ kind: 'deploy_failed', step: ref.step }];
    });
  }

  /** What the deployer made of a release's deployments: the deployment ECS started, or a failure that stops the steps after it. */
  async onDeployed(orders: readonly DeploymentOrder[], results: readonly DeploymentResult[]): Promise<void> {
    for (const [i, order] of orders.entries()) {
      const result = results[i];
      const ref = order.release;
      if (ref === undefined || result === undefined) continue;
      if (result.status !== 'started' && result.status !== 'failed') continue;
      await this.move(ref.id, order.eventId, (release) => {
        const step = release.steps[ref.step];
        if (step?.kind !== 'deploy' || step.state !== 'running') return undefined;
        if (result.status === 'started') {
          if (result.deploymentId === undefined || step.deploymentId === result.deploymentId) return undefined;
          step.deploymentId = result.deploymentId;
          return [];
        }
        if (result.retryable) return undefined;
        Object.assign(step, {
          state: 'failed',
          reason: `it did not start: ${result.error}`,
          finishedAt: new Date(this.now()).toISOString(),
        });
        return [{ kind: 'deploy_failed', step: ref.step }];
      });
    }
  }

  /** The periodic check: a running step past its deadline failed, and the steps after it do not start. */
  async checkTimeouts(eventId: string): Promise<void> {
    const open = await this.parts.journal.read(journalKeys.openReleases);
    const ids = open?.entry.type === 'open_releases' ? open.entry.ids : [];
    for (const id of ids) {
      const now = this.now();
      await this.move(id, eventId, (release) => {
        const late = release.steps.flatMap((s, i) =>
          s.state === 'running' && s.deadline !== undefined && Date.parse(s.deadline) <= now ? [i] : [],
        );
        if (late.length === 0) return undefined;
        for (const i of late) {
          const step = release.steps[i] as ReleaseStep;
          const minutes = Math.round((Date.parse(step.deadline as string) - Date.parse(step.startedAt as string)) / 60_000);
          Object.assign(step, {
            state: 'failed',
            reason: `no word from ECS within ${minutes} minutes`,
            finishedAt: new Date(now).toISOString(),
          });
        }
        return [{ kind: 'timed_out', steps: late }];
      });
    }
    // Releases that are over, or expired from the table, leave the list.
    const still: string[] = [];
    for (const id of ids) {
      const stored = await this.parts.journal.read(journalKeys.release(id));
      if (stored?.entry.type === 'release' && !isOver(stored.entry.release)) still.push(id);
    }
    if (still.length !== ids.length) await this.close(ids.filter((id) => !still.includes(id)));
  }

  /** Removes releases from the list of open ones. */
  private async close(ids: string[]): Promise<void> {
    await change(this.parts.journal, journalKeys.openReleases, (current) => {
      const open = current?.type === 'open_releases' ? current.ids : [];
      const left = open.filter((id) => !ids.includes(id));
      return left.length === open.length ? undefined : { entry: { type: 'open_releases', ids: left }, result: true };
    });
  }

  /**
   * Applies `apply` to the release, then starts what can start; tells what moved; runs the tasks it
   * started and resolves with the deployments it started. When nothing changed (a redelivery), a
   * start this event made and did not finish is finished.
   */
  private async move(id: string, eventId: string, apply: Apply): Promise<DeploymentOrder[]> {
    const { journal, deploymentTimeoutSeconds } = this.parts;
    const key = journalKeys.release(id);
    const moved = await change(journal, key, (current) => {
      if (current?.type !== 'release') return undefined;
      const release = structuredClone(current.release);
      const moves = apply(release);
      if (moves === undefined) return undefined;
      const started = cascade(release, eventId, this.now(), deploymentTimeoutSeconds);
      // Nothing moved (a redelivery): nothing is written, and a start this event left undone is finished below.
      if (moves.length === 0 && started.length === 0 && JSON.stringify(release) === JSON.stringify(current.release)) return undefined;
      const failedNow = hasFailed(release) && !hasFailed(current.release);
      return { entry: { type: 'release', release }, result: { release, moves, started, failedNow } };
    });
    if (moved === undefined) {
      const stored = await journal.read(key);
      if (stored?.entry.type !== 'release') {
        this.parts.log.info('release event changes nothing: no such release (finished and expired, or never started)', {
          release_id: id,
          event_id: eventId,
        });
        return [];
      }
      const release = stored.entry.release;
      const unfinished = release.steps.flatMap((s, i) =>
        s.state === 'running' && s.startedFor === eventId && (s.kind === 'task' ? s.taskArn === undefined : s.deploymentId === undefined)
          ? [i]
          : [],
      );
      return this.act(release, unfinished, eventId);
    }
    const { release, moves, started, failedNow } = moved;
    for (const move of moves) await this.tell(release, move);
    // Counted once, by the write that failed its first step: what follows it was not deployed.
    if (failedNow) this.parts.metrics.ofDeployment(MetricName.ReleasesFailed, triggerOf(release));
    if (isOver(release)) await this.close([id]);
    return this.act(release, started, eventId);
  }

  /** The release's message follows a move; its log line says what moved. */
  private async tell(release: ReleaseRecord, move: ReleaseMove): Promise<void> {
    const update = releaseUpdate(release, move);
    const level = update.reply?.severity === 'error' ? 'warn' : 'info';
    this.parts.log[level](`release: ${update.reply?.title ?? update.state.title}`, { release_id: release.id, move: move.kind });
    const message = await this.parts.notifier.follow(release.message, update);
    if (message !== undefined && release.message === undefined) {
      release.message = message;
      await change(this.parts.journal, journalKeys.release(release.id), (current) =>
        current?.type === 'release' && current.release.message === undefined
          ? { entry: { type: 'release', release: { ...current.release, message } }, result: true }
          : undefined,
      );
    }
  }

  /** Runs the started tasks; resolves with the started deployments, to run in this invocation. */
  private async act(release: ReleaseRecord, started: number[], eventId: string): Promise<DeploymentOrder[]> {
    const orders: DeploymentOrder[] = [];
    for (const i of started) {
      const step = release.steps[i] as ReleaseStep;
      if (step.kind === 'deploy') orders.push({ ...step.order, release: { id: release.id, step: i } });
      else orders.push(...(await this.runTask(release, i, step, eventId)));
    }
    return orders;
  }

  /** Runs a task step; a task ECS does not run fails the step at once. Throws what must be retried. */
  private async runTask(release: ReleaseRecord, i: number, step: ReleaseTaskStep, eventId: string): Promise<DeploymentOrder[]> {
    const deployStep = release.steps.find((s) => s.kind === 'deploy' && s.service === step.service) as ReleaseDeployStep | undefined;
    const request = deployStep?.order.request;
    if (request?.target !== 'ecs') return [];
    let task;
    try {
      task = await runReleaseTask(
        await this.parts.ecs(),
        { ecs: request.ecs, family: step.family, container: step.container, command: step.command, startedBy: step.startedBy },
        release.region,
      );
    } catch (error) {
      if (isRetryableAwsError(error)) throw error;
      this.parts.log.error('release task not started', { release_id: release.id, family: step.family, ...errorFields(error) });
      return this.move(release.id, eventId, (r) => {
        const s = r.steps[i];
        if (s?.kind !== 'task' || s.state !== 'running' || s.taskArn !== undefined) return undefined;
        Object.assign(s, { state: 'failed', reason: describeError(error), finishedAt: new Date(this.now()).toISOString() });
        return [{ kind: 'task_not_run', step: i }];
      });
    }
    return this.move(release.id, eventId, (r) => {
      const s = r.steps[i];
      if (s?.kind !== 'task' || s.taskArn !== undefined) return undefined;
      Object.assign(s, { taskArn: task.taskArn, taskDefinition: task.taskDefinition, decisive: task.decisive, logs: task.logs });
      return s.state === 'running' ? [{ kind: 'task_started', step: i }] : [];
    });
  }
}
