/**
 * What triggered a deployment, in words: its one line ("ECR push api:v1.4.2 (sha256:…)"), the facts
 * beyond that line (who changed it, which variables changed, the image and its scan), and the same
 * as log fields (`changed_by`, `requested_by`, `added`, …). A merged deployment (a burst of events of
 * one batch, deployed once) lists what it answers, each once, and who made the changes.
 */
import { BATCH_LIMITS } from '../config/constants.js';
import type { LogFields } from '../shared/observability.js';
import type { EventTrigger, MergedTrigger, Trigger } from '../triggers/trigger.js';
import { describeEnvFileChange } from './envFiles.js';
import { shortDigest } from './format.js';
import { describeImage, describeScan } from './images.js';
import type { Facts } from './notification.js';

/**
 * Who a manual request says asked for it, marked unverified: `requested_by` is written by whoever may
 * put events on the bus, as they like, and nothing in the event authenticates it.
 *
 * @example
 * unverified('alice@example.com'); // 'alice@example.com (unverified)'
 */
export function unverified(requestedBy: string): string {
  return `${requestedBy} (unverified)`;
}

/** One line a human recognises: what triggered the deployment. */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'ecr':
      return `${trigger.via === 'scan' ? 'ECR scan completed for' : 'ECR push'} ${trigger.repository}:${trigger.tag}${trigger.digest ? ` (${trigger.digest})` : ''}`;
    case 'ssm':
      return `SSM parameter ${trigger.parameter} (${trigger.operation})`;
    case 's3':
      return `S3 object s3://${trigger.bucket}/${trigger.key} (${trigger.operation}${trigger.versionId ? `, version ${trigger.versionId}` : ''})`;
    case 'manual':
      return `manual deploy via ${trigger.source}${trigger.requestedBy ? `, requested by ${unverified(trigger.requestedBy)}` : ''}${trigger.reason ? `: ${trigger.reason}` : ''}`;
    case 'merged':
      return describeMerged(trigger);
  }
}

/* ---- merged deployments (a burst of events of one batch, deployed once) ------------------------ */

/** "A, B, C, +2 more": the first names a merged deployment lists, then how many more. */
function firstNames(names: readonly string[]): string {
  const max = BATCH_LIMITS.namesListed;
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, +${names.length - max} more`;
}

/** What a merged deployment answers, by kind: parameters and objects once each, pushes not deployed. */
function mergedParts(trigger: MergedTrigger) {
  const all = trigger.triggers;
  const distinct = (values: string[]) => [...new Set(values)];
  const deployedDigest = trigger.deployed.kind === 'ecr' ? trigger.deployed.digest : undefined;
  return {
    all,
    parameters: distinct(all.flatMap((t) => (t.kind === 'ssm' ? [t.parameter] : []))),
    objects: distinct(all.flatMap((t) => (t.kind === 's3' ? [`s3://${t.bucket}/${t.key}`] : []))),
    // Pushes of another image than the one deployed: the last push by event time won.
    superseded: distinct(
      all.flatMap((t) => (t.kind === 'ecr' && t.digest !== deployedDigest ? [t.digest ?? `${t.repository}:${t.tag}`] : [])),
    ),
  };
}

/**
 * One line for a merged deployment: the image deployed (and the earlier pushes it supersedes), then
 * the parameters and objects, each listed once, the first 10 then "+N more".
 */
function describeMerged(trigger: MergedTrigger): string {
  const { parameters, objects, superseded } = mergedParts(trigger);
  const parts: string[] = [];
  if (trigger.deployed.kind === 'ecr' || trigger.deployed.kind === 'manual') {
    const supersedes =
      superseded.length === 0
        ? ''
        : `, superseding the earlier ${superseded.length === 1 ? 'push' : 'pushes'} ${firstNames(superseded.map(shortDigest))}`;
    parts.push(`${describeTrigger(trigger.deployed)}${supersedes}`);
  }
  if (parameters.length > 0) parts.push(`SSM ${parameters.length === 1 ? 'parameter' : 'parameters'} ${firstNames(parameters)}`);
  if (objects.length > 0) parts.push(`S3 ${objects.length === 1 ? 'object' : 'objects'} ${firstNames(objects)}`);
  return parts.join('; ');
}

/** Who made the changes of a merged deployment, each once; "unknown" for those AWS does not say. */
function mergedActors(triggers: readonly EventTrigger[]): string | undefined {
  const changes = triggers.filter((t) => t.kind === 'ssm' || t.kind === 's3');
  if (changes.length === 0) return undefined;
  const known = [...new Set(changes.flatMap((t) => (t.actor === undefined ? [] : [t.kind === 's3' ? describeS3Actor(t.actor) : t.actor])))];
  const unknown = changes.filter((t) => t.actor === undefined).length;
  if (known.length === 0) return 'unknown';
  return unknown === 0 ? known.join(', ') : `${known.join(', ')} (unknown for ${unknown} of ${changes.length} changes)`;
}

/** Facts of a merged deployment: how many changes it answers, the deployed image, who changed what, the env files' variables. */
function mergedFacts(trigger: MergedTrigger): Facts {
  const { all } = mergedParts(trigger);
  const facts: Facts = [['Merged', `${trigger.eventIds.length} changes that arrived together, one deployment`]];
  if (trigger.deployed.kind === 'ecr') facts.push(...triggerFacts(trigger.deployed));
  const actors = mergedActors(all);
  if (actors !== undefined) facts.push(['Changed by', actors]);
  const envFiles = all.flatMap((t) =>
    t.kind === 's3' && t.envFile !== undefined ? [`s3://${t.bucket}/${t.key}: ${describeEnvFileChange(t.envFile)}`] : [],
  );
  if (envFiles.length > 0) facts.push(['Variables', envFiles.join('\n')]);
  return facts;
}

/** Log fields of a merged deployment: its events, what it lists (the first 10 of each, and how many more), the deployed image. */
function mergedFields(trigger: MergedTrigger): LogFields {
  const { all, parameters, objects, superseded } = mergedParts(trigger);
  const listed = (name: string, values: string[]): LogFields =>
    values.length === 0
      ? {}
      : {
          [name]: values.slice(0, BATCH_LIMITS.namesListed),
          ...(values.length > BATCH_LIMITS.namesListed ? { [`${name}_more`]: values.length - BATCH_LIMITS.namesListed } : {}),
        };
  const envFiles = all.flatMap((t) =>
    t.kind === 's3' && t.envFile !== undefined ? [{ object: `s3://${t.bucket}/${t.key}`, ...triggerFields(t) }] : [],
  );
  return {
    ...(trigger.deployed.kind === 'ecr' ? triggerFields(trigger.deployed) : {}),
    merged_events: trigger.eventIds.length,
    event_ids: trigger.eventIds,
    ...listed('parameters', parameters),
    ...listed('objects', objects),
    ...(superseded.length === 0 ? {} : { superseded_digests: superseded }),
    ...(mergedActors(all) === undefined ? {} : { changed_by: mergedActors(all) }),
    ...(envFiles.length === 0 ? {} : { env_files: envFiles }),
  };
}

/** Facts about the trigger beyond its one line: who changed it, what changed, the image. */
export function triggerFacts(trigger: Trigger): Facts {
  switch (trigger.kind) {
    case 's3':
      return [
        ['Changed by', describeS3Actor(trigger.actor)],
        ...(trigger.envFile === undefined ? [] : [['Variables', describeEnvFileChange(trigger.envFile)] as [string, string]]),
      ];
    case 'ssm':
      return [
        [
          'Changed by',
          trigger.actor === undefined
            ? 'unknown'
            : `${trigger.actor}${trigger.parameterVersion === undefined ? '' : ` (version ${trigger.parameterVersion})`}`,
        ],
      ];
    case 'ecr': {
      const facts: Facts = trigger.image === undefined ? [] : [['Pushed image', describeImage(trigger.image, trigger.tag)]];
      if (trigger.gate !== undefined && trigger.image !== undefined)
        facts.push(['Scan', `passed ECR_SCAN_GATE ${trigger.gate}: ${describeScan(trigger.image)}`]);
      return facts;
    }
    case 'manual':
      return (trigger.images ?? []).map((image): [string, string] => [
        'Image scan',
        `${describeImage(image, undefined)}: ${describeScan(image)} (not gated: a manual deploy)`,
      ]);
    case 'merged':
      return mergedFacts(trigger);
  }
}

/** S3's requester is an account id or a service principal; CloudTrail's is an ARN. */
export function describeS3Actor(actor: string | undefined): string {
  if (actor === undefined) return 'unknown';
  return /^\d{12}$/.test(actor) ? `account ${actor}` : actor;
}

/**
 * Log fields of a trigger: who changed it (`changed_by`, only when AWS says; `requested_by` for a
 * manual deploy), the env-file change (`added`, `removed`, `changed`: names only), the image and its scan.
 *
 * @example
 * triggerFields(trigger); // { changed_by: 'arn:aws:iam::123456789012:user/alice', added: ['FEATURE_X'], removed: [], changed: ['DB_HOST'], previous_version_id: 'v2' }
 */
export function triggerFields(trigger: Trigger): LogFields {
  switch (trigger.kind) {
    case 's3': {
      const change = trigger.envFile;
      const envFile =
        change === undefined
          ? {}
          : change.kind === 'diff'
            ? { added: change.added, removed: change.removed, changed: change.changed, previous_version_id: change.previousVersionId }
            : change.kind === 'new_file'
              ? { added: change.added, removed: [], changed: [] }
              : { env_file_not_compared: change.reason };
      return { changed_by: trigger.actor, ...envFile };
    }
    case 'ssm':
      return { changed_by: trigger.actor, parameter_version: trigger.parameterVersion };
    case 'ecr': {
      const image = trigger.image;
      return image === undefined
        ? {}
        : {
            image_tags: image.tags,
            image_size_bytes: image.sizeBytes,
            image_pushed_at: image.pushedAt,
            ...(trigger.gate === undefined ? {} : { scan_gate: trigger.gate, scan_counts: image.scan?.counts }),
          };
    }
    case 'manual':
      // Who asked, on its own, so `filter fields.requested_by = "alice"` finds their requests.
      return {
        ...(trigger.requestedBy === undefined ? {} : { requested_by: trigger.requestedBy }),
        ...(trigger.images === undefined
          ? {}
          : {
              image_scans: trigger.images.map((i) => ({
                repository: i.repository,
                digest: i.digest,
                status: i.scan?.status ?? 'none',
                counts: i.scan?.counts,
              })),
            }),
      };
    case 'merged':
      return mergedFields(trigger);
  }
}
