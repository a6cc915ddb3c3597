/**
 * The door to the SSM SDK for parameter metadata: `DescribeParameters` tells who changed a
 * parameter last and its version, never its value. (The Slack webhook is read apart, through
 * Powertools Parameters in ./ssmParameter.ts.)
 */
export { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
