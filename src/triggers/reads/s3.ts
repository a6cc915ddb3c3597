/**
 * S3 reads the S3 route makes while planning: an object's content (one version, bounded in size)
 * and the version before it. Nothing here interprets the content.
 */
import type { S3Client } from '../../aws/s3.js';
import { ENV_FILE_LIMITS } from '../../config/constants.js';

/** An object version, as far as the bucket says. */
export interface ObjectVersionRef {
  bucket: string;
  key: string;
  /** `undefined` reads the current version. */
  versionId: string | undefined;
}

/** What reading an object gave: its bytes, or only its size when it is larger than the limit. */
export type ObjectContent = { kind: 'read'; bytes: Uint8Array } | { kind: 'too_large'; bytes: number };

/** Where the version before an object version is. */
export type PreviousVersion =
  /** The newest version older than the given one (delete markers in between are passed over). */
  | { kind: 'found'; versionId: string }
  /** The given version is the oldest: the object did not exist before it. */
  | { kind: 'none' }
  /** The given version is not among the versions listed (deleted since, or too far back). */
  | { kind: 'not_listed' };

export interface S3Reads {
  /** `GetObject` of one version; a body larger than `limit` bytes is not read. */
  readObject(ref: ObjectVersionRef, limit: number): Promise<ObjectContent>;
  /** `ListObjectVersions` (prefix = the key) until the version before `versionId` is found. */
  previousVersion(bucket: string, key: string, versionId: string): Promise<PreviousVersion>;
}

/** The body of a `GetObject` answer as the SDK gives it in Node.js. */
interface Body {
  transformToByteArray(): Promise<Uint8Array>;
  destroy?: () => void;
}

/**
 * S3 reads on an S3 client (which honours `AWS_ENDPOINT_URL` and the SDK's retries).
 *
 * @example
 * const reads = createS3Reads(new S3Client({ region: 'eu-west-1' }));
 * await reads.previousVersion('myproject-config-dev', 'api/.env', 'v3'); // { kind: 'found', versionId: 'v2' }
 */
export function createS3Reads(client: S3Client): S3Reads {
  return {
    async readObject({ bucket, key, versionId }, limit) {
      const { GetObjectCommand } = await import('../../aws/s3.js');
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      const body = answer.Body as Body | undefined;
      const announced = answer.ContentLength ?? 0;
      if (announced > limit) {
        // Not read: closing the body frees the connection.
        body?.destroy?.();
        return { kind: 'too_large', bytes: announced };
      }
      const bytes = body === undefined ? new Uint8Array() : await body.transformToByteArray();
      return bytes.length > limit ? { kind: 'too_large', bytes: bytes.length } : { kind: 'read', bytes };
    },

    async previousVersion(bucket, key, versionId) {
      const { ListObjectVersionsCommand } = await import('../../aws/s3.js');
      let seen = false;
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (let page = 0; page < ENV_FILE_LIMITS.versionPages; page++) {
        const answer = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...markers }));
        // Versions come newest first, key by key; the prefix also lists longer keys (`api/.env.bak`).
        for (const version of answer.Versions ?? []) {
          if (version.Key !== key || version.VersionId === undefined) continue;
          if (seen) return { kind: 'found', versionId: version.VersionId };
          seen = version.VersionId === versionId;
        }
        const lastKey = answer.Versions?.at(-1)?.Key;
        const listedAll = !answer.IsTruncated || (lastKey !== undefined && lastKey !== key);
        if (listedAll) return seen ? { kind: 'none' } : { kind: 'not_listed' };
        markers = { KeyMarker: answer.NextKeyMarker, VersionIdMarker: answer.NextVersionIdMarker };
      }
      return { kind: 'not_listed' };
    },
  };
}
