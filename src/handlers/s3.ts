/**
 * S3 env-file change → redeploy every service whose SERVICE_CONFIG lists that object. Accepts S3's
 * native EventBridge events and CloudTrail "AWS API Call" events. A deleted env file redeploys
 * nothing (new tasks could not start without it) and is reported.
 */
import type { Config } from '../config.js';
import { RejectedEventError } from '../errors.js';
import { excerpt, parseDetail, s3CloudTrailSchema, s3NativeObjectSchema, type EventEnvelope } from '../events.js';
import { emptyPlan, ignoredPlan } from '../plan.js';
import type { PlanBuilder } from './context.js';

type ObjectChange = { bucket: string; key: string; versionId: string | undefined; operation: string; kind: 'write' | 'delete' | 'other' };

const CLOUDTRAIL_WRITES = new Set(['PutObject', 'CopyObject', 'CompleteMultipartUpload']);

/** The object an S3 event is about, from either event family. */
export function objectChange(event: EventEnvelope): ObjectChange {
  const detailType = event['detail-type'];
  if (detailType === 'Object Created' || detailType === 'Object Deleted') {
    const detail = parseDetail(s3NativeObjectSchema, event, `S3 ${detailType}`);
    return {
      bucket: detail.bucket.name,
      key: detail.object.key,
      versionId: detail.object['version-id'],
      operation: detail.reason ?? detailType,
      kind: detailType === 'Object Created' ? 'write' : 'delete',
    };
  }
  if (detailType === 'AWS API Call via CloudTrail') {
    const detail = parseDetail(s3CloudTrailSchema, event, 'S3 CloudTrail');
    const kind = CLOUDTRAIL_WRITES.has(detail.eventName) ? 'write' : detail.eventName === 'DeleteObject' ? 'delete' : 'other';
    return {
      bucket: detail.requestParameters.bucketName,
      key: detail.requestParameters.key,
      versionId: detail.responseElements?.['x-amz-version-id'],
      operation: detail.eventName,
      kind,
    };
  }
  throw new RejectedEventError(`S3 event of detail-type ${excerpt(detailType)} is not an object change`);
}

/** The services whose SERVICE_CONFIG lists this object, in configuration order. */
export function servicesUsingEnvFile(config: Pick<Config, 'serviceConfig'>, bucket: string, key: string): string[] {
  return Object.entries(config.serviceConfig)
    .filter(([, files]) => files.some((file) => file.bucket === bucket && file.key === key))
    .map(([service]) => service);
}

export const plan: PlanBuilder = async (event, { config, naming }) => {
  const change = objectChange(event);
  const location = `s3://${change.bucket}/${change.key}`;
  if (change.kind === 'other') return ignoredPlan('s3', event.id, `S3 ${excerpt(change.operation)} does not change an object's content`);
  const services = servicesUsingEnvFile(config, change.bucket, change.key).map((name) => naming.canonical(name) ?? name);
  if (services.length === 0) return ignoredPlan('s3', event.id, `${excerpt(location)} is not an env file of any service in SERVICE_CONFIG`);

  const trigger = { kind: 's3', bucket: change.bucket, key: change.key, versionId: change.versionId, operation: change.operation } as const;
  const result = emptyPlan('s3', event.id);
  if (change.kind === 'delete') {
    for (const service of services) {
      result.skipped.push({ service, reason: `env file ${location} was deleted; not redeploying (new tasks could not start without it)`, fields: { bucket: change.bucket, key: change.key } });
    }
    result.notifications.push({
      severity: 'warning',
      title: `Env file deleted: ${location}`,
      facts: [
        ['Used by', services.map((s) => naming.ecsNames(s).service).join(', ')],
        ['Action', 'not redeployed: new tasks of these services would fail to start until the file is restored'],
      ],
    });
    return result;
  }
  for (const service of services) {
    const ecs = naming.ecsNames(service);
    result.deployments.push({ target: 'ecs', service, ecs, taskDefinition: ecs.family, trigger });
  }
  return result;
};
