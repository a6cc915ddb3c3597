/**
 * ECS as a deployment target: a redeploy is one `UpdateService` with `forceNewDeployment` (with a
 * task definition, or without one for a restart of what runs), which starts a rollout; its completion is reported later, from ECS's own events. Also the ECS read the
 * ECR route plans with.
 */
import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '../aws/ecs.js';
import { isRetryableAwsError } from '../errors.js';
import type { EcsDeployment } from '../plan.js';
import type { Target } from './contract.js';

/** A task definition as the ECR route needs it: its ARN and the images its containers run. */
export interface TaskDefinitionImages {
  arn: string;
  containers: Array<{ name: string; image: string }>;
}

/** The ECS reads handlers make while planning. */
export interface EcsReads {
  /** One `DescribeTaskDefinition` by family: its latest ACTIVE revision. */
  latestTaskDefinition(family: string): Promise<TaskDefinitionImages>;
}

export interface EcsTarget extends Target<EcsDeployment>, EcsReads {}

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
    // Nothing to read: UpdateService resolves a bare family to its latest ACTIVE revision itself,
    // and without a task definition it starts new tasks of the one the service runs.
    async prepare(request, context) {
      const { taskDefinition } = request;
      const input = { cluster: request.ecs.cluster, service: request.ecs.service, ...(taskDefinition === undefined ? {} : { taskDefinition }), forceNewDeployment: true };
      return {
        preview: { target: 'ecs', taskDefinition: request.taskDefinition },
        calls: [`ecs:UpdateService ${JSON.stringify(input)}`],
        async apply() {
          try {
            const { service } = await client.send(new UpdateServiceCommand(input), { abortSignal: context.signal });
            const deployments = service?.deployments ?? [];
            // What ran before: of the deployments the new one replaces, the one serving the most tasks.
            const previous = deployments.filter((d) => d.status === 'ACTIVE').sort((a, b) => (b.runningCount ?? 0) - (a.runningCount ?? 0))[0];
            return {
              status: 'started',
              result: {
                target: 'ecs',
                taskDefinition: service?.taskDefinition ?? request.taskDefinition ?? 'unknown',
                deploymentId: deployments.find((d) => d.status === 'PRIMARY')?.id,
                previousTaskDefinition: previous?.taskDefinition,
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
