/**
 * Pause hooks and Roll back requests in the deployments table. Every change is a conditional write
 * of the version read (src/following/records.ts, `change`): of two clicks, or a click and a
 * redelivered one, one decides. A pause moves awaiting → deciding (a person's decision, not yet
 * taken by ECS) → continued, rolled back or failed; awaiting → timed out once its time is over; and
 * back from deciding to awaiting when ECS could not be reached (the hand-off is retried).
 */
import { createHash } from 'node:crypto';
import { change, type Decision } from '../following/records.js';
import type { DeploymentJournal, JournalEntry, MessageRef, PauseAction, PauseHook, StopRequest } from '../following/journal.js';
import type { Person } from '../triggers/requests.js';

export const pauseKeys = {
  pause: (id: string) => `pause#${id}`,
  stop: (deploymentId: string) => `stop#${deploymentId}`,
};

/**
 * The id of a pause: ECS reuses a hook's id across service deployments, so both name it.
 *
 * @example
 * pauseId('arn:aws:ecs:…:service-deployment/c/s/0EYS…', 'ecs-pause-e7tK…'); // 'a1b2c3d4e5f6a7b8c9d0e1f2'
 */
export function pauseId(serviceDeploymentArn: string, hookId: string): string {
  return createHash('sha256').update(`${serviceDeploymentArn}|${hookId}`).digest('hex').slice(0, 24);
}

const pauseOf = (entry: JournalEntry | undefined): PauseHook | undefined => (entry?.type === 'pause' ? entry.pause : undefined);
const stopOf = (entry: JournalEntry | undefined): StopRequest | undefined => (entry?.type === 'stop' ? entry.stop : undefined);

/** Changes a pause when `decide` says how; resolves with it after the change, or undefined. */
async function changePause(
  journal: DeploymentJournal,
  id: string,
  decide: (pause: PauseHook) => PauseHook | undefined,
): Promise<PauseHook | undefined> {
  return change(journal, pauseKeys.pause(id), (current): Decision<PauseHook> => {
    const before = pauseOf(current);
    const after = before === undefined ? undefined : decide(before);
    return after === undefined ? undefined : { entry: { type: 'pause', pause: after }, result: after };
  });
}

/**
 * Records a pause unless it is recorded (a redelivered event): resolves with it as stored and
 * whether this call created it.
 *
 * @example
 * const { pause, created } = await recordPause(journal, pause);
 */
export async function recordPause(journal: DeploymentJournal, pause: PauseHook): Promise<{ pause: PauseHook; created: boolean }> {
  let existing: PauseHook | undefined;
  const created = await change(journal, pauseKeys.pause(pause.id), (current) => {
    existing = pauseOf(current);
    return current === undefined ? { entry: { type: 'pause', pause }, result: true } : undefined;
  });
  return created === true ? { pause, created: true } : { pause: existing ?? pause, created: false };
}

/** Remembers where a pause's message is. */
export async function attachPauseMessage(journal: DeploymentJournal, id: string, message: MessageRef): Promise<void> {
  await changePause(journal, id, (pause) => ({ ...pause, message }));
}

/** What a click on a pause came to: `act` says whether this click (or its retry) is the one to take the decision to ECS. */
export interface PauseDecision {
  pause: PauseHook | undefined;
  act: boolean;
  /** The pause timed out with this click (its message is to say so). */
  timedOut: boolean;
}

/**
 * A person's decision on a pause: taken when it still awaits one and has not timed out; a retry of
 * the hand-off that took it (`requestId`) is told to act again, any other click is not.
 *
 * @example
 * await decidePause(journal, id, 'CONTINUE', { id: 'U0APPROVER', name: 'alice' }, new Date(), 'req-1'); // { pause, act: true, timedOut: false }
 */
export async function decidePause(
  journal: DeploymentJournal,
  id: string,
  action: PauseAction,
  by: Person,
  at: Date,
  requestId: string | undefined,
): Promise<PauseDecision> {
  let seen: PauseHook | undefined;
  let timedOut = false;
  const changed = await changePause(journal, id, (pause) => {
    seen = pause;
    if (pause.status !== 'awaiting') return undefined;
    if (pause.expiresAt !== undefined && at.getTime() >= Date.parse(pause.expiresAt)) {
      timedOut = true;
      return { ...pause, status: 'timed_out' };
    }
    return { ...pause, status: 'deciding', decision: { by, at: at.toISOString(), action, requestId } };
  });
  if (changed !== undefined) return { pause: changed, act: changed.status === 'deciding', timedOut };
  const retry = seen?.status === 'deciding' && requestId !== undefined && seen.decision?.requestId === requestId;
  return { pause: seen, act: retry, timedOut: false };
}

/**
 * What ECS made of the decision: taken (continued or rolled back), refused for good (`failure`),
 * or not reached (back to awaiting, for the retry or another click).
 */
export async function settlePause(
  journal: DeploymentJournal,
  id: string,
  outcome: { kind: 'taken' } | { kind: 'refused'; failure: string } | { kind: 'unreached' },
): Promise<PauseHook | undefined> {
  return changePause(journal, id, (pause) => {
    if (pause.status !== 'deciding' || pause.decision === undefined) return undefined;
    switch (outcome.kind) {
      case 'taken':
        return { ...pause, status: pause.decision.action === 'CONTINUE' ? 'continued' : 'rolled_back' };
      case 'refused':
        return { ...pause, status: 'failed', failure: outcome.failure };
      case 'unreached': {
        const { decision: _taken, ...rest } = pause;
        return { ...rest, status: 'awaiting' };
      }
    }
  });
}

/**
 * A Roll back of a followed deployment: resolves with the request as stored and whether this click
 * (or a retry of its hand-off) is the one to stop the deployment.
 *
 * @example
 * await requestStop(journal, 'ecs-svc/123', { id: 'U0APPROVER', name: 'alice' }, new Date(), 'req-1'); // { stop, act: true }
 */
export async function requestStop(
  journal: DeploymentJournal,
  deploymentId: string,
  by: Person,
  at: Date,
  requestId: string | undefined,
): Promise<{ stop: StopRequest; act: boolean }> {
  let seen: StopRequest | undefined;
  const fresh: StopRequest = { deploymentId, status: 'stopping', by, at: at.toISOString(), requestId };
  const created = await change(journal, pauseKeys.stop(deploymentId), (current) => {
    seen = stopOf(current);
    // A request ECS could not be reached for is anyone's to make again.
    return seen === undefined || seen.status === 'unreached' ? { entry: { type: 'stop', stop: fresh }, result: true } : undefined;
  });
  if (created === true) return { stop: fresh, act: true };
  const stored = seen ?? fresh;
  return { stop: stored, act: stored.status === 'stopping' && requestId !== undefined && stored.requestId === requestId };
}

/** What StopServiceDeployment came to: stopped (rolling back), refused for good, or not reached (the request is given back). */
export async function settleStop(
  journal: DeploymentJournal,
  deploymentId: string,
  outcome: { kind: 'stopped'; serviceDeploymentArn: string } | { kind: 'refused'; failure: string } | { kind: 'unreached' },
): Promise<void> {
  const key = pauseKeys.stop(deploymentId);
  await change(journal, key, (current) => {
    const stop = stopOf(current);
    if (stop?.status !== 'stopping') return undefined;
    const after: StopRequest =
      outcome.kind === 'stopped'
        ? { ...stop, status: 'stopped', serviceDeploymentArn: outcome.serviceDeploymentArn }
        : outcome.kind === 'refused'
          ? { ...stop, status: 'failed', failure: outcome.failure }
          : { ...stop, status: 'unreached' };
    return { entry: { type: 'stop', stop: after }, result: true };
  });
}
