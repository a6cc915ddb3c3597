/**
 * S3 objects the configuration names (env files of `SERVICE_CONFIG`, artifacts of `LAMBDA_CONFIG`):
 * each exists (`HeadObject`; the content is not read).
 */
import type { S3ObjectRef } from '../config/catalog.js';
import { HeadObjectCommand } from '../aws/s3.js';
import { awsFailure, type AwsFailure } from './clients.js';
import type { VerifyContext } from './context.js';

type ObjectState =
  | { state: 'exists'; bytes: number | undefined }
  | { state: 'missing' }
  | { state: 'denied'; failure: AwsFailure }
  | { state: 'failed'; failure: AwsFailure };

export const s3Uri = (ref: S3ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

/**
 * Whether an object exists. Without `s3:ListBucket` on the bucket S3 answers 403, not 404, for a
 * missing key, so "denied" may also mean "missing".
 *
 * @example
 * const state = await headObject(ctx, { bucket: 'myproject-config-dev', key: 'api/.env' });
 */
export async function headObject(ctx: VerifyContext, ref: S3ObjectRef): Promise<ObjectState> {
  try {
    const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    return { state: 'exists', bytes: head.ContentLength };
  } catch (error) {
    const failure = awsFailure(error);
    if (failure.status === 404) return { state: 'missing' };
    if (failure.status === 403) return { state: 'denied', failure };
    return { state: 'failed', failure };
  }
}

/** What to say when S3 answered 403. */
export function deniedFix(ref: S3ObjectRef): string {
  return `allow s3:GetObject on arn:aws:s3:::${ref.bucket}/${ref.key} and s3:ListBucket on arn:aws:s3:::${ref.bucket} for the identity running the preflight (without ListBucket, S3 answers 403 for a missing key)`;
}
