/**
 * ECS as a deployment target: a redeploy is one `UpdateService` with `forceNewDeployment` (with a
 * task definition, or without one for a restart of what runs), which starts a rollout; its
 * completion is reported later, from ECS's own events. Also the ECS reads handlers make: the task
 * definition the ECR route plans with, and why a deployment's tasks failed.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
} from '../aws/ecs.js';
import { FOLLOW_DEFAULTS } from '../config/constants.js';
import { isRetryableAwsError } from '../shared/errors.js';
import type { EcsDeployment, FailureEvidence, StoppedTask } from '../triggers/plan.js';
import type { Target } from './contract.js';

/** A task definition as the ECR route needs it: its ARN and the images its containers run. */
export interface TaskDefinitionImages {
  arn: string;
  containers: Array<{ name: string; image: string }>;
}

/** Which service's failure to explain, and from when. */
interface EvidenceQuery {
  cluster: string;
  service: string;
  /** Tasks this deployment started are shown first. */
  deploymentId: string | undefined;
  /** Tasks stopped and events logged before this time (ISO 8601) are older news. */
  since: string | undefined;
}

/** The ECS reads handlers make while planning. */
export interface EcsReads {
  /** One `DescribeTaskDefinition` by family: its latest ACTIVE revision. */
  latestTaskDefinition(family: string): Promise<TaskDefinitionImages>;
  /**
   * Why a service's tasks fail: its recently stopped tasks (`ListTasks` by service name with
   * desired status STOPPED, then `DescribeTasks`; `startedBy` cannot be combined with another
   * filter) and its latest events (`DescribeServices`). Best effort: a read that fails or outlives
   * `signal` is named in `unavailable`, never thrown.
   */
  failureEvidence(query: EvidenceQuery, signal: AbortSignal): Promise<FailureEvidence>;
}

export interface EcsTarget extends Target<EcsDeployment>, EcsReads {}

/** How a read failed, in a word: the error's name, or that time ran out. */
function failureName(error: unknown, signal: AbortSignal): string {
  return signal.aborted ? 'timed out' : ((error as { name?: string }).name ?? 'Error');
}

const iso = (date: Date | undefined) => date?.toISOString();
const after = (time: string | undefined, since: string | undefined) => since === undefined || time === undefined || time >= since;

/**
 * The ECS target on an ECS client. The client honours `AWS_ENDPOINT_URL` and the SDK's own retries.
 *
 * @example
 * const target = createEcsTarget(new ECSClient({ region: 'eu-west-1' }));
 * const prepared = await target.prepare(request, context); // no read: UpdateService resolves a bare family itself
 */
export function createEcsTarget(client: ECSClient): EcsTarget {
  return {
    reportsCompletion: false,
    async latestTaskDefinition(family) {
      const { taskDefinition } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      return {
        arn: taskDefinition?.taskDefinitionArn ?? family,
        containers: (taskDefinition?.containerDefinitions ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '' })),
      };
    },
    async failureEvidence({ cluster, service, deploymentId, since }, signal) {
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
    },
    // Nothing to read: UpdateService resolves a bare family to its latest ACTIVE revision itself,
    // and without a task definition it starts new tasks of the one the service runs.
    async prepare(request, context) {
      const { taskDefinition } = request;
      const input = {
        cluster: request.ecs.cluster,
        service: request.ecs.service,
        ...(taskDefinition === undefined ? {} : { taskDefinition }),
        forceNewDeployment: true,
      };
      return {
        preview: { target: 'ecs', taskDefinition: request.taskDefinition },
        calls: [`ecs:UpdateService ${JSON.stringify(input)}`],
        async apply() {
          try {
            const { service } = await client.send(new UpdateServiceCommand(input), { abortSignal: context.signal });
            const deployments = service?.deployments ?? [];
            const replaced = deployments.filter((d) => d.status === 'ACTIVE');
            // What ran before: of the deployments the new one replaces, the one serving the most tasks.
            const previous = [...replaced].sort((a, b) => (b.runningCount ?? 0) - (a.runningCount ?? 0))[0];
            return {
              status: 'started',
              result: {
                target: 'ecs',
                taskDefinition: service?.taskDefinition ?? request.taskDefinition ?? 'unknown',
                deploymentId: deployments.find((d) => d.status === 'PRIMARY')?.id,
                previousTaskDefinition: previous?.taskDefinition,
                // Rollouts still under way (neither completed nor failed) that this one replaces.
                supersedes: replaced
                  .filter((d) => d.rolloutState !== 'COMPLETED' && d.rolloutState !== 'FAILED' && d.id !== undefined)
                  .map((d) => d.id as string),
              },
            };
          } catch (error) {
            return { status: 'failed', cause: error, retryable: isRetryableAwsError(error) };
          }
        },
      };
    },
  };
}

export function createEcsClient(region: string): ECSClient {
  return new ECSClient({ region });
}
