/**
 * The SDK clients of a live preflight, on the SDK's default credential chain and region handling
 * (`AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are honoured by the SDK itself), and how
 * their failures are told apart: an AWS answer about one resource is that check's problem; no
 * credentials, rejected credentials, no network or an answer that is not AWS's mean the preflight
 * cannot run at all.
 */
import { CloudWatchClient } from '../aws/cloudwatch.js';
import { ECRClient } from '../aws/ecr.js';
import { ECSClient } from '../aws/ecs.js';
import { LambdaClient } from '../aws/lambda.js';
import { S3Client } from '../aws/s3.js';
import { SSMClient } from '../aws/ssmMetadata.js';
import { errorName } from '../shared/errors.js';

export interface VerifyClients {
  ecs: ECSClient;
  ecr: ECRClient;
  lambda: LambdaClient;
  s3: S3Client;
  ssm: SSMClient;
  /** The alarms `ROLLOUT_CONFIG` names. */
  cloudwatch: CloudWatchClient;
}

/**
 * Clients for one region.
 *
 * @example
 * const clients = createVerifyClients('eu-west-1', process.env);
 */
export function createVerifyClients(region: string, env: Record<string, string | undefined>): VerifyClients {
  // An endpoint override is an S3-compatible server (LocalStack, MinIO): those address buckets by path.
  const forcePathStyle = env.AWS_ENDPOINT_URL !== undefined || env.AWS_ENDPOINT_URL_S3 !== undefined;
  return {
    ecs: new ECSClient({ region }),
    ecr: new ECRClient({ region }),
    lambda: new LambdaClient({ region }),
    s3: new S3Client({ region, forcePathStyle }),
    ssm: new SSMClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
  };
}

/** The preflight cannot run: no credentials, credentials AWS refuses, no network. Exit code 2. */
export class CannotRunError extends Error {
  override readonly name = 'CannotRunError';
}

/** Errors that say the caller's credentials are wrong, not that a resource is. */
const CREDENTIAL_ERROR_NAMES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
]);

/** An AWS answer to one request. */
export interface AwsFailure {
  name: string;
  message: string;
  status: number | undefined;
}

/**
 * The AWS error a check reports as its result. Anything else (no credentials, credentials AWS
 * refuses, a network error, an answer that is not from AWS, a bug) is thrown as
 * {@link CannotRunError}: every other check would fail the same way.
 *
 * @example
 * try { … } catch (error) { const failure = awsFailure(error); if (failure.name === 'NotFound') … }
 */
export function awsFailure(error: unknown): AwsFailure {
  const name = errorName(error);
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } } | null)?.$metadata;
  const status = metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (CREDENTIAL_ERROR_NAMES.has(name)) throw new CannotRunError(`AWS refused the credentials (${name}: ${message})`, { cause: error });
  if (status === undefined) throw new CannotRunError(`AWS could not be reached (${name || 'Error'}: ${message})`, { cause: error });
  // AWS puts a request id on every answer, errors included; an answer without one came from
  // something else (an HTTP proxy, a wrong AWS_ENDPOINT_URL), and says nothing about the account.
  if (metadata?.requestId === undefined) {
    throw new CannotRunError(
      `what answered is not AWS (HTTP ${status} without an AWS request id); check AWS_ENDPOINT_URL and any proxy between here and AWS`,
      { cause: error },
    );
  }
  return { name, message, status };
}

/** True for AWS's "you may not do this" answers. */
export function isAccessDenied(failure: AwsFailure): boolean {
  return /AccessDenied|Forbidden|UnauthorizedOperation/.test(failure.name) || failure.status === 403;
}

/**
 * Resolves the credentials of the default chain once, up front, so "no credentials" is one clear
 * message instead of every check failing.
 */
export async function resolveCredentials(clients: VerifyClients): Promise<void> {
  try {
    await clients.ecs.config.credentials();
  } catch (error) {
    throw new CannotRunError(
      `no AWS credentials (${errorName(error) || 'Error'}: ${error instanceof Error ? error.message : String(error)}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is available`,
      { cause: error },
    );
  }
}
