/**
 * The lifecycle hook's calls in the thread of the deployment deploybridge follows on the service:
 * a line per stage, the bake's progress as one line updated at each call, and a failed check as a
 * reply (its message of its own stays for a deployment deploybridge did not start, or a webhook,
 * which cannot thread). A failed check is recorded on the followed deployment, so that its outcome,
 * once ECS rolled it back, names it. Best effort: the answer to ECS never waits on a failure here.
 */
import type { DeploymentJournal, FollowedEcsDeployment } from '../following/journal.js';
import { amendEcsDeployment, followedInProgress } from '../following/records.js';
import { hookLine } from '../present/hookLines.js';
import { errorFields } from '../shared/errors.js';
import type { Log } from '../shared/observability.js';
import { replyInThread, type Notifier } from '../slack/notifier.js';
import type { HookThread, HookVerdict } from './hook.js';

export interface HookThreadParts {
  journal: DeploymentJournal;
  notifier: Notifier;
  log: Log;
  /** The cluster of this project and env. */
  cluster: string;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Records the failed check on the followed deployment. */
async function recordFailure(parts: HookThreadParts, deployment: FollowedEcsDeployment, verdict: HookVerdict, problems: string[]) {
  const checkFailed = { stage: verdict.stage ?? 'unknown', problems, at: new Date(parts.now()).toISOString() };
  await amendEcsDeployment(parts.journal, deployment.id, (d) => ({ ...d, checkFailed }));
}

/**
 * The thread of the hook.
 *
 * @example
 * const thread = createHookThread({ journal, notifier, log, cluster, now });
 * await thread.report(verdict); // true: a failure went into the deployment's thread
 */
function createHookThread(parts: HookThreadParts): HookThread {
  const { journal, notifier, log } = parts;
  return {
    async report(verdict, failure) {
      if (verdict.service === undefined || verdict.ecsService === undefined) return false;
      try {
        const deployment = await followedInProgress(journal, parts.cluster, verdict.ecsService);
        if (deployment === undefined) return false;
        if (failure !== undefined) await recordFailure(parts, deployment, verdict, failure.problems);
        if (deployment.message === undefined || notifier.reply === undefined) return false;
        const call = {
          service: verdict.service,
          resource: verdict.ecsService,
          stage: verdict.stage ?? 'unknown',
          hookStatus: verdict.answer.hookStatus,
          checks: verdict.checks.map(({ kind, outcome, summary }) => ({ kind, outcome, summary })),
          at: new Date(parts.now()).toISOString(),
        };
        if (failure !== undefined) {
          await notifier.reply(deployment.message, failure.message);
          return true;
        }
        const bake = verdict.checks.some((check) => check.kind === 'bake');
        const line = hookLine(call, bake);
        if (bake && deployment.bakeLine !== undefined) {
          await notifier.follow(deployment.bakeLine, { state: line, standalone: line, routine: true });
          return false;
        }
        const posted = await replyInThread(notifier, deployment.message, line);
        if (bake && posted !== undefined) await amendEcsDeployment(journal, deployment.id, (d) => ({ ...d, bakeLine: posted }));
        return false;
      } catch (error) {
        log.warn('lifecycle hook not reported in the deployment’s thread', { service: verdict.service, ...errorFields(error) });
        return false;
      }
    },
  };
}

/**
 * The hook's thread part: none without the deployments table.
 *
 * @example
 * new LifecycleHook({ ...parts, ...threadOf(journal, { notifier, log, cluster, now }) });
 */
export function threadOf(journal: DeploymentJournal | undefined, parts: Omit<HookThreadParts, 'journal'>): { thread?: HookThread } {
  return journal === undefined ? {} : { thread: createHookThread({ ...parts, journal }) };
}
