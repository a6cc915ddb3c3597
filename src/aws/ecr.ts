/**
 * The only door to the ECR SDK: the client and the commands deploybridge uses.
 */
export { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
