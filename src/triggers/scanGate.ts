/**
 * The ECR scan gate (`ECR_SCAN_GATE`): an image deploys only when its scan shows no finding at or
 * above the gate's severity. Event-driven: a scan still running is waited for by doing nothing
 * until ECR's "ECR Image Scan" event for that digest arrives, and an image nothing scans is refused
 * rather than waited for forever.
 */
import { FINDING_SEVERITIES, type ScanGateLevel } from '../config/constants.js';
import type { ImageScan, ScanFinding } from './trigger.js';

/** Why the scan gate refuses an image. */
export type ScanRefusal =
  /** Nothing scans the image, so nothing would ever vouch for it. */
  | { kind: 'not_configured' }
  /** The scan ended without findings to judge (`FAILED`, `UNSUPPORTED_IMAGE`, …) or cannot complete in an ECR event. */
  | { kind: 'unusable'; status: string; description: string | undefined }
  /** Findings at or above the gate: their counts, by severity. */
  | { kind: 'findings'; blocking: Partial<Record<string, number>>; findings: ScanFinding[] };

/** What the gate says about an image. */
export type GateVerdict =
  | { kind: 'pass' }
  | { kind: 'wait' }
  | { kind: 'refuse'; refusal: Exclude<ScanRefusal, { kind: 'findings' }> }
  | { kind: 'blocked'; blocking: Partial<Record<string, number>> };

/** Basic scanning's "running": its completion arrives as an "ECR Image Scan" event. */
const RUNNING = 'IN_PROGRESS';
/** A scan with findings to judge: basic scanning's COMPLETE, enhanced scanning's ACTIVE. */
const JUDGEABLE = new Set(['COMPLETE', 'ACTIVE']);

/**
 * The counts of the severities at or above `gate` that have findings.
 *
 * @example
 * blockingCounts({ CRITICAL: 0, HIGH: 2, MEDIUM: 9 }, 'HIGH'); // { HIGH: 2 }
 */
function blockingCounts(counts: Partial<Record<string, number>>, gate: ScanGateLevel): Partial<Record<string, number>> {
  const severities = FINDING_SEVERITIES.slice(0, FINDING_SEVERITIES.indexOf(gate) + 1);
  return Object.fromEntries(severities.flatMap((severity) => ((counts[severity] ?? 0) > 0 ? [[severity, counts[severity]]] : [])));
}

/**
 * Judges an image's scan against the gate.
 *
 * @example
 * gateVerdict({ status: 'COMPLETE', description: undefined, counts: { MEDIUM: 3 } }, 'HIGH'); // { kind: 'pass' }
 * gateVerdict({ status: 'IN_PROGRESS', description: undefined, counts: {} }, 'HIGH');         // { kind: 'wait' }
 * gateVerdict(undefined, 'HIGH');                                                               // refuse: not configured
 */
export function gateVerdict(scan: ImageScan | undefined, gate: ScanGateLevel): GateVerdict {
  if (scan === undefined) return { kind: 'refuse', refusal: { kind: 'not_configured' } };
  if (scan.status === RUNNING) return { kind: 'wait' };
  // PENDING (enhanced scanning) completes through Amazon Inspector's events, not ECR's: waiting would never end.
  if (!JUDGEABLE.has(scan.status))
    return { kind: 'refuse', refusal: { kind: 'unusable', status: scan.status, description: scan.description } };
  const blocking = blockingCounts(scan.counts, gate);
  return Object.keys(blocking).length === 0 ? { kind: 'pass' } : { kind: 'blocked', blocking };
}
