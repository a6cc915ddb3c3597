/**
 * What caused a deployment, with the detail people need to recognise it and who did it when AWS
 * says: one event's trigger, or several of a batch merged into one deployment; and the ECR image
 * a push or a manual deploy carries.
 */
import type { ScanGateLevel } from '../config/constants.js';
import type { EnvFileChange } from './envFile.js';

/** An ECR image's scan: its status and the number of findings per severity. */
export interface ImageScan {
  /** ECR's scan status (`COMPLETE`, `IN_PROGRESS`, `ACTIVE`, `FAILED`, …). */
  status: string;
  description: string | undefined;
  counts: Partial<Record<string, number>>;
}

/** An ECR image as `DescribeImages` tells it. */
export interface ImageSummary {
  repository: string;
  digest: string;
  /** Every tag of the image (the digest), the pushed one included. */
  tags: string[];
  sizeBytes: number | undefined;
  /** ISO 8601. */
  pushedAt: string | undefined;
  /** `undefined` when nothing scans the image (no scan on push, no enhanced scanning). */
  scan: ImageScan | undefined;
}

/** One finding of an image scan, as people recognise it: "CVE-2024-1234 (openssl 3.0.1)". */
export interface ScanFinding {
  severity: string;
  name: string;
  package: string | undefined;
}

/** What one event asked for, with the detail people need to recognise it, and who did it when AWS says. */
export type EventTrigger =
  | {
      kind: 'ecr';
      repository: string;
      tag: string;
      digest: string | undefined;
      /** The push itself, or (with the scan gate) the completion of its scan. */
      via?: 'push' | 'scan';
      /** The image as ECR describes it, when it could be read. */
      image?: ImageSummary;
      /** The scan gate the image passed (`ECR_SCAN_GATE`). */
      gate?: ScanGateLevel;
    }
  | { kind: 'ssm'; parameter: string; operation: string; actor?: string; parameterVersion?: number }
  | { kind: 's3'; bucket: string; key: string; versionId: string | undefined; operation: string; actor?: string; envFile?: EnvFileChange }
  | {
      kind: 'manual';
      source: string;
      reason: string | undefined;
      account: string | undefined;
      requestedBy: string | undefined;
      images?: ImageSummary[];
    };

/**
 * Several events of one SQS batch that asked for a deployment of the same target, deployed once
 * (src/deploy/batch/merge.ts): a burst of changes makes one rollout, not one per change.
 */
export interface MergedTrigger {
  kind: 'merged';
  /** The trigger whose change is deployed: an image push when there is one, otherwise the latest change. */
  deployed: EventTrigger;
  /** Every trigger the deployment answers, `deployed` included, in event-time order. */
  triggers: EventTrigger[];
  /** Every event it answers, `deployed`'s included: the idempotency guard records each. */
  eventIds: string[];
}

/** What caused a deployment: one event, or several of a batch merged into one deployment. */
export type Trigger = EventTrigger | MergedTrigger;

/**
 * The trigger whose change a deployment deploys: the trigger itself, or a merged one's `deployed`
 * (what its metrics are dimensioned by).
 *
 * @example
 * deployedTrigger({ kind: 'merged', deployed: push, triggers: [parameterChange, push], eventIds: ['e1', 'e2'] }); // push
 */
export function deployedTrigger(trigger: Trigger): EventTrigger {
  return trigger.kind === 'merged' ? trigger.deployed : trigger;
}

/**
 * The events' triggers a deployment answers: a merged trigger's, or the trigger itself. Each is one
 * change.
 *
 * @example
 * eventTriggers({ kind: 'merged', deployed: push, triggers: [parameterChange, push], eventIds: ['e1', 'e2'] }); // [parameterChange, push]
 */
export function eventTriggers(trigger: Trigger): EventTrigger[] {
  return trigger.kind === 'merged' ? trigger.triggers : [trigger];
}

/**
 * The ids of the events a deployment answers: a merged trigger's, or the one event it was asked by.
 *
 * @example
 * answeredEventIds(mergedTrigger, 'e2'); // ['e1', 'e2']
 */
export function answeredEventIds(trigger: Trigger, eventId: string): string[] {
  return trigger.kind === 'merged' ? trigger.eventIds : [eventId];
}
