/**
 * The ECS read the ECR and manual routes make while planning: the task definition a service would
 * deploy (its latest ACTIVE revision, or the revision asked for) and the images its containers run.
 */
import type { ECSClient } from '../../aws/ecs.js';

/** A task definition as the ECR route needs it: its ARN and the images its containers run. */
export interface TaskDefinitionImages {
  arn: string;
  containers: Array<{ name: string; image: string }>;
}

export interface EcsReads {
  /** One `DescribeTaskDefinition`: of a family, its latest ACTIVE revision; of family:revision or an ARN, that revision. */
  latestTaskDefinition(family: string): Promise<TaskDefinitionImages>;
}

/**
 * ECS reads on an ECS client (which honours `AWS_ENDPOINT_URL` and the SDK's retries).
 *
 * @example
 * const reads = createEcsReads(new ECSClient({ region: 'eu-west-1' }));
 * (await reads.latestTaskDefinition('myproject_service_api_dev')).arn; // 'arn:aws:ecs:…:task-definition/myproject_service_api_dev:42'
 */
export function createEcsReads(client: ECSClient): EcsReads {
  return {
    async latestTaskDefinition(family) {
      const { DescribeTaskDefinitionCommand } = await import('../../aws/ecs.js');
      const { taskDefinition } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      return {
        arn: taskDefinition?.taskDefinitionArn ?? family,
        containers: (taskDefinition?.containerDefinitions ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '' })),
      };
    },
  };
}
