/**
 * The door to the SSM SDK for parameter metadata: `DescribeParameters` tells who changed a
 * parameter last and its version, never its value (`npm run verify` pages through it to tell which
 * parameters exist). The Slack webhook is read apart, through Powertools Parameters in
 * ./ssmParameter.ts.
 */
export { DescribeParametersCommand, paginateDescribeParameters, SSMClient } from '@aws-sdk/client-ssm';
export type { ParameterMetadata } from '@aws-sdk/client-ssm';
