/**
 * ECS as a deployment target: read a family's latest task definition and redeploy a service.
 */
import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '../aws/ecs.js';
import type { EcsNames } from '../naming.js';

/** A task definition as the ECR route needs it: its ARN and the images its containers run. */
export interface TaskDefinitionImages {
  arn: string;
  containers: Array<{ name: string; image: string }>;
}

/** What a redeploy returns: the resolved task definition and the new PRIMARY deployment. */
export interface EcsDeploymentStarted {
  taskDefinitionArn: string;
  deploymentId: string | undefined;
}

/** The ECS calls deploybridge makes. Implemented on the SDK, or described for the local run. */
export interface EcsApi {
  /** One `DescribeTaskDefinition` by family: its latest ACTIVE revision. */
  latestTaskDefinition(family: string): Promise<TaskDefinitionImages>;
  /** `UpdateService` with `forceNewDeployment`, so tasks restart even if the revision is unchanged. */
  redeployService(names: EcsNames, taskDefinition: string, signal: AbortSignal): Promise<EcsDeploymentStarted>;
}

/** {@link EcsApi} on the AWS SDK. The client honours `AWS_ENDPOINT_URL` and the SDK's own retries. */
export function createEcsApi(client: ECSClient): EcsApi {
  return {
    async latestTaskDefinition(family) {
      const { taskDefinition } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      return {
        arn: taskDefinition?.taskDefinitionArn ?? family,
        containers: (taskDefinition?.containerDefinitions ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '' })),
      };
    },
    async redeployService(names, taskDefinition, signal) {
      const { service } = await client.send(
        new UpdateServiceCommand({
          cluster: names.cluster,
          service: names.service,
          taskDefinition,
          forceNewDeployment: true,
        }),
        { abortSignal: signal },
      );
      return {
        taskDefinitionArn: service?.taskDefinition ?? taskDefinition,
        deploymentId: service?.deployments?.find((d) => d.status === 'PRIMARY')?.id,
      };
    },
  };
}

export function createEcsClient(region: string): ECSClient {
  return new ECSClient({ region });
}
