/**
 * The offline local run's answers to the planning reads of env files (S3), images (ECR), parameter
 * metadata (SSM), the lifecycle hook's alarms (CloudWatch) and a paused service deployment (ECS):
 * described, not performed. The sample events in `events/` name the object versions, image digests
 * and hook stages below, so each tells its story offline: a changed env file, an invalid one, a
 * re-upload that changes nothing, a push whose scan is still running, a canary whose production
 * traffic sets off an alarm, a blue/green deployment paused after its test traffic shifted.
 */
import { eventTime } from '../triggers/events.js';
import type { RawEvent } from './input.js';

/** Records what a described answer assumes, in words ("its latest ACTIVE revision is 42 …"). */
export type Assume = (what: string) => void;

/** Object versions the samples use (`events/s3-env-file-*.json`). */
const LOCAL_VERSIONS = {
  /** The version before any described version. */
  previous: 'Zq9rWAT0HjcxRu2A.7ybI1fZJbV0Gx3L',
  invalid: 'p2nVHqLXR8bH0r8M3Y6Jc0oWnkhFz.2u',
  reupload: 'aM4Vv2U0pN7X1sQd6tRfYbLc9HjKe3Wz',
} as const;

/** The digest `events/ecr-push-scan-gated.json` pushes: its scan is described as still running. */
const LOCAL_SCANNING_DIGEST = 'sha256:3f9c1e2d4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';

/** The env files the described versions hold (sample data, not secrets). */
const CONTENTS = {
  current: {
    text: 'APP_ENV=dev\nLOG_LEVEL=info\nDB_HOST=db.internal\nFEATURE_SEARCH=on\n',
    what: 'a valid env file: APP_ENV, LOG_LEVEL, DB_HOST, FEATURE_SEARCH',
  },
  previous: {
    text: 'APP_ENV=dev\nLOG_LEVEL=debug\nDB_HOST=db.internal\nLEGACY_API=on\n',
    what: 'a valid env file: APP_ENV, LOG_LEVEL, DB_HOST, LEGACY_API',
  },
  invalid: {
    text: '# api settings\r\nAPP_ENV=dev\r\nDB HOST=db.internal\r\nexport LOG_LEVEL=info\r\nFEATURE_SEARCH\r\nAPP_ENV=prod\r\n',
    what: 'an invalid env file: Windows line endings, a name with a space, "export NAME=", a line without "=", APP_ENV twice',
  },
} as const;

function eventDetail(event: RawEvent): Record<string, unknown> {
  return (event.detail ?? {}) as Record<string, unknown>;
}

/** The object version an S3 event is about (native `version-id`, or CloudTrail's `x-amz-version-id`). */
function eventVersion(event: RawEvent): string | undefined {
  const detail = eventDetail(event) as { object?: { 'version-id'?: string }; responseElements?: { 'x-amz-version-id'?: string } | null };
  return detail.object?.['version-id'] ?? detail.responseElements?.['x-amz-version-id'] ?? undefined;
}

function contentOf(versionId: string | undefined): (typeof CONTENTS)[keyof typeof CONTENTS] {
  if (versionId === LOCAL_VERSIONS.invalid) return CONTENTS.invalid;
  if (versionId === LOCAL_VERSIONS.previous || versionId === LOCAL_VERSIONS.reupload) return CONTENTS.previous;
  return CONTENTS.current;
}

/** An S3 read, described: every object is a sample env file, and every version has the described previous one before it. */
export function describedS3Read(command: string, input: Record<string, unknown>, event: RawEvent, assume: Assume): Record<string, unknown> {
  switch (command) {
    case 'GetObject': {
      const versionId = input.VersionId as string | undefined;
      const content = contentOf(versionId);
      assume(`${versionId === undefined ? 'the current version' : `version ${versionId}`} is ${content.what}`);
      const bytes = new TextEncoder().encode(content.text);
      return { ContentLength: bytes.length, Body: { transformToByteArray: async () => bytes } };
    }
    case 'ListObjectVersions': {
      const current = eventVersion(event);
      assume(`the version before ${current ?? 'the current one'} is ${LOCAL_VERSIONS.previous}`);
      const key = input.Prefix as string;
      return {
        IsTruncated: false,
        Versions: [
          ...(current === undefined ? [] : [{ Key: key, VersionId: current, IsLatest: true }]),
          { Key: key, VersionId: LOCAL_VERSIONS.previous, IsLatest: false },
        ],
      };
    }
    default:
      return {};
  }
}

/** The tags of the event's image: a push's tag, a scan's tags, and `latest`. */
function eventTags(event: RawEvent): string[] {
  const detail = eventDetail(event) as { 'image-tag'?: string; 'image-tags'?: string[] };
  return [...new Set([...(detail['image-tag'] === undefined ? [] : [detail['image-tag']]), ...(detail['image-tags'] ?? []), 'latest'])];
}

/** An ECR read, described: the image has the event's tags and 182 MB; its scan is COMPLETE (still running for {@link LOCAL_SCANNING_DIGEST}). */
export function describedEcrRead(
  command: string,
  input: Record<string, unknown>,
  event: RawEvent,
  assume: Assume,
): Record<string, unknown> {
  const detail = eventDetail(event) as { 'image-digest'?: string; 'finding-severity-counts'?: Record<string, number> };
  switch (command) {
    case 'DescribeImages': {
      const id = ((input.imageIds as Array<{ imageDigest?: string }> | undefined) ?? [])[0] ?? {};
      const digest = id.imageDigest ?? detail['image-digest'] ?? LOCAL_SCANNING_DIGEST;
      const scanning = digest === LOCAL_SCANNING_DIGEST && event['detail-type'] === 'ECR Image Action';
      const counts = detail['finding-severity-counts'] ?? { MEDIUM: 2, LOW: 5 };
      const tags = eventTags(event);
      // The event's time as the function takes it: a time that is not one is now.
      const time = Date.parse(eventTime({ time: typeof event.time === 'string' ? event.time : undefined }));
      assume(
        `it is tagged ${tags.join(', ')}, 182 MB, pushed 2 minutes before the event, scan ${scanning ? 'IN_PROGRESS' : `COMPLETE (${JSON.stringify(counts)})`}`,
      );
      return {
        imageDetails: [
          {
            imageDigest: digest,
            imageTags: tags,
            imageSizeInBytes: 182_312_448,
            imagePushedAt: new Date(time - 120_000),
            imageScanStatus: { status: scanning ? 'IN_PROGRESS' : 'COMPLETE' },
            ...(scanning ? {} : { imageScanFindingsSummary: { findingSeverityCounts: counts } }),
          },
        ],
      };
    }
    case 'DescribeImageScanFindings':
      assume('two findings: CRITICAL CVE-2024-6387 (openssh 9.2p1), HIGH CVE-2023-44487 (nghttp2 1.51.0)');
      return {
        imageScanFindings: {
          findings: [
            {
              name: 'CVE-2023-44487',
              severity: 'HIGH',
              attributes: [
                { key: 'package_name', value: 'nghttp2' },
                { key: 'package_version', value: '1.51.0' },
              ],
            },
            {
              name: 'CVE-2024-6387',
              severity: 'CRITICAL',
              attributes: [
                { key: 'package_name', value: 'openssh' },
                { key: 'package_version', value: '9.2p1' },
              ],
            },
          ],
        },
      };
    default:
      return {};
  }
}

/** SSM reads, described: every parameter was last changed by alice of `account`, version 7 (metadata; no value is ever read). */
export function describedSsmReads(
  account: string,
): (command: string, input: Record<string, unknown>, event: RawEvent, assume: Assume) => Record<string, unknown> {
  const alice = `arn:aws:iam::${account}:user/alice`;
  return (command, input, _event, assume) => {
    if (command !== 'DescribeParameters') return {};
    const name = ((input.ParameterFilters as Array<{ Values?: string[] }> | undefined)?.[0]?.Values ?? [])[0];
    assume(`${alice} changed it last (version 7)`);
    return { Parameters: [{ Name: name, Type: 'String', Version: 7, LastModifiedUser: alice }] };
  };
}

/** The stage at which the first named alarm is described in `ALARM` (`events/ecs-hook-alarm-failed.json`): production traffic reached the new revision. */
const LOCAL_ALARMING_STAGE = 'POST_PRODUCTION_TRAFFIC_SHIFT';

/**
 * A CloudWatch read, described: each named alarm exists and is `OK`, except the first at
 * {@link LOCAL_ALARMING_STAGE}, in `ALARM` since two minutes before the run.
 *
 * @example
 * describedAlarmsRead('DescribeAlarms', { AlarmNames: ['myproject-api-5xx'] }, hookInvocation, assume);
 * // { MetricAlarms: [{ AlarmName: 'myproject-api-5xx', StateValue: 'OK', … }] }
 */
export function describedAlarmsRead(
  command: string,
  input: Record<string, unknown>,
  event: RawEvent,
  assume: Assume,
): Record<string, unknown> {
  if (command !== 'DescribeAlarms') return {};
  const names = Array.isArray(input.AlarmNames) ? input.AlarmNames.map(String) : [];
  const firing = event.lifecycleStage === LOCAL_ALARMING_STAGE ? names[0] : undefined;
  const reason = 'Threshold Crossed: 3 out of the last 3 datapoints [41.0, 37.0, 52.0] were greater than the threshold (5.0)';
  const since = new Date(Date.now() - 120_000);
  assume(
    firing === undefined
      ? `${names.length === 1 ? 'it exists and is' : 'each exists and is'} OK`
      : `production traffic on the new revision set off ${firing}: in ALARM for 2 minutes (${reason})${names.length > 1 ? '; the others are OK' : ''}`,
  );
  return {
    MetricAlarms: names.map((name) => ({
      AlarmName: name,
      StateValue: name === firing ? 'ALARM' : 'OK',
      StateReason: name === firing ? reason : 'Threshold Crossed: no datapoint was greater than the threshold (5.0)',
      StateTransitionedTimestamp: name === firing ? since : new Date(Date.now() - 86_400_000),
    })),
  };
}

/** The service revision the described service deployment tests (the lifecycle hook samples' `targetServiceRevisionArn`). */
const LOCAL_SERVICE_REVISION = '9313423515462893900';

/**
 * ECS's DescribeServiceDeployments, described for a pause (`events/ecs-pause-continue-sequence.json`):
 * the service deployment of the event, in progress, its new revision with all test traffic and no
 * production traffic (a blue/green deployment after its test traffic shifted), the event's hook
 * awaiting action until the event's `expiresAt`, then rolled back.
 *
 * @example
 * describedServiceDeploymentsRead({ serviceDeploymentArns: [arn] }, hookStateChange, assume);
 * // { serviceDeployments: [{ serviceDeploymentArn: arn, status: 'IN_PROGRESS', targetServiceRevision: { … }, lifecycleHookDetails: [ … ] }] }
 */
export function describedServiceDeploymentsRead(input: Record<string, unknown>, event: RawEvent, assume: Assume): Record<string, unknown> {
  const detail = eventDetail(event) as { hookId?: string; expiresAt?: string };
  const arns = Array.isArray(input.serviceDeploymentArns) ? input.serviceDeploymentArns.map(String) : [];
  assume(
    `it is IN_PROGRESS, revision ${LOCAL_SERVICE_REVISION} under test with test traffic 100% and production 0%, the hook awaiting action and rolled back at its timeout`,
  );
  return {
    serviceDeployments: arns.map((arn) => {
      // …:service-deployment/cluster/service/id → …:service-revision/cluster/service/revision
      const [, cluster, service] = arn.split('/');
      return {
        serviceDeploymentArn: arn,
        status: 'IN_PROGRESS',
        targetServiceRevision: {
          arn: `${arn.split(':service-deployment/')[0]}:service-revision/${cluster}/${service}/${LOCAL_SERVICE_REVISION}`,
          requestedTestTrafficWeight: 100,
          requestedProductionTrafficWeight: 0,
        },
        lifecycleHookDetails: [
          { hookId: detail.hookId, targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: detail.expiresAt, timeoutAction: 'ROLLBACK' },
        ],
      };
    }),
  };
}
