import { partitionOf } from '../shared/partition.js';

/**
 * Container image references, as written in task definitions:
 * `[registry/]repository[:tag][@digest]`; no tag and no digest means `latest`.
 */
export interface ImageRef {
  registry: string | undefined;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const named = at === -1 ? image : image.slice(0, at);
  const slash = named.indexOf('/');
  const first = slash === -1 ? '' : named.slice(0, slash);
  // Docker's rule: the first segment is a registry when it looks like a host.
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const path = hasRegistry ? named.slice(slash + 1) : named;
  const colon = path.lastIndexOf(':');
  const tag = colon === -1 ? undefined : path.slice(colon + 1);
  return {
    registry: hasRegistry ? first : undefined,
    repository: colon === -1 ? path : path.slice(0, colon),
    tag: tag ?? (digest === undefined ? 'latest' : undefined),
    digest,
  };
}

/** The ECR registry host of an account and region (`….amazonaws.com.cn` in China). */
export function ecrRegistry(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.${partitionOf(region).dnsSuffix}`;
}
