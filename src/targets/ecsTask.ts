/**
 * A one-off ECS task run before a service deploys (a database migration, RELEASE_CONFIG's
 * `run_before`): the family's latest ACTIVE revision, placed as the service places its own tasks
 * (launch type or capacity provider strategy, platform version, network configuration), with the
 * command override for the named container. Its end is reported later, by ECS's `ECS Task State
 * Change` event, which finds the release through `startedBy`.
 */
import type { ECSClient, TaskDefinition } from '../aws/ecs.js';
import { DeploymentError } from '../shared/errors.js';
import type { EcsNames } from '../config/naming.js';
import type { ContainerLogs } from '../following/journal.js';

/** The task to run: whose cluster and placement it borrows, which family, which container decides, and its `startedBy`. */
export interface TaskRun {
  ecs: EcsNames;
  family: string;
  container: string | undefined;
  command: string[] | undefined;
  /** At most 36 characters (ECS's limit); also the idempotency token of RunTask, so a retried start runs one task. */
  startedBy: string;
}

/** A task that ECS accepted. */
export interface RunningTask {
  taskArn: string;
  taskDefinition: string;
  /** The containers whose exit code decides: the named one, or every essential one. */
  decisive: string[];
  /** Where each decisive container logs (`awslogs` only). */
  logs: Record<string, ContainerLogs>;
}

/** The containers whose exit decides, and where they log, from the task definition. */
function containersOf(definition: TaskDefinition, container: string | undefined, region: string) {
  const containers = definition.containerDefinitions ?? [];
  const decisive =
    container === undefined ? containers.filter((c) => c.essential !== false) : containers.filter((c) => c.name === container);
  const logs: Record<string, ContainerLogs> = {};
  for (const c of decisive) {
    const options = c.logConfiguration?.logDriver === 'awslogs' ? c.logConfiguration.options : undefined;
    const group = options?.['awslogs-group'];
    if (c.name !== undefined && group !== undefined)
      logs[c.name] = { group, prefix: options?.['awslogs-stream-prefix'], region: options?.['awslogs-region'] ?? region };
  }
  return { decisive: decisive.flatMap((c) => (c.name === undefined ? [] : [c.name])), logs };
}

/**
 * Runs the task. Rejects with a {@link DeploymentError} when the service or the family cannot be
 * read, when the family has no container of that name, or when ECS places no task (its `failures`);
 * AWS's own errors keep their retryability.
 *
 * @example
 * const task = await runReleaseTask(ecs, { ecs: service.ecs, family: 'myproject_migrate_dev', container: 'migrate', command: ['./migrate', 'up'], startedBy: 'deploybridge/0123456789abcdef/0' }, 'eu-west-1');
 */
export async function runReleaseTask(client: ECSClient, run: TaskRun, region: string, signal?: AbortSignal): Promise<RunningTask> {
  const { DescribeServicesCommand, DescribeTaskDefinitionCommand, RunTaskCommand } = await import('../aws/ecs.js');
  const { cluster, service } = run.ecs;
  const described = await client.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: signal });
  const placement = described.services?.[0];
  if (placement === undefined)
    throw new DeploymentError(`ECS service ${service} not found in cluster ${cluster}: its placement is what the task runs with`, {
      retryable: false,
    });
  const { taskDefinition: definition } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: run.family }), {
    abortSignal: signal,
  });
  if (definition?.taskDefinitionArn === undefined)
    throw new DeploymentError(`task definition family ${run.family} has no ACTIVE revision`, { retryable: false });
  const { decisive, logs } = containersOf(definition, run.container, region);
  if (decisive.length === 0)
    throw new DeploymentError(
      run.container === undefined
        ? `${definition.taskDefinitionArn} has no essential container`
        : `${definition.taskDefinitionArn} has no container named ${run.container}`,
      { retryable: false },
    );
  const strategy = placement.capacityProviderStrategy ?? [];
  const { tasks, failures } = await client.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: definition.taskDefinitionArn,
      count: 1,
      startedBy: run.startedBy,
      clientToken: run.startedBy,
      ...(strategy.length > 0
        ? { capacityProviderStrategy: strategy }
        : placement.launchType === undefined
          ? {}
          : { launchType: placement.launchType }),
      ...(placement.platformVersion === undefined ? {} : { platformVersion: placement.platformVersion }),
      ...(placement.networkConfiguration === undefined ? {} : { networkConfiguration: placement.networkConfiguration }),
      ...(run.command === undefined || run.container === undefined
        ? {}
        : { overrides: { containerOverrides: [{ name: run.container, command: run.command }] } }),
    }),
    { abortSignal: signal },
  );
  const taskArn = tasks?.[0]?.taskArn;
  if (taskArn === undefined || (failures ?? []).length > 0) {
    const why = (failures ?? []).map((f) => [f.reason, f.detail].filter((x) => x !== undefined).join(': ')).join('; ');
    throw new DeploymentError(`ECS placed no task of ${definition.taskDefinitionArn}${why === '' ? '' : `: ${why}`}`, { retryable: false });
  }
  return { taskArn, taskDefinition: definition.taskDefinitionArn, decisive, logs };
}
