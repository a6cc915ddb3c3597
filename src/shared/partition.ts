/**
 * AWS partitions, from a region: China (`cn-*`) and GovCloud (`us-gov-*`) have their own DNS suffix
 * or console, so registry hosts and console links must follow the region.
 */
export interface Partition {
  /** The partition in ARNs: `aws`, `aws-cn`, `aws-us-gov`, … */
  name: string;
  /** The DNS suffix of its service endpoints (ECR registries: `ACCOUNT.dkr.ecr.REGION.SUFFIX`). */
  dnsSuffix: string;
  /** The console's origin for a region, `undefined` where it is not on the public internet. */
  consoleOrigin(region: string): string | undefined;
}

const PARTITIONS: Array<{ prefix: string; partition: Partition }> = [
  { prefix: 'cn-', partition: { name: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', consoleOrigin: () => 'https://console.amazonaws.cn' } },
  {
    prefix: 'us-gov-',
    partition: { name: 'aws-us-gov', dnsSuffix: 'amazonaws.com', consoleOrigin: () => 'https://console.amazonaws-us-gov.com' },
  },
  { prefix: 'us-isob-', partition: { name: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov', consoleOrigin: () => undefined } },
  { prefix: 'us-iso-', partition: { name: 'aws-iso', dnsSuffix: 'c2s.ic.gov', consoleOrigin: () => undefined } },
];

const COMMERCIAL: Partition = {
  name: 'aws',
  dnsSuffix: 'amazonaws.com',
  consoleOrigin: (region) => `https://${encodeURIComponent(region)}.console.aws.amazon.com`,
};

/**
 * The partition a region belongs to.
 *
 * @example
 * partitionOf('cn-north-1').dnsSuffix; // 'amazonaws.com.cn'
 */
export function partitionOf(region: string): Partition {
  return PARTITIONS.find(({ prefix }) => region.startsWith(prefix))?.partition ?? COMMERCIAL;
}
