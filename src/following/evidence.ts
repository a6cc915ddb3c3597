/**
 * Why a service's tasks fail, as ECS can tell: its recently stopped tasks (`ListTasks` by service
 * name with desired status STOPPED, then `DescribeTasks`; `startedBy` cannot be combined with
 * another filter) and its latest events (`DescribeServices`). Read when a followed deployment fails
 * or its tasks fail to start. Loaded on first use: only those steps load the ECS SDK for it.
 */
import type { ECSClient } from '../aws/ecs.js';
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import type { EvidenceQuery, FailureEvidence, StoppedTask } from './steps.js';

/** How a read failed, in a word: the error's name, or that time ran out. */
function failureName(error: unknown, signal: AbortSignal): string {
  return signal.aborted ? 'timed out' : ((error as { name?: string }).name ?? 'Error');
}

const iso = (date: Date | undefined) => date?.toISOString();
const after = (time: string | undefined, since: string | undefined) => since === undefined || time === undefined || time >= since;

/**
 * Reads why a service's tasks fail. Best effort: a read that fails or outlives `signal` is named
 * in `unavailable`, never thrown.
 *
 * @example
 * const evidence = await readFailureEvidence(client, { cluster, service, deploymentId: 'ecs-svc/1', since }, AbortSignal.timeout(3000));
 * evidence.stoppedTasks[0]?.stoppedReason; // 'Essential container in task exited'
 */
export async function readFailureEvidence(
  client: ECSClient,
  { cluster, service, deploymentId, since }: EvidenceQuery,
  signal: AbortSignal,
): Promise<FailureEvidence> {
  const { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } = await import('../aws/ecs.js');
  const unavailable: string[] = [];
  const tasks = (async (): Promise<StoppedTask[]> => {
    const { taskArns = [] } = await client.send(
      new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED', maxResults: FOLLOW_DEFAULTS.stoppedTasksRead }),
      { abortSignal: signal },
    );
    if (taskArns.length === 0) return [];
    const described = await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns }), { abortSignal: signal });
    return (described.tasks ?? []).map((task) => ({
      taskArn: task.taskArn ?? '',
      startedBy: task.startedBy,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      stoppedAt: iso(task.stoppedAt),
      containers: (task.containers ?? []).map((c) => ({ name: c.name ?? '', reason: c.reason, exitCode: c.exitCode })),
    }));
  })().catch((error: unknown) => {
    unavailable.push(`stopped tasks: ${failureName(error, signal)}`);
    return [];
  });
  const events = client
    .send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: signal })
    .then(({ services }) => (services?.[0]?.events ?? []).map((e) => ({ createdAt: iso(e.createdAt), message: e.message ?? '' })))
    .catch((error: unknown) => {
      unavailable.push(`service events: ${failureName(error, signal)}`);
      return [];
    });
  const [stopped, serviceEvents] = await Promise.all([tasks, events]);
  // The deployment's own tasks first, then the most recently stopped.
  const rank = (t: StoppedTask) => (deploymentId !== undefined && t.startedBy === deploymentId ? 0 : 1);
  return {
    stoppedTasks: stopped
      .filter((t) => after(t.stoppedAt, since))
      .sort((a, b) => rank(a) - rank(b) || (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? '')),
    serviceEvents: serviceEvents
      .filter((e) => after(e.createdAt, since))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')),
    unavailable,
  };
}
