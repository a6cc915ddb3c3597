/**
 * S3 env-file change → redeploy every service whose SERVICE_CONFIG lists that object; a change to
 * a Lambda artifact zip (LAMBDA_CONFIG `artifact`) updates that function's code from it. Accepts
 * S3's native EventBridge events and CloudTrail "AWS API Call" events. A deleted env file or
 * artifact deploys nothing (new tasks could not start; functions keep their code) and is reported.
 *
 * An env file is checked first (./envFileChange.ts): an invalid file restarts nothing and is
 * reported with its problems; a re-upload that changes no variable restarts nothing either.
 */
import { RejectedEventError } from '../shared/errors.js';
import { excerpt, parseDetail, s3CloudTrailSchema, s3EventKeyForms, s3NativeObjectSchema, type EventEnvelope } from './events.js';
import { emptyPlan, ignoredPlan, type PlanBuilder } from './context.js';
import type { Trigger } from './trigger.js';
import { describeEnvFileProblems } from '../present/envFiles.js';
import { checkEnvFile } from './envFileChange.js';
import { restart, revisionOf } from './restart.js';

type ObjectChange = {
  bucket: string;
  /** The key as the event has it: URL-encoded in S3's own events, as sent in CloudTrail's. */
  key: string;
  source: 's3' | 'cloudtrail';
  versionId: string | undefined;
  operation: string;
  kind: 'write' | 'delete' | 'other';
  actor: string | undefined;
};

const CLOUDTRAIL_WRITES = new Set(['PutObject', 'CopyObject', 'CompleteMultipartUpload']);

/** The object an S3 event is about, from either event family. */
function objectChange(event: EventEnvelope): ObjectChange {
  const detailType = event['detail-type'];
  if (detailType === 'Object Created' || detailType === 'Object Deleted') {
    const detail = parseDetail(s3NativeObjectSchema(), event, `S3 ${detailType}`);
    return {
      bucket: detail.bucket.name,
      key: detail.object.key,
      source: 's3',
      versionId: detail.object['version-id'],
      operation: detail.reason ?? detailType,
      kind: detailType === 'Object Created' ? 'write' : 'delete',
      actor: detail.requester,
    };
  }
  if (detailType === 'AWS API Call via CloudTrail') {
    const detail = parseDetail(s3CloudTrailSchema(), event, 'S3 CloudTrail');
    const kind =
      detail.errorCode !== undefined
        ? 'other'
        : CLOUDTRAIL_WRITES.has(detail.eventName)
          ? 'write'
          : detail.eventName === 'DeleteObject'
            ? 'delete'
            : 'other';
    return {
      bucket: detail.requestParameters.bucketName,
      key: detail.requestParameters.key,
      source: 'cloudtrail',
      versionId: detail.responseElements?.['x-amz-version-id'],
      operation: detail.errorCode === undefined ? detail.eventName : `${detail.eventName} failed with ${detail.errorCode}`,
      kind,
      actor: detail.userIdentity?.arn,
    };
  }
  throw new RejectedEventError(`S3 event of detail-type ${excerpt(detailType)} is not an object change`);
}

export const plan: PlanBuilder = async (event, { catalog, reads, log }) => {
  const delivered = objectChange(event);
  if (delivered.kind === 'other')
    return ignoredPlan('s3', event.id, `S3 ${excerpt(delivered.operation)} does not change an object's content`);
  // The configured key the event names, in the form its source writes keys in; AWS calls use it as configured.
  const key = catalog
    .objectKeys(delivered.bucket)
    .find((configured) =>
      delivered.source === 'cloudtrail' ? configured === delivered.key : s3EventKeyForms(configured).includes(delivered.key),
    );
  const change = { ...delivered, key: key ?? delivered.key };
  const location = `s3://${change.bucket}/${change.key}`;
  if (key === undefined) {
    return ignoredPlan(
      's3',
      event.id,
      `${excerpt(location)} is not an env file of any service in SERVICE_CONFIG${catalog.hasArtifacts ? ' nor a Lambda artifact in LAMBDA_CONFIG' : ''}`,
    );
  }
  // A function whose code is this object gets a code update, which starts fresh environments anyway.
  const { envFileOf, artifactOf } = catalog.forObject(change.bucket, key);

  const trigger: Extract<Trigger, { kind: 's3' }> = {
    kind: 's3',
    bucket: change.bucket,
    key: change.key,
    versionId: change.versionId,
    operation: change.operation,
    actor: change.actor,
  };
  const result = emptyPlan('s3', event.id);
  if (change.kind === 'delete') {
    // A deleted artifact or env file deploys nothing: functions keep their code, and new tasks could not start without the file.
    for (const { name, lambda } of artifactOf) {
      result.skipped.push({
        service: name,
        reason: `Lambda artifact ${location} was deleted; not deploying (${lambda.functionName} keeps its current code)`,
        fields: { function_name: lambda.functionName },
      });
    }
    if (artifactOf.length > 0) result.notices.push({ kind: 'artifact_deleted', location, services: artifactOf });
    for (const { name } of envFileOf) {
      result.skipped.push({
        service: name,
        reason: `env file ${location} was deleted; not redeploying (new tasks could not start without it)`,
        fields: { bucket: change.bucket, key: change.key },
      });
    }
    if (envFileOf.length > 0) result.notices.push({ kind: 'env_file_deleted', location, services: envFileOf });
    return result;
  }
  let restarting = envFileOf;
  if (envFileOf.length > 0) {
    const verdict = await checkEnvFile({ bucket: change.bucket, key: change.key, versionId: change.versionId }, { reads, log });
    if (verdict.kind === 'changed') {
      trigger.envFile = verdict.change;
    } else {
      const why =
        verdict.kind === 'invalid'
          ? `env file ${location} is invalid (${describeEnvFileProblems(verdict.problems).join('; ')}); not redeploying (ECS would not read it as written)`
          : `env file ${location} has the same variables and values as version ${verdict.previousVersionId}; nothing to redeploy`;
      if (verdict.kind === 'unchanged' && artifactOf.length === 0) return ignoredPlan('s3', event.id, why);
      const fields = {
        bucket: change.bucket,
        key: change.key,
        version_id: change.versionId,
        ...(verdict.kind === 'invalid' ? { problems: verdict.problems } : {}),
      };
      for (const { name } of envFileOf) result.skipped.push({ service: name, reason: why, fields });
      if (verdict.kind === 'invalid')
        result.notices.push({
          kind: 'env_file_invalid',
          location,
          versionId: change.versionId,
          actor: change.actor,
          services: envFileOf,
          problems: verdict.problems,
        });
      restarting = [];
    }
  }
  for (const service of restarting) result.deployments.push(restart(service, trigger, revisionOf(event)));
  for (const { name, lambda } of artifactOf) {
    result.deployments.push({
      target: 'lambda',
      service: name,
      lambda,
      change: { kind: 'zip', bucket: change.bucket, key: change.key, versionId: change.versionId },
      trigger,
    });
  }
  return result;
};
