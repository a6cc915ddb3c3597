/**
 * The only door to the ECR SDK: it re-exports just the client and the commands deploybridge uses
 * (describing a pushed image and its scan findings), so only the routes that describe images load it.
 */
export { DescribeImagesCommand, DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
export type { ImageScanFinding, EnhancedImageScanFinding } from '@aws-sdk/client-ecr';
