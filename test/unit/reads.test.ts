/**
 * The planning reads on their SDK clients (answered by aws-sdk-client-mock): how the version before
 * an object version is found across pages, and what is kept of an image and its findings.
 */
import { DescribeImagesCommand, DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createEcrReads } from '../../src/triggers/reads/ecr.js';
import { createS3Reads } from '../../src/triggers/reads/s3.js';
import { sentCommands } from '../helpers/app.js';

const KEY = 'api/.env';
const versions = (...ids: string[]) => ids.map((id) => ({ Key: KEY, VersionId: id }));

function s3() {
  const client = new S3Client({ region: 'us-east-1', maxAttempts: 1 });
  return { reads: createS3Reads(client), mock: mockClient(client) };
}

describe('S3 reads: the version before an object version', () => {
  it("follows the pages (KeyMarker, VersionIdMarker) until the version after the event's", async () => {
    const { reads, mock } = s3();
    mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({ IsTruncated: true, Versions: versions('v9', 'v8'), NextKeyMarker: KEY, NextVersionIdMarker: 'v8' })
      .resolvesOnce({ IsTruncated: true, Versions: versions('v7', 'v6'), NextKeyMarker: KEY, NextVersionIdMarker: 'v6' });
    expect(await reads.previousVersion('b', KEY, 'v7')).toEqual({ kind: 'found', versionId: 'v6' });
    expect(sentCommands(mock)).toEqual([
      { command: 'ListObjectVersionsCommand', input: { Bucket: 'b', Prefix: KEY } },
      { command: 'ListObjectVersionsCommand', input: { Bucket: 'b', Prefix: KEY, KeyMarker: KEY, VersionIdMarker: 'v8' } },
    ]);
  });

  it('the previous version may start the next page', async () => {
    const { reads, mock } = s3();
    mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({ IsTruncated: true, Versions: versions('v9', 'v8'), NextKeyMarker: KEY, NextVersionIdMarker: 'v8' })
      .resolvesOnce({ IsTruncated: false, Versions: versions('v7') });
    expect(await reads.previousVersion('b', KEY, 'v8')).toEqual({ kind: 'found', versionId: 'v7' });
  });

  it('the oldest version has none before it; a version not listed is said to be so', async () => {
    const { reads, mock } = s3();
    mock
      .on(ListObjectVersionsCommand)
      .resolves({ IsTruncated: false, Versions: [...versions('v2', 'v1'), { Key: `${KEY}.bak`, VersionId: 'b1' }] });
    expect(await reads.previousVersion('b', KEY, 'v1')).toEqual({ kind: 'none' });
    expect(await reads.previousVersion('b', KEY, 'v0')).toEqual({ kind: 'not_listed' });
  });

  it('stops once the listing has moved on to longer keys, and after 5 pages', async () => {
    const { reads, mock } = s3();
    mock
      .on(ListObjectVersionsCommand)
      .resolves({ IsTruncated: true, Versions: [...versions('v2'), { Key: `${KEY}.bak`, VersionId: 'b1' }], NextKeyMarker: `${KEY}.bak` });
    expect(await reads.previousVersion('b', KEY, 'v2')).toEqual({ kind: 'none' });
    expect(mock.calls()).toHaveLength(1);
    mock.reset();
    mock
      .on(ListObjectVersionsCommand)
      .resolves({ IsTruncated: true, Versions: versions('vx'), NextKeyMarker: KEY, NextVersionIdMarker: 'vx' });
    expect(await reads.previousVersion('b', KEY, 'v1')).toEqual({ kind: 'not_listed' });
    expect(mock.calls()).toHaveLength(5);
  });
});

describe('ECR reads', () => {
  function ecr() {
    const client = new ECRClient({ region: 'us-east-1', maxAttempts: 1 });
    return { reads: createEcrReads(client), mock: mockClient(client) };
  }

  it('describes an image by tag when the digest is not known, without scan when nothing scans it', async () => {
    const { reads, mock } = ecr();
    mock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: 'sha256:1', imageTags: ['v1'], imageSizeInBytes: 10 }] });
    expect(await reads.describeImage('repo', { tag: 'v1' })).toEqual({
      repository: 'repo',
      digest: 'sha256:1',
      tags: ['v1'],
      sizeBytes: 10,
      pushedAt: undefined,
      scan: undefined,
    });
    expect(mock).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'repo', imageIds: [{ imageTag: 'v1' }] });
  });

  it('reads up to 3 pages of findings and keeps the most severe first', async () => {
    const { reads, mock } = ecr();
    mock
      .on(DescribeImageScanFindingsCommand)
      .resolvesOnce({ imageScanFindings: { findings: [{ name: 'a', severity: 'LOW' }] }, nextToken: 't1' })
      .resolvesOnce({ imageScanFindings: { findings: [{ name: 'b', severity: 'INFORMATIONAL' }] }, nextToken: 't2' })
      .resolvesOnce({ imageScanFindings: { findings: [{ name: 'c', severity: 'CRITICAL' }] }, nextToken: 't3' })
      .resolves({ imageScanFindings: { findings: [{ name: 'never read', severity: 'CRITICAL' }] } });
    expect(await reads.topFindings('repo', 'sha256:1', 2)).toEqual([
      { severity: 'CRITICAL', name: 'c', package: undefined },
      { severity: 'LOW', name: 'a', package: undefined },
    ]);
    expect(mock.calls().map((c) => (c.args[0].input as { nextToken?: string }).nextToken)).toEqual([undefined, 't1', 't2']);
  });
});
