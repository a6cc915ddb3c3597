/**
 * The only door to the ECS SDK: it re-exports just the client and the commands deploybridge uses,
 * so a route that needs ECS loads this small module and nothing else of the SDK. The service
 * deployment commands serve the pause hooks and Roll back buttons (src/rollout/). DescribeClusters
 * and ListServices serve `npm run verify` (src/verify/), which is not part of the Lambda.
 */
export {
  ContinueServiceDeploymentCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  paginateListServices,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
export type { NetworkConfiguration, Service, ServiceDeployment, TaskDefinition } from '@aws-sdk/client-ecs';
