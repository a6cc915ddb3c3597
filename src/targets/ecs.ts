/**
 * ECS as a deployment target: a redeploy is one `UpdateService` with `forceNewDeployment` (with a
 * task definition, or without one for a restart of what runs), which starts a rollout; its
 * completion is reported later, from ECS's own events (src/following/).
 */
import type { ECSClient } from '../aws/ecs.js';
import { isRetryableAwsError } from '../shared/errors.js';
import { carried, deploymentKey, type EcsDeployment } from '../triggers/requests.js';
import type { Target } from './contract.js';

/**
 * The ECS target on an ECS client. The client honours `AWS_ENDPOINT_URL` and the SDK's own retries.
 *
 * @example
 * const target = createEcsTarget(new ECSClient({ region: 'eu-west-1' }));
 * const prepared = await target.prepare(request, context); // no read: UpdateService resolves a bare family itself
 */
export function createEcsTarget(client: ECSClient): Target<EcsDeployment> {
  return {
    reportsCompletion: false,
    // A rollout runs on after UpdateService: the tasks it starts read every change made before it.
    claimOf: (request) => ({ target: deploymentKey(request), carried: carried(request) }),
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
          const { UpdateServiceCommand } = await import('../aws/ecs.js');
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
