/**
 * S3 env-file change → redeploy every service whose SERVICE_CONFIG lists that object; a change to
 * a Lambda artifact zip (LAMBDA_CONFIG `artifact`) updates that function's code from it. Accepts
 * S3's native EventBridge events and CloudTrail "AWS API Call" events. A deleted env file or
 * artifact deploys nothing (new tasks could not start; functions keep their code) and is reported.
 */
import type { Config } from '../config.js';
import { RejectedEventError } from '../errors.js';
import { excerpt, parseDetail, s3CloudTrailSchema, s3NativeObjectSchema, type EventEnvelope } from '../events.js';
import { emptyPlan, ignoredPlan, type Plan } from '../plan.js';
import type { PlanBuilder } from './context.js';
import { configurationRedeploy, resourceOf, revisionOf, servicesWithArtifact } from './deployments.js';

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
    const kind = detail.errorCode !== undefined ? 'other' : CLOUDTRAIL_WRITES.has(detail.eventName) ? 'write' : detail.eventName === 'DeleteObject' ? 'delete' : 'other';
    return {
      bucket: detail.requestParameters.bucketName,
      key: detail.requestParameters.key,
      versionId: detail.responseElements?.['x-amz-version-id'],
      operation: detail.errorCode === undefined ? detail.eventName : `${detail.eventName} failed with ${detail.errorCode}`,
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
  const names = { config, naming };
  const artifactOf = servicesWithArtifact(names, change.bucket, change.key);
  // A function whose code is this object gets a code update, which starts fresh environments anyway.
  const services = servicesUsingEnvFile(config, change.bucket, change.key)
    .map((name) => naming.canonical(name) ?? name)
    .filter((service) => !artifactOf.some((a) => a.service === service));
  if (services.length === 0 && artifactOf.length === 0) {
    const lambdaArtifacts = Object.values(config.lambdaConfig).some((entry) => entry.artifact !== undefined);
    return ignoredPlan('s3', event.id, `${excerpt(location)} is not an env file of any service in SERVICE_CONFIG${lambdaArtifacts ? ' nor a Lambda artifact in LAMBDA_CONFIG' : ''}`);
  }

  const trigger = { kind: 's3', bucket: change.bucket, key: change.key, versionId: change.versionId, operation: change.operation } as const;
  const result = emptyPlan('s3', event.id);
  if (change.kind === 'delete') {
    if (artifactOf.length > 0) reportDeletedArtifact(result, location, artifactOf);
    if (services.length === 0) return result;
    for (const service of services) {
      result.skipped.push({ service, reason: `env file ${location} was deleted; not redeploying (new tasks could not start without it)`, fields: { bucket: change.bucket, key: change.key } });
    }
    result.notifications.push({
      severity: 'warning',
      title: `Env file deleted: ${location}`,
      facts: [
        ['Used by', services.map((s) => resourceOf(names, s)).join(', ')],
        ['Action', 'not redeployed: new tasks of these services would fail to start until the file is restored'],
      ],
    });
    return result;
  }
  for (const service of services) result.deployments.push(configurationRedeploy(names, service, trigger, revisionOf(event)));
  for (const { service, lambda } of artifactOf) {
    result.deployments.push({ target: 'lambda', service, lambda, change: { kind: 'zip', bucket: change.bucket, key: change.key, versionId: change.versionId }, trigger });
  }
  return result;
};

/** A deleted Lambda artifact deploys nothing (the functions keep their code) and is reported once. */
function reportDeletedArtifact(result: Plan, location: string, artifactOf: ReturnType<typeof servicesWithArtifact>): void {
  for (const { service, lambda } of artifactOf) {
    result.skipped.push({ service, reason: `Lambda artifact ${location} was deleted; not deploying (${lambda.functionName} keeps its current code)`, fields: { function_name: lambda.functionName } });
  }
  result.notifications.push({
    severity: 'warning',
    title: `Lambda artifact deleted: ${location}`,
    facts: [
      ['Used by', artifactOf.map((a) => a.lambda.functionName).join(', ')],
      ['Action', 'nothing deployed: the functions keep running their current code; restore the object before their next deploy'],
    ],
  });
}
