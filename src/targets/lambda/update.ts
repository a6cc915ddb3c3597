/**
 * The changes a release makes before it publishes: new code (an image, an S3 zip) or a new
 * `DEPLOYBRIDGE_CONFIG_REVISION`, which starts fresh execution environments.
 *
 * Environment values are read (`UpdateFunctionConfiguration` replaces the whole environment, so
 * every other variable is sent back as read) but never logged or described: a dry run shows how
 * many variables are kept, not their values.
 */
import type { FunctionConfiguration } from '../../aws/lambda.js';
import { CONFIG_REVISION_VARIABLE } from '../../config/constants.js';
import { DeploymentError } from '../../shared/errors.js';
import { parseImage } from '../../config/images.js';
import type { LambdaChange } from '../../triggers/requests.js';
import type { LambdaRelease } from '../outcomes.js';
import { describeCall, isConflictOrStale, type Session } from './session.js';

/** The changes that update the function before it is published. */
export type FunctionUpdate = Extract<LambdaChange, { kind: 'image' | 'zip' | 'config_revision' }>;

/** An image cannot update a zip function, nor a zip an image function. */
export function checkPackageType(session: Session, change: LambdaChange, current: FunctionConfiguration): void {
  const packageType = current.PackageType ?? 'Zip';
  if (change.kind === 'zip' && packageType !== 'Zip') {
    throw new DeploymentError(`${session.fn} is an image function; an S3 zip cannot update its code`, { retryable: false });
  }
  if (change.kind === 'image' && packageType !== 'Image') {
    throw new DeploymentError(`${session.fn} is a zip function; an image cannot update its code`, { retryable: false });
  }
}

function codeInput(session: Session, change: Extract<FunctionUpdate, { kind: 'image' | 'zip' }>) {
  return change.kind === 'image'
    ? { FunctionName: session.fn, ImageUri: change.imageUri }
    : {
        FunctionName: session.fn,
        S3Bucket: change.bucket,
        S3Key: change.key,
        ...(change.versionId ? { S3ObjectVersion: change.versionId } : {}),
      };
}

/** Every variable as read, with the new revision; refuses when Lambda could not return the variables. */
function variablesWithRevision(session: Session, configuration: FunctionConfiguration, revision: string): Record<string, string> {
  if (configuration.Environment?.Error !== undefined) {
    throw new DeploymentError(
      `cannot read the environment variables of ${session.fn} (${configuration.Environment.Error.ErrorCode ?? 'error'}); refusing to overwrite them`,
      {
        retryable: false,
      },
    );
  }
  return { ...configuration.Environment?.Variables, [CONFIG_REVISION_VARIABLE]: revision };
}

/** The update as a dry run describes it: variable names counted, never their values. */
export function describeUpdate(session: Session, change: FunctionUpdate, current: FunctionConfiguration): string {
  if (change.kind !== 'config_revision') return describeCall('UpdateFunctionCode', codeInput(session, change));
  const kept = Object.keys(variablesWithRevision(session, current, change.revision)).filter(
    (name) => name !== CONFIG_REVISION_VARIABLE,
  ).length;
  return describeCall('UpdateFunctionConfiguration', {
    FunctionName: session.fn,
    Environment: {
      Variables: {
        [`(${kept} other variable${kept === 1 ? '' : 's'} kept, values not shown)`]: '…',
        [CONFIG_REVISION_VARIABLE]: change.revision,
      },
    },
    RevisionId: current.RevisionId,
  });
}

/**
 * Sends the update. A configuration update is guarded by the revision the variables were read at:
 * someone else's change in between makes Lambda refuse, and the variables are read again.
 */
export async function applyUpdate(session: Session, change: FunctionUpdate, current: FunctionConfiguration): Promise<void> {
  const signal = session.context.signal;
  if (change.kind === 'config_revision') {
    let configuration = current;
    let reads = 0;
    await session.change(
      'UpdateFunctionConfiguration',
      async () => {
        if (reads++ > 0) configuration = await session.readConfiguration();
        const input = {
          FunctionName: session.fn,
          Environment: { Variables: variablesWithRevision(session, configuration, change.revision) },
          RevisionId: configuration.RevisionId,
        };
        return session.client.send(new session.sdk.UpdateFunctionConfigurationCommand(input), { abortSignal: signal });
      },
      isConflictOrStale,
    );
  } else {
    const input = codeInput(session, change);
    await session.change('UpdateFunctionCode', () =>
      session.client.send(new session.sdk.UpdateFunctionCodeCommand(input), { abortSignal: signal }),
    );
  }
  session.context.log.info(`lambda ${change.kind === 'config_revision' ? 'configuration' : 'code'} update sent`, { change: change.kind });
}

/** After an image update: the image the tag resolved to, and whether the tag moved on since the push. */
export function resolvedImage(
  session: Session,
  change: Extract<FunctionUpdate, { kind: 'image' }>,
  resolvedImageUri: string | undefined,
): NonNullable<LambdaRelease['image']> {
  const resolvedDigest = resolvedImageUri === undefined ? undefined : parseImage(resolvedImageUri).digest;
  const image = { configured: change.imageUri, resolved: resolvedImageUri ?? change.imageUri };
  if (change.pushedDigest === undefined || resolvedDigest === undefined || resolvedDigest === change.pushedDigest) return image;
  const note = `the tag moved on since the push: ${change.imageUri} now resolves to ${resolvedDigest}, not the pushed ${change.pushedDigest}`;
  session.context.log.info(`lambda image: ${note}`, { pushed_digest: change.pushedDigest, resolved_digest: resolvedDigest });
  return { ...image, movedOn: { resolvedDigest, pushedDigest: change.pushedDigest } };
}
