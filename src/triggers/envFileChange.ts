/**
 * What an env-file change is, before any service restarts for it: the new version is read (at most
 * `ENV_FILE_LIMITS.maxBytes`), validated the way ECS reads env files (src/triggers/envFile.ts), and compared
 * with the version before it, by variable name. Values stay inside src/triggers/envFile.ts.
 */
import { isEmptyDiff, readEnvFile, type EnvFile, type EnvFileChange, type EnvFileProblem } from './envFile.js';
import { DeploymentError, describeError, errorFields, isRetryableAwsError } from '../shared/errors.js';
import type { Log } from '../shared/observability.js';
import type { Reads } from './reads/registry.js';
import type { ObjectVersionRef } from './reads/s3.js';

/** What the change means for the services that read the file. */
export type EnvFileVerdict =
  /** ECS would reject or mangle the file: nothing restarts for it. */
  | { kind: 'invalid'; problems: readonly EnvFileProblem[] }
  /** Same variables, same values as the version before (a re-upload): nothing restarts. */
  | { kind: 'unchanged'; previousVersionId: string }
  | { kind: 'changed'; change: EnvFileChange };

/**
 * Reads, validates and compares the version of an env file an event is about.
 *
 * The new version must be read: a failure is a {@link DeploymentError} (retryable when AWS's error
 * is), so nothing restarts on a file nobody checked. The comparison is information: when the
 * previous version cannot be found or read, the change is reported as not compared, with a warn log.
 *
 * @example
 * await checkEnvFile({ bucket: 'myproject-config-dev', key: 'api/.env', versionId: 'v3' }, { reads, log });
 * // { kind: 'changed', change: { kind: 'diff', previousVersionId: 'v2', added: ['FEATURE_X'], removed: [], changed: ['DB_HOST'] } }
 */
export async function checkEnvFile(object: ObjectVersionRef, { reads, log }: { reads: Reads; log: Log }): Promise<EnvFileVerdict> {
  const location = `s3://${object.bucket}/${object.key}`;
  const s3 = await reads.s3();
  let file: EnvFile;
  try {
    file = await readEnvFile(s3, object);
  } catch (error) {
    throw new DeploymentError(
      `env file ${location}${object.versionId ? ` (version ${object.versionId})` : ''} could not be read, so it was not checked: ${describeError(error)}`,
      {
        retryable: isRetryableAwsError(error),
        cause: error,
      },
    );
  }
  if (!file.valid) return { kind: 'invalid', problems: file.problems };
  // S3 puts a version id in its events only for versioned buckets.
  if (object.versionId === undefined) return { kind: 'changed', change: { kind: 'not_compared', reason: 'unversioned' } };

  const notCompared = (reason: 'previous_not_listed' | 'read_failed', error?: unknown): EnvFileVerdict => {
    log.warn('env file not compared with its previous version', {
      bucket: object.bucket,
      key: object.key,
      version_id: object.versionId,
      reason,
      ...(error === undefined ? {} : errorFields(error)),
    });
    return { kind: 'changed', change: { kind: 'not_compared', reason } };
  };
  try {
    const previous = await s3.previousVersion(object.bucket, object.key, object.versionId);
    if (previous.kind === 'none') return { kind: 'changed', change: { kind: 'new_file', added: file.names } };
    if (previous.kind === 'not_listed') return notCompared('previous_not_listed');
    const before = await readEnvFile(s3, { bucket: object.bucket, key: object.key, versionId: previous.versionId });
    if (before.problems.some((p) => p.kind === 'too_large')) return notCompared('read_failed');
    const diff = file.diff(before);
    if (isEmptyDiff(diff)) return { kind: 'unchanged', previousVersionId: previous.versionId };
    return { kind: 'changed', change: { kind: 'diff', previousVersionId: previous.versionId, ...diff } };
  } catch (error) {
    return notCompared('read_failed', error);
  }
}
