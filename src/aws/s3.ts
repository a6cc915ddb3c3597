/**
 * The only door to the S3 SDK: it re-exports just the client and the commands deploybridge uses
 * (reading an env file and its version history; `npm run verify` heads objects), so only the S3
 * route loads it.
 */
export { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
