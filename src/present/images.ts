/**
 * The words for container images and their scans: an image as people recognise it (tag, digest,
 * size, push time), its scan status and finding counts, a finding, and why the scan gate
 * (`ECR_SCAN_GATE`) refuses an image.
 */
import { FINDING_SEVERITIES, type ScanGateLevel } from '../config/constants.js';
import type { ImageSummary, ScanFinding } from '../triggers/trigger.js';
import type { ScanRefusal } from '../triggers/scanGate.js';
import { formatSize, formatTime, shortDigest } from './format.js';

/** "CRITICAL 2, HIGH 1": finding counts, most severe first; "no findings" when there are none. */
export function formatFindingCounts(counts: Partial<Record<string, number>>): string {
  const known = FINDING_SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${s} ${counts[s]}`);
  const other = Object.keys(counts)
    .filter((s) => !(FINDING_SEVERITIES as readonly string[]).includes(s) && (counts[s] ?? 0) > 0)
    .map((s) => `${s} ${counts[s]}`);
  return [...known, ...other].join(', ') || 'no findings';
}

/** "`v1.4.2` (also `latest`), sha256:3f9c1e2…, 182 MB, pushed 2026-11-22 09:41 UTC". */
export function describeImage(image: ImageSummary, tag: string | undefined): string {
  const others = image.tags.filter((t) => t !== tag);
  const tags =
    tag === undefined
      ? others.map((t) => `\`${t}\``).join(', ') || 'untagged'
      : `\`${tag}\`${others.length > 0 ? ` (also ${others.map((t) => `\`${t}\``).join(', ')})` : ''}`;
  return [
    tags,
    shortDigest(image.digest),
    image.sizeBytes === undefined ? '' : formatSize(image.sizeBytes),
    image.pushedAt === undefined ? '' : `pushed ${formatTime(image.pushedAt)}`,
  ]
    .filter((p) => p !== '')
    .join(', ');
}

/** An image's scan status and counts. */
export function describeScan(image: ImageSummary): string {
  if (image.scan === undefined) return 'not scanned';
  return image.scan.status === 'COMPLETE' || image.scan.status === 'ACTIVE'
    ? formatFindingCounts(image.scan.counts)
    : `scan ${image.scan.status}`;
}

/**
 * Why the scan gate refuses an image, in one line.
 *
 * @example
 * describeScanRefusal({ kind: 'findings', blocking: { CRITICAL: 2 }, findings: [] }, 'HIGH'); // 'findings at or above HIGH: CRITICAL 2'
 */
export function describeScanRefusal(refusal: ScanRefusal, gate: ScanGateLevel): string {
  switch (refusal.kind) {
    case 'not_configured':
      return 'nothing scans this image (no scan on push or enhanced scanning for the repository), so no scan would ever clear it; configure scanning, or deploy manually';
    case 'unusable':
      return refusal.status === 'PENDING'
        ? 'the scan is PENDING (enhanced scanning reports completion through Amazon Inspector, not an "ECR Image Scan" event, so deploybridge cannot wait for it)'
        : `the scan ended ${refusal.status}${refusal.description ? ` (${refusal.description})` : ''}, so it cannot clear ECR_SCAN_GATE ${gate}`;
    case 'findings':
      return `findings at or above ${gate}: ${formatFindingCounts(refusal.blocking)}`;
  }
}

/** "HIGH CVE-2024-1234 (openssl)": a finding as the scan gate lists it. */
export function describeFinding(finding: ScanFinding): string {
  return `${finding.severity} ${finding.name}${finding.package === undefined ? '' : ` (${finding.package})`}`;
}
