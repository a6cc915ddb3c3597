import { DescribeImagesCommand, DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import type { AwsClients } from '../../src/aws/clients.js';

/** The env file every S3 test reads unless it sets a history: valid, one variable. */
export const DEFAULT_ENV_FILE = 'APP_ENV=dev\n';

/**
 * A `GetObject` answer with this content: a Node.js stream with the SDK's `transformToByteArray`,
 * as the S3 client returns it (a fresh one each time: a body is read once).
 */
export function objectBody(content: string | Uint8Array) {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const Body = Object.assign(Readable.from([bytes]), { transformToByteArray: async () => new Uint8Array(bytes) });
  return { Body: Body as unknown as GetObjectCommandOutput['Body'], ContentLength: bytes.length };
}

/**
 * The S3, ECR and SSM clients of an App (what its planning reads use): real SDK clients whose `send` is mocked per instance (so a test's own
 * class mock, e.g. of SSMClient for the webhook, is left alone). Defaults: every env file is
 * {@link DEFAULT_ENV_FILE} with no listed history, every image is described with its digest and
 * no scan, and Parameter Store knows nothing of who changed a parameter.
 */
export function mockReads() {
  const s3 = new S3Client({ region: 'us-east-1', maxAttempts: 1 });
  const ecr = new ECRClient({ region: 'us-east-1', maxAttempts: 1 });
  const ssm = new SSMClient({ region: 'us-east-1', maxAttempts: 1 });
  const s3Mock = mockClient(s3);
  const ecrMock = mockClient(ecr);
  const ssmMock = mockClient(ssm);
  s3Mock.on(GetObjectCommand).callsFake(() => objectBody(DEFAULT_ENV_FILE));
  s3Mock.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  ecrMock.on(DescribeImagesCommand).callsFake((input: { imageIds?: Array<{ imageDigest?: string; imageTag?: string }> }) => {
    const id = input.imageIds?.[0] ?? {};
    return {
      imageDetails: [
        {
          imageDigest: id.imageDigest ?? 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
          imageTags: id.imageTag === undefined ? [] : [id.imageTag],
        },
      ],
    };
  });
  ecrMock.on(DescribeImageScanFindingsCommand).resolves({ imageScanFindings: { findings: [] } });
  ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [] });
  const clients: Pick<AwsClients, 's3' | 'ecr' | 'ssm'> = { s3: async () => s3, ecr: async () => ecr, ssm: async () => ssm };
  return { clients, s3Mock, ecrMock, ssmMock };
}

/**
 * A versioned object's history, newest first: `ListObjectVersions` (prefix = the key) lists the
 * versions, and `GetObject` of each version id answers its content.
 */
export function objectHistory(
  s3Mock: ReturnType<typeof mockReads>['s3Mock'],
  key: string,
  versions: Array<{ versionId: string; content: string | Uint8Array }>,
) {
  s3Mock.on(ListObjectVersionsCommand, { Prefix: key }).resolves({
    IsTruncated: false,
    Versions: versions.map((v, i) => ({ Key: key, VersionId: v.versionId, IsLatest: i === 0 })),
  });
  for (const v of versions) s3Mock.on(GetObjectCommand, { Key: key, VersionId: v.versionId }).callsFake(() => objectBody(v.content));
}

export { DescribeImagesCommand, DescribeImageScanFindingsCommand, DescribeParametersCommand, GetObjectCommand, ListObjectVersionsCommand };
