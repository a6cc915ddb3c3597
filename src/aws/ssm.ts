/**
 * The only door to the SSM SDK's own commands (the function reads its webhook through Powertools
 * Parameters, src/aws/ssmParameter.ts). Parameters are described by name, never read.
 */
export { paginateDescribeParameters, SSMClient } from '@aws-sdk/client-ssm';
export type { ParameterMetadata } from '@aws-sdk/client-ssm';
