/**
 * The only door to the ECS SDK: it re-exports just the client and the commands deploybridge uses,
 * so a route that needs ECS loads this small module and nothing else of the SDK. DescribeClusters
 * and ListServices serve `npm run verify` (src/verify/), which is not part of the Lambda.
 */
export {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  paginateListServices,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
export type { NetworkConfiguration, Service, TaskDefinition } from '@aws-sdk/client-ecs';
