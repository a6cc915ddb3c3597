/**
 * ECR reads the ECR and manual routes make while planning: what an image is (its tags, size, push
 * time, scan status and severity counts) and, when the scan gate refuses it, its worst findings.
 */
import type { ECRClient, EnhancedImageScanFinding, ImageScanFinding } from '../../aws/ecr.js';
import { ECR_SCAN_LIMITS, FINDING_SEVERITIES } from '../../config/constants.js';
import type { ImageSummary, ScanFinding } from '../trigger.js';

export interface EcrReads {
  /** `DescribeImages` of one image, by digest (or by tag when the digest is not known). */
  describeImage(repository: string, image: { digest: string } | { tag: string }): Promise<ImageSummary>;
  /** `DescribeImageScanFindings`: the `limit` most severe findings of an image's scan. */
  topFindings(repository: string, digest: string, limit: number): Promise<ScanFinding[]>;
}

const severityRank = (severity: string) => {
  const rank = (FINDING_SEVERITIES as readonly string[]).indexOf(severity);
  return rank < 0 ? FINDING_SEVERITIES.length : rank;
};

function basicFinding(finding: ImageScanFinding): ScanFinding {
  const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value;
  const name = attribute('package_name');
  const version = attribute('package_version');
  return {
    severity: finding.severity ?? 'UNDEFINED',
    name: finding.name ?? 'unnamed finding',
    package: name === undefined ? undefined : `${name}${version ? ` ${version}` : ''}`,
  };
}

function enhancedFinding(finding: EnhancedImageScanFinding): ScanFinding {
  const details = finding.packageVulnerabilityDetails;
  const affected = details?.vulnerablePackages?.[0];
  return {
    severity: finding.severity ?? 'UNDEFINED',
    name: details?.vulnerabilityId ?? finding.title ?? 'unnamed finding',
    package: affected?.name === undefined ? undefined : `${affected.name}${affected.version ? ` ${affected.version}` : ''}`,
  };
}

/**
 * ECR reads on an ECR client (which honours `AWS_ENDPOINT_URL` and the SDK's retries).
 *
 * @example
 * const reads = createEcrReads(new ECRClient({ region: 'eu-west-1' }));
 * (await reads.describeImage('myproject_service_api', { digest: 'sha256:…' })).tags; // ['v1.4.2', 'latest']
 */
export function createEcrReads(client: ECRClient): EcrReads {
  return {
    async describeImage(repository, image) {
      const { DescribeImagesCommand } = await import('../../aws/ecr.js');
      const imageId = 'digest' in image ? { imageDigest: image.digest } : { imageTag: image.tag };
      const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [imageId] }));
      const detail = imageDetails?.[0];
      const scanStatus = detail?.imageScanStatus?.status;
      return {
        repository,
        digest: detail?.imageDigest ?? ('digest' in image ? image.digest : 'unknown'),
        tags: detail?.imageTags ?? [],
        sizeBytes: detail?.imageSizeInBytes,
        pushedAt: detail?.imagePushedAt?.toISOString(),
        // No status at all: nothing scans this image (no scan on push, no enhanced scanning).
        scan:
          scanStatus === undefined
            ? undefined
            : {
                status: scanStatus,
                description: detail?.imageScanStatus?.description,
                counts: { ...detail?.imageScanFindingsSummary?.findingSeverityCounts },
              },
      };
    },

    async topFindings(repository, digest, limit) {
      const { DescribeImageScanFindingsCommand } = await import('../../aws/ecr.js');
      const findings: ScanFinding[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < ECR_SCAN_LIMITS.findingPages; page++) {
        const answer = await client.send(
          new DescribeImageScanFindingsCommand({
            repositoryName: repository,
            imageId: { imageDigest: digest },
            maxResults: 1000,
            nextToken,
          }),
        );
        findings.push(
          ...(answer.imageScanFindings?.findings ?? []).map(basicFinding),
          ...(answer.imageScanFindings?.enhancedFindings ?? []).map(enhancedFinding),
        );
        nextToken = answer.nextToken;
        if (nextToken === undefined) break;
      }
      return findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity)).slice(0, limit);
    },
  };
}
