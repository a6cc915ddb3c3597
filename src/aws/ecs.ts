/**
 * The only door to the ECS SDK: it re-exports just the client and the commands deploybridge uses,
 * so a route that needs ECS loads this small module and nothing else of the SDK.
 */
export { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
