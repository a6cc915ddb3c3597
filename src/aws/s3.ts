/**
 * The only door to the S3 SDK: the client and the commands deploybridge uses.
 */
export { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
