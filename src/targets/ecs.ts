/**
 * ECS as a deployment target: read a family's latest task definition and redeploy a service.
 * A redeploy only starts the rollout; its completion is reported from ECS's own events.
 */
import { DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '../aws/ecs.js';
import type { DeploymentTarget } from '../deployer.js';
import { shortTaskDefinition, type EcsNames } from '../naming.js';
import type { EcsDeployment } from '../plan.js';
import { ecsConsoleUrl } from '../slack/messages.js';

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
export interface EcsCalls {
  /** One `DescribeTaskDefinition` by family: its latest ACTIVE revision. */
  latestTaskDefinition(family: string): Promise<TaskDefinitionImages>;
  /** `UpdateService` with `forceNewDeployment`, so tasks restart even if the revision is unchanged. */
  redeployService(names: EcsNames, taskDefinition: string, signal: AbortSignal): Promise<EcsDeploymentStarted>;
}

/** What an ECS deployment reports: the rollout started (it completes later, see handlers/ecs.ts). */
export interface EcsStarted {
  status: 'started';
  taskDefinition: string;
  deploymentId: string | undefined;
}

/** What an ECS dry run reports: the task definition it would deploy. */
export interface EcsDryRun {
  status: 'dry_run';
  taskDefinition: string;
}

/** The ECS calls, and ECS as a deployment target of the deployer. */
export interface EcsApi extends EcsCalls, DeploymentTarget<EcsDeployment> {}

/** Makes a deployment target of the ECS calls: one `UpdateService` per deployment, no waiting. */
export function ecsTarget(calls: EcsCalls): EcsApi {
  return {
    ...calls,
    reportsCompletion: false,
    describe(request, region) {
      return {
        fields: { cluster: request.ecs.cluster, ecs_service: request.ecs.service, task_definition: request.taskDefinition },
        resource: request.ecs.service,
        facts: [['Task definition', shortTaskDefinition(request.taskDefinition)]],
        consoleUrl: ecsConsoleUrl(region, request.ecs.cluster, request.ecs.service),
      };
    },
    // A dry run needs no read: UpdateService resolves a bare family itself.
    async preview(request) {
      return { fields: {}, facts: [], result: { status: 'dry_run', taskDefinition: request.taskDefinition } };
    },
    async deploy(request, run) {
      const started = await calls.redeployService(request.ecs, request.taskDefinition, run.signal);
      return {
        fields: { task_definition: started.taskDefinitionArn, deployment_id: started.deploymentId },
        facts: [
          ['Deployment ID', started.deploymentId ?? 'unknown'],
          ['Task definition', shortTaskDefinition(started.taskDefinitionArn)],
        ],
        result: { status: 'started', taskDefinition: started.taskDefinitionArn, deploymentId: started.deploymentId },
      };
    },
  };
}

/** {@link EcsApi} on the AWS SDK. The client honours `AWS_ENDPOINT_URL` and the SDK's own retries. */
export function createEcsApi(client: ECSClient): EcsApi {
  return ecsTarget({
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
  });
}

export function createEcsClient(region: string): ECSClient {
  return new ECSClient({ region });
}
