/**
 * The only door to the Lambda SDK: it re-exports just the client, the commands and the waiters
 * deploybridge uses, so a route that deploys a function loads this small module and nothing else
 * of the SDK.
 */
export {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
export type { FunctionConfiguration, GetAliasCommandOutput, GetFunctionCommandOutput } from '@aws-sdk/client-lambda';
