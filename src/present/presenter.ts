/**
 * Every word people read about a deployment, in one place: the presenter turns requests, previews,
 * outcomes and notices into {@link Notification}s (rendered as Slack Block Kit by
 * src/slack/messages.ts) and into log fields. Handlers, the deployer and targets deal in data.
 */
import { resourceName, type CatalogService } from '../config/catalog.js';
import { describeError, SmokeTestFailedError } from '../shared/errors.js';
import { BATCH_LIMITS, CONFIG_REVISION_VARIABLE, FINDING_SEVERITIES, FOLLOW_DEFAULTS, type ScanGateLevel } from '../config/constants.js';
import type { EnvFileProblem } from '../triggers/envFile.js';
import { shortTaskDefinition } from '../config/naming.js';
import { partitionOf } from '../shared/partition.js';
import type { FollowedEcsDeployment } from '../following/journal.js';
import type { DeploymentStep, EcsReport, FailureEvidence } from '../following/steps.js';
import type { LogFields } from '../shared/observability.js';
import type {
  DeploymentPreview,
  DeploymentRequest,
  EcsEventName,
  EcsRollout,
  EnvFileChange,
  EventTrigger,
  ImageSummary,
  LambdaChange,
  LambdaDeployment,
  LambdaProgress,
  LambdaRelease,
  MergedTrigger,
  Notice,
  ScanFinding,
  ScanRefusal,
  Trigger,
} from '../triggers/plan.js';

export type Severity = 'info' | 'success' | 'warning' | 'error';

/** A message independent of its medium. */
export interface Notification {
  severity: Severity;
  title: string;
  /** The AWS resource the message is about (ECS service, function), shown as "Service". */
  service?: string;
  /** Labelled facts shown in order (status, deployment id, task definition, reason, …). */
  facts: Array<[label: string, value: string]>;
  /** Link to the resource in the AWS console. */
  consoleUrl?: string;
  /**
   * The message is about what a dry run would have done (or a dry run's failed read), not about
   * something that happened: Slack marks it "[DRY RUN]". Real events (ECS's own, a deleted
   * parameter, a refused request) are never marked, dry run or not.
   */
  dryRun?: boolean;
  /** Which console the link opens ("Lambda"); unset means ECS. */
  consoleName?: string;
}

type Facts = Notification['facts'];

/**
 * A later step of a deployment, in the words each Slack mode needs: with a bot token the
 * deployment's first message is replaced by `state` and `reply` goes into its thread; a webhook
 * cannot update or thread, so it posts `standalone`, which says both and names the deployment.
 */
export interface ThreadUpdate {
  /** The deployment as it stands now. */
  state: Notification;
  /** Details for its thread, when the step has any. */
  reply?: Notification;
  /** One message saying both. */
  standalone: Notification;
  /** A step that needs no message of its own: when the first message is not known, nothing is posted. */
  routine?: boolean;
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
      return `manual deploy via ${trigger.source}${trigger.requestedBy ? ` by ${trigger.requestedBy}` : ''}${trigger.reason ? `: ${trigger.reason}` : ''}`;
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

/* ---- what changed and who changed it --------------------------------------------------------- */

/** "1–3, 7, 9": line numbers with consecutive runs as ranges, at most `max` items. */
function lineList(lines: number[], max = 12): string {
  const runs: string[] = [];
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    runs.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return nameList(runs, max);
}

/** Names in a message: the first `max`, then how many more. */
function nameList(names: readonly string[], max = 30): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;
}

/** "182 MB": a size as registries show it (powers of 1000). */
function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e7) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

/** "2026-11-22 09:41 UTC". */
function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

const shortDigest = (digest: string) => (digest.startsWith('sha256:') ? `${digest.slice(0, 'sha256:'.length + 7)}…` : digest);

/**
 * The problems of an env file, one line per kind (line numbers listed) or per duplicate name.
 * Names a problem quotes are well-formed names, never values or raw lines.
 *
 * @example
 * describeEnvFileProblems([{ kind: 'no_equals', line: 3 }, { kind: 'duplicate_name', line: 7, name: 'DB_HOST', firstLine: 2 }]);
 * // ['line 3: no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)',
 * //  'line 7: DB_HOST is set again (first on line 2; ECS keeps the last one)']
 */
export function describeEnvFileProblems(problems: readonly EnvFileProblem[]): string[] {
  const linesOf = (kind: EnvFileProblem['kind']) => problems.flatMap((p) => (p.kind === kind && 'line' in p ? [p.line] : []));
  const at = (lines: number[]) => `line${lines.length === 1 ? '' : 's'} ${lineList(lines)}`;
  const out: string[] = [];
  for (const p of problems) {
    if (p.kind === 'too_large')
      out.push(
        `the file is ${formatSize(p.bytes)}, larger than the ${+(p.limit / 1048576).toFixed(2)} MiB deploybridge reads: not checked`,
      );
  }
  if (linesOf('bom').length > 0)
    out.push(
      'line 1: starts with a UTF-8 byte order mark (ECS on EC2 makes it part of the first name); save the file as UTF-8 without BOM',
    );
  const grouped: Array<[EnvFileProblem['kind'], string]> = [
    ['crlf', 'Windows line endings (CRLF); save the file with LF line endings'],
    ['no_equals', 'no "=" (neither VARIABLE=VALUE nor a comment; a comment starts with # in the first column)'],
    ['empty_name', 'no name before "="'],
    ['name_with_whitespace', 'the name contains whitespace (spaces around or inside the name before "=")'],
  ];
  for (const [kind, what] of grouped) {
    const lines = linesOf(kind);
    if (lines.length > 0) out.push(`${at(lines)}: ${what}`);
  }
  for (const p of problems) {
    if (p.kind === 'duplicate_name')
      out.push(`line ${p.line}: ${p.name} is set again (first on line ${p.firstLine}; ECS keeps the last one)`);
  }
  return out;
}

/** What changed in an env file, for people: names only. */
function describeEnvFileChange(change: EnvFileChange): string {
  switch (change.kind) {
    case 'diff': {
      const parts = [
        change.added.length > 0 ? `added ${nameList(change.added)}` : '',
        change.removed.length > 0 ? `removed ${nameList(change.removed)}` : '',
        change.changed.length > 0 ? `changed ${nameList(change.changed)}` : '',
      ].filter((part) => part !== '');
      return `${parts.join('; ')} (since version ${change.previousVersionId})`;
    }
    case 'new_file':
      return change.added.length === 0 ? 'new file, no variables' : `new file: added ${nameList(change.added)}`;
    case 'not_compared':
      return {
        unversioned: 'not listed: the bucket is not versioned, so there is no previous version to compare with',
        previous_not_listed: "not listed: the previous version could not be found among the object's versions",
        read_failed: 'not listed: the previous version could not be read',
      }[change.reason];
  }
}

/** "CRITICAL 2, HIGH 1": finding counts, most severe first; "no findings" when there are none. */
function formatFindingCounts(counts: Partial<Record<string, number>>): string {
  const known = FINDING_SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${s} ${counts[s]}`);
  const other = Object.keys(counts)
    .filter((s) => !(FINDING_SEVERITIES as readonly string[]).includes(s) && (counts[s] ?? 0) > 0)
    .map((s) => `${s} ${counts[s]}`);
  return [...known, ...other].join(', ') || 'no findings';
}

/** "`v1.4.2` (also `latest`), sha256:3f9c1e2…, 182 MB, pushed 2026-11-22 09:41 UTC". */
function describeImage(image: ImageSummary, tag: string | undefined): string {
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
function describeScan(image: ImageSummary): string {
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

function describeFinding(finding: ScanFinding): string {
  return `${finding.severity} ${finding.name}${finding.package === undefined ? '' : ` (${finding.package})`}`;
}

/** Facts about the trigger beyond its one line: who changed it, what changed, the image. */
function triggerFacts(trigger: Trigger): Facts {
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
function describeS3Actor(actor: string | undefined): string {
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

/** One line saying what a Lambda change does. */
export function describeChange(change: LambdaChange): string {
  switch (change.kind) {
    case 'image':
      return `update code to image ${change.imageUri}`;
    case 'zip':
      return `update code from s3://${change.bucket}/${change.key}${change.versionId ? ` (version ${change.versionId})` : ''}`;
    case 'config_revision':
      return `set ${CONFIG_REVISION_VARIABLE}=${change.revision} (fresh execution environments)`;
    case 'release':
      return 'publish $LATEST as it is and move the alias to it';
    case 'version':
      return `move the alias to version ${change.version}`;
    case 'rollback':
      return 'move the alias back to the version before the last deploy';
  }
}

/** What the smoke test of a Lambda deployment will do. */
function describeSmokeTestPlan(request: LambdaDeployment): string {
  if (request.lambda.smokeTest === undefined) return 'not configured';
  if (request.change.kind === 'rollback') return 'skipped for a rollback';
  return request.lambda.alias === undefined
    ? 'runs on $LATEST after the update (no alias: nothing can be rolled back)'
    : 'runs on the new version before the alias moves';
}

/** "42 s", "3 min 5 s": how long a deployment took. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** What a restart deploys, before ECS says which revision that is. */
const RESTART = 'unchanged: new tasks of the revision it runs';

/**
 * `family:42`, or `family:41 → :42` when the service ran another revision of the family before. A
 * restart that kept the revision says so: its new tasks differ only in the configuration they read.
 */
function revisionChange(taskDefinition: string, previous: string | undefined, restart = false): string {
  const to = shortTaskDefinition(taskDefinition);
  if (previous === undefined || previous === taskDefinition)
    return restart ? `${to} (unchanged: new tasks read the new configuration)` : to;
  const from = shortTaskDefinition(previous);
  const family = (name: string) => name.slice(0, name.lastIndexOf(':'));
  return family(from) === family(to) ? `${from} → ${to.slice(to.lastIndexOf(':'))}` : `${from} → ${to}`;
}

/** Link to a service's deployments in the ECS console of the region's partition (none where that console is not public). */
function ecsConsoleUrl(region: string, cluster: string, service: string): string | undefined {
  const origin = partitionOf(region).consoleOrigin(region);
  const r = encodeURIComponent(region);
  return origin === undefined
    ? undefined
    : `${origin}/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${r}`;
}

/** Link to a function's versions in the Lambda console (a function ARN is reduced to its name). */
function lambdaConsoleUrl(region: string, functionName: string): string | undefined {
  const origin = partitionOf(region).consoleOrigin(region);
  const r = encodeURIComponent(region);
  const name = functionName.slice(functionName.lastIndexOf(':') + 1);
  return origin === undefined ? undefined : `${origin}/lambda/home?region=${r}#/functions/${encodeURIComponent(name)}?tab=versions`;
}

/** How a deployment is named in logs and Slack, computed without AWS calls. */
export interface DeploymentIdentity {
  /** The AWS resource Slack shows as "Service". */
  resource: string;
  /** Log fields that identify what is deployed. */
  fields: LogFields;
  /** Slack facts that identify what is deployed. */
  facts: Facts;
  consoleUrl: string | undefined;
  consoleName?: string;
}

/**
 * The names of a deployment, for every message about it.
 *
 * @example
 * identify(request, 'eu-west-1').fields; // { cluster, ecs_service, task_definition } or { function_name, alias, change }
 */
export function identify(request: DeploymentRequest, region: string): DeploymentIdentity {
  if (request.target === 'ecs') {
    return {
      resource: request.ecs.service,
      fields: { cluster: request.ecs.cluster, ecs_service: request.ecs.service, task_definition: request.taskDefinition },
      facts: [['Task definition', request.taskDefinition === undefined ? RESTART : shortTaskDefinition(request.taskDefinition)]],
      consoleUrl: ecsConsoleUrl(region, request.ecs.cluster, request.ecs.service),
    };
  }
  return {
    resource: request.lambda.functionName,
    fields: { function_name: request.lambda.functionName, alias: request.lambda.alias, change: request.change.kind },
    facts: [
      ['Function', request.lambda.functionName],
      ['Alias', request.lambda.alias ?? 'none ($LATEST is updated in place)'],
      ['Change', describeChange(request.change)],
    ],
    consoleUrl: lambdaConsoleUrl(region, request.lambda.functionName),
    consoleName: 'Lambda',
  };
}

/** Log fields of what a deployment will do, or what it did. */
export function outcomeFields(view: DeploymentPreview | EcsRollout | LambdaRelease): LogFields {
  if (view.target === 'ecs') {
    return 'deploymentId' in view
      ? { task_definition: view.taskDefinition, deployment_id: view.deploymentId, previous_task_definition: view.previousTaskDefinition }
      : {};
  }
  return 'smokeTest' in view
    ? { from_version: view.fromVersion, to_version: view.toVersion, smoke_test: view.smokeTest }
    : { from_version: view.fromVersion, to_version: view.toVersion };
}

/** Log fields of a failure: where it got to, and a failed smoke test's (redacted) response. */
export function failureFields(cause: unknown, progress: LambdaProgress | undefined): LogFields {
  return {
    ...(progress === undefined ? {} : { from_version: progress.fromVersion, to_version: progress.toVersion }),
    ...(cause instanceof SmokeTestFailedError ? { smoke_test: 'failed', smoke_test_response: cause.response } : {}),
  };
}

function deploymentMessage(
  request: DeploymentRequest,
  identity: DeploymentIdentity,
  severity: Severity,
  title: string,
  facts: Facts,
): Notification {
  return {
    severity,
    title: `${title}: ${request.service}`,
    service: identity.resource,
    facts: [['Trigger', describeTrigger(request.trigger)], ...triggerFacts(request.trigger), ...facts],
    consoleUrl: identity.consoleUrl,
    ...(identity.consoleName === undefined ? {} : { consoleName: identity.consoleName }),
  };
}

const versions = (from: string | undefined, to: string | undefined): [string, string] => ['Versions', `${from} → ${to}`];

/** The status line of a finished Lambda deployment. */
function releaseStatus(release: LambdaRelease): string {
  switch (release.note) {
    case 'already_published':
      return `succeeded; version ${release.toVersion} is already live (nothing changed since it was published)`;
    case 'already_on_version':
      return `succeeded; alias ${release.alias} already points to version ${release.toVersion}`;
    case 'rolled_back':
      return `rolled back: alias ${release.alias} moved from version ${release.fromVersion} back to ${release.toVersion}`;
    case undefined:
      return 'succeeded';
  }
}

/** The status line of a failed Lambda deployment: where traffic goes now, and whether anything could be rolled back. */
function lambdaFailureStatus(request: LambdaDeployment, cause: unknown, progress: LambdaProgress | undefined): string {
  const { fromVersion, toVersion, latestChanged } = progress ?? { fromVersion: undefined, toVersion: undefined, latestChanged: false };
  const alias = request.lambda.alias;
  if (alias === undefined) {
    return latestChanged
      ? 'failed: $LATEST already runs the change; nothing could be rolled back (no alias configured)'
      : 'failed: $LATEST unchanged';
  }
  const isRollback = request.change.kind === 'rollback';
  const verb = isRollback ? 'rollback failed' : cause instanceof SmokeTestFailedError ? 'failed, not released' : 'failed';
  if (fromVersion === undefined) return `${verb}: alias ${alias} not moved`;
  const unused = !isRollback && toVersion !== undefined && toVersion !== fromVersion ? `; version ${toVersion} received no traffic` : '';
  return `${verb}: alias ${alias} stays on version ${fromVersion}${unused}`;
}

/** Messages about one deployment. */
export const deploymentMessages = {
  /** The deployment started: an ECS rollout (with its deployment id), or a Lambda deploy about to change the function. */
  started(request: DeploymentRequest, identity: DeploymentIdentity, view: EcsRollout | DeploymentPreview): Notification {
    if (view.target === 'ecs') {
      const rollout =
        'deploymentId' in view ? view : { deploymentId: undefined, taskDefinition: view.taskDefinition, previousTaskDefinition: undefined };
      const restart = request.target === 'ecs' && request.taskDefinition === undefined;
      return deploymentMessage(request, identity, 'info', 'Deployment started', [
        ['Status', 'in progress'],
        ['Deployment ID', rollout.deploymentId ?? 'unknown'],
        [
          'Task definition',
          rollout.taskDefinition === undefined ? RESTART : revisionChange(rollout.taskDefinition, rollout.previousTaskDefinition, restart),
        ],
      ]);
    }
    const smoke: Facts = request.target === 'lambda' ? [['Smoke test', describeSmokeTestPlan(request)]] : [];
    return deploymentMessage(request, identity, 'info', 'Deployment started', [
      ['Status', 'in progress'],
      ...identity.facts,
      versions(view.fromVersion, view.toVersion),
      ...smoke,
    ]);
  },

  /** A deployment that finishes inside the invocation finished. */
  succeeded(request: DeploymentRequest, identity: DeploymentIdentity, release: LambdaRelease, durationMs: number): Notification {
    const expect = request.target === 'lambda' ? request.lambda.smokeTest?.expect : undefined;
    const smoke =
      release.smokeTest === 'passed' ? `passed${expect ? ` (${JSON.stringify(expect)})` : ''}` : release.smokeTest.replace('_', ' ');
    const image: Facts = [];
    if (release.image !== undefined) {
      const { configured, resolved, movedOn } = release.image;
      image.push([
        'Image',
        movedOn === undefined
          ? resolved
          : `${resolved} (the tag moved on since the push: ${configured} now resolves to ${movedOn.resolvedDigest}, not the pushed ${movedOn.pushedDigest})`,
      ]);
    }
    return deploymentMessage(request, identity, 'success', 'Deployment succeeded', [
      ['Status', releaseStatus(release)],
      ...identity.facts,
      versions(release.fromVersion, release.toVersion),
      ['Smoke test', smoke],
      ...image,
      ['Duration', formatDuration(durationMs)],
    ]);
  },

  /** Dry run: what the deployment would do. */
  wouldStart(request: DeploymentRequest, identity: DeploymentIdentity, preview: DeploymentPreview, calls: readonly string[]): Notification {
    const planned: Facts =
      preview.target === 'lambda'
        ? [versions(preview.fromVersion, preview.toVersion), ['Planned calls', calls.join('\n') || '(none)']]
        : [];
    return {
      ...deploymentMessage(request, identity, 'info', 'Deployment would start', [
        ['Status', 'dry run: not started'],
        ...identity.facts,
        ...planned,
      ]),
      dryRun: true,
    };
  },

  /** The deployment failed, after `attempts` attempts (in a dry run: its reads failed). */
  failed(
    request: DeploymentRequest,
    identity: DeploymentIdentity,
    failure: { cause: unknown; attempts: number; progress: LambdaProgress | undefined; dryRun: boolean },
  ): Notification {
    const status = request.target === 'lambda' ? lambdaFailureStatus(request, failure.cause, failure.progress) : 'failed';
    const response: Facts = failure.cause instanceof SmokeTestFailedError ? [['Smoke test response', failure.cause.response]] : [];
    const message = deploymentMessage(request, identity, 'error', 'Deployment failed', [
      ['Status', status],
      ['Reason', describeError(failure.cause)],
      ['Attempts', String(failure.attempts)],
      ...identity.facts,
      ...response,
    ]);
    return failure.dryRun ? { ...message, dryRun: true } : message;
  },
};

/** Why a deleted parameter is not redeployed, and what that means, for a service of either kind. */
export function deletedParameterConsequence(service: CatalogService): { why: string; action: string } {
  return service.kind === 'lambda'
    ? {
        why: 'new execution environments could not read it',
        action: 'not redeployed: new execution environments that read this parameter would fail',
      }
    : {
        why: 'new tasks could not start without it',
        action: 'not redeployed: new tasks that reference this parameter would fail to start',
      };
}

const ECS_EVENTS: Record<EcsEventName, { severity: Severity; title: string; status: string }> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: { severity: 'info', title: 'Deployment in progress', status: 'in progress' },
  SERVICE_DEPLOYMENT_COMPLETED: { severity: 'success', title: 'Deployment completed', status: 'completed' },
  SERVICE_DEPLOYMENT_FAILED: { severity: 'error', title: 'Deployment failed', status: 'failed' },
  SERVICE_TASK_START_IMPAIRED: { severity: 'warning', title: 'Tasks fail to start', status: 'task start impaired' },
};

/** ECS's events about a circuit-breaker rollback of a deployment deploybridge has no record of. */
const ROLLBACK_EVENTS: Record<'started' | 'completed', { severity: Severity; title: string; status: string }> = {
  started: { severity: 'warning', title: 'Deployment rolling back', status: 'a deployment failed; ECS is rolling back' },
  completed: {
    severity: 'warning',
    title: 'Rollback completed',
    status: 'a deployment failed and was rolled back: the service runs the previous deployment again',
  },
};

/** Exit codes people look up. */
const EXIT_CODES: Record<number, string> = {
  137: 'killed (SIGKILL), usually out of memory',
  139: 'segmentation fault',
  143: 'terminated (SIGTERM)',
};

/** Service events that say something went wrong (not "has started 1 tasks" or "reached a steady state"). */
const PROBLEM_EVENT = /unable|fail|error|unhealth|insufficient|cannot|could not|denied|timed out|exceeded|not (?:able|found)/i;

/**
 * Up to three distinct reasons why tasks failed, most relevant first: a stopped task's reason
 * with its containers' reasons and exit codes, then the service's latest problem events.
 *
 * @example
 * failureReasons(evidence); // ['Essential container in task exited (app: exit code 137, killed (SIGKILL), usually out of memory)', …]
 */
function failureReasons(evidence: FailureEvidence | undefined): string[] {
  if (evidence === undefined) return [];
  const reasons = new Set<string>();
  for (const task of evidence.stoppedTasks) {
    const containers = task.containers.flatMap((c) => {
      const exit =
        c.exitCode !== undefined && c.exitCode !== 0
          ? `exit code ${c.exitCode}${EXIT_CODES[c.exitCode] ? `, ${EXIT_CODES[c.exitCode]}` : ''}`
          : undefined;
      const parts = [c.reason, exit].filter((p): p is string => p !== undefined && p !== '');
      return parts.length === 0 ? [] : [`${c.name}: ${parts.join(', ')}`];
    });
    const stopped = task.stoppedReason ?? task.stopCode;
    const text =
      stopped === undefined ? containers.join('; ') : containers.length === 0 ? stopped : `${stopped} (${containers.join('; ')})`;
    if (text !== '') reasons.add(text);
  }
  for (const event of evidence.serviceEvents) {
    if (PROBLEM_EVENT.test(event.message)) reasons.add(event.message.replace(/^\(service [^)]*\)\s*/, ''));
  }
  return [...reasons].slice(0, FOLLOW_DEFAULTS.reasonsShown);
}

/** The failure reasons as one fact, saying so when ECS tells nothing (yet) or could not be read. */
function evidenceFact(evidence: FailureEvidence): [string, string] {
  const reasons = failureReasons(evidence);
  const unread = evidence.unavailable.length === 0 ? '' : ` (not read: ${evidence.unavailable.join(', ')})`;
  if (reasons.length === 0) return ['Why tasks failed', `no stopped task or service event says why yet${unread}`];
  return ['Why tasks failed', `${reasons.map((r) => `• ${r}`).join('\n')}${unread}`];
}

/** "ECR push of … (tag …)" or, for a deployment deploybridge did not start, its id. */
function supersededBy(deployment: FollowedEcsDeployment): string {
  const by = deployment.supersededBy;
  if (by === undefined) return 'a newer deployment';
  return by.trigger === undefined
    ? `deployment ${by.deploymentId}, which deploybridge did not start`
    : `${describeTrigger(by.trigger)} (deployment ${by.deploymentId})`;
}

/** The facts that say which deployment a message belongs to. */
function followedFacts(deployment: FollowedEcsDeployment): Facts {
  return [
    ['Trigger', describeTrigger(deployment.trigger)],
    // Who changed what, as the first message said: an update replaces it.
    ...triggerFacts(deployment.trigger),
    ['Task definition', revisionChange(deployment.taskDefinition, deployment.previousTaskDefinition)],
    ['Deployment ID', deployment.id],
  ];
}

/** The deployment's message as it stands: one line per deployment in the channel, in its current colour. */
function followedState(deployment: FollowedEcsDeployment): Notification {
  const duration =
    deployment.finishedAt === undefined
      ? undefined
      : formatDuration(Math.max(0, Date.parse(deployment.finishedAt) - Date.parse(deployment.triggeredAt)) || 0);
  const back = (to: string | undefined) => (to === undefined ? 'the previous revision' : shortTaskDefinition(to));
  let severity: Severity;
  let title: string;
  let status: string;
  switch (deployment.status) {
    case 'in_progress':
      [severity, title, status] = ['info', 'Deployment in progress', 'rolling out'];
      break;
    case 'completed':
      [severity, title, status] = ['success', 'Deployment completed', `completed in ${duration ?? '?'} since the trigger`];
      break;
    case 'superseded':
      [severity, title, status] = ['warning', 'Deployment superseded', `superseded before it finished by ${supersededBy(deployment)}`];
      break;
    case 'failed': {
      const rollback = deployment.rollback;
      severity = 'error';
      if (rollback === undefined) [title, status] = ['Deployment failed', `failed${deployment.failure ? `: ${deployment.failure}` : ''}`];
      else if (rollback.status === 'in_progress')
        [title, status] = ['Deployment failed, rolling back', `failed; ECS is rolling back to ${back(rollback.toTaskDefinition)}`];
      else if (rollback.status === 'completed')
        [title, status] = ['Deployment rolled back', `failed and rolled back: the service runs ${back(rollback.toTaskDefinition)} again`];
      else
        [title, status] = [
          'Deployment failed, rollback failed',
          `failed, and the rollback to ${back(rollback.toTaskDefinition)} failed too: the service needs a look`,
        ];
      break;
    }
  }
  return {
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts: [['Status', status], ...followedFacts(deployment)],
    consoleUrl: ecsConsoleUrl(deployment.region, deployment.cluster, deployment.resource),
  };
}

/**
 * The messages of one step of an ECS deployment deploybridge started: the first message as it now
 * stands, details for its thread, and one message saying both (webhook).
 *
 * @example
 * deploymentStepUpdate(deployment, { kind: 'failed', reason: 'ECS deployment circuit breaker: task failed to start.' }, evidence).reply?.facts;
 */
export function deploymentStepUpdate(deployment: FollowedEcsDeployment, step: DeploymentStep, evidence?: FailureEvidence): ThreadUpdate {
  const state = followedState(deployment);
  const detail = (severity: Severity, title: string, facts: Facts): Notification => ({
    severity,
    title: `${title}: ${deployment.service}`,
    service: deployment.resource,
    facts,
  });
  const why: Facts = evidence === undefined ? [] : [evidenceFact(evidence)];
  const with_ = (severity: Severity, title: string, facts: Facts): Notification => ({
    ...state,
    severity,
    title: `${title}: ${deployment.service}`,
    facts: [...state.facts, ...facts],
  });
  switch (step.kind) {
    case 'rolling_out':
      return { state, standalone: state, routine: true };
    case 'completed':
    case 'rolled_back':
    case 'superseded':
      return { state, standalone: state };
    case 'failed': {
      const facts: Facts = [['ECS says', step.reason ?? 'failed'], ...why];
      return { state, reply: detail('error', 'Why it failed', facts), standalone: with_('error', 'Deployment failed', why) };
    }
    case 'start_impaired':
      return { state, reply: detail('warning', 'Tasks fail to start', why), standalone: with_('warning', 'Tasks fail to start', why) };
    case 'rolling_back': {
      const rollback = deployment.rollback;
      const facts: Facts = [
        [
          'Rollback',
          `ECS deployment circuit breaker: rolling back to ${rollback?.toTaskDefinition === undefined ? 'the previous revision' : shortTaskDefinition(rollback.toTaskDefinition)}`,
        ],
        ['Rollback deployment', `${rollback?.deploymentId ?? 'unknown'} (to ${rollback?.to ?? 'unknown'})`],
      ];
      return {
        state,
        reply: detail('warning', 'Rolling back', facts),
        standalone: with_('warning', 'Deployment rolling back', facts.slice(1)),
      };
    }
    case 'rollback_failed': {
      const facts: Facts = [['ECS says', step.reason ?? 'the rollback failed'], ...why];
      return { state, reply: detail('error', 'The rollback failed too', facts), standalone: with_('error', 'Rollback failed', facts) };
    }
  }
}

const STEP_LOGS: Record<DeploymentStep['kind'], { level: 'info' | 'warn' | 'error'; message: string }> = {
  rolling_out: { level: 'info', message: 'deployment rolling out' },
  completed: { level: 'info', message: 'deployment completed' },
  failed: { level: 'error', message: 'deployment failed' },
  start_impaired: { level: 'warn', message: 'deployment tasks fail to start' },
  rolling_back: { level: 'error', message: 'deployment rolling back' },
  rolled_back: { level: 'error', message: 'deployment rolled back' },
  rollback_failed: { level: 'error', message: 'deployment rollback failed' },
  superseded: { level: 'warn', message: 'deployment superseded' },
};

/**
 * The log line of a followed deployment's step: its level and message (`fields.step` says the same for queries).
 *
 * @example
 * stepLog({ kind: 'rolled_back', durationMs: 366_000 }); // { level: 'error', message: 'deployment rolled back' }
 */
export function stepLog(step: DeploymentStep): { level: 'info' | 'warn' | 'error'; message: string } {
  return STEP_LOGS[step.kind];
}

/**
 * Log fields of a followed deployment's step.
 *
 * @example
 * stepFields(deployment, { kind: 'completed', durationMs: 185_000 }); // { service, deployment_id, step: 'completed', duration_ms: 185000, … }
 */
export function stepFields(deployment: FollowedEcsDeployment, step: DeploymentStep, evidence?: FailureEvidence): LogFields {
  return {
    service: deployment.service,
    deployment_id: deployment.id,
    step: step.kind,
    status: deployment.status,
    trigger: describeTrigger(deployment.trigger),
    task_definition: deployment.taskDefinition,
    previous_task_definition: deployment.previousTaskDefinition,
    rollback: deployment.rollback,
    ...('durationMs' in step ? { duration_ms: step.durationMs } : {}),
    ...(evidence === undefined ? {} : { failure_reasons: failureReasons(evidence) }),
  };
}

/** A notice as a message. */
export function noticeMessage(notice: Notice): Notification {
  switch (notice.kind) {
    case 'parameter_deleted':
      return {
        severity: 'warning',
        title: `Parameter deleted: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Parameter', notice.parameter],
          ['Action', deletedParameterConsequence(notice.service).action],
        ],
      };
    case 'env_file_deleted':
      return {
        severity: 'warning',
        title: `Env file deleted: ${notice.location}`,
        facts: [
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Action', 'not redeployed: new tasks of these services would fail to start until the file is restored'],
        ],
      };
    case 'env_file_invalid':
      return {
        severity: 'warning',
        title: `Env file invalid: ${notice.location}`,
        facts: [
          ...(notice.versionId === undefined ? [] : [['Version', notice.versionId] as [string, string]]),
          ['Changed by', describeS3Actor(notice.actor)],
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Problems', describeEnvFileProblems(notice.problems).join('\n')],
          [
            'Action',
            'not redeployed: ECS would not read the file as written; running tasks keep the variables they started with. Fix the file and upload it again',
          ],
        ],
      };
    case 'image_scan_pending':
      return {
        severity: 'info',
        title: `Waiting for the image scan: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Image', `${notice.image.repository}: ${describeImage(notice.image, notice.tag)}`],
          [
            'Status',
            `scan ${notice.image.scan?.status ?? 'pending'}: deploys when ECR reports it complete with no finding at or above ${notice.gate} (ECR_SCAN_GATE)`,
          ],
        ],
      };
    case 'image_refused': {
      const { refusal } = notice;
      const findings: Facts =
        refusal.kind === 'findings' && refusal.findings.length > 0
          ? [['Top findings', refusal.findings.map(describeFinding).join('\n')]]
          : [];
      return {
        severity: 'error',
        title: `Image refused by the scan gate: ${notice.service.name}`,
        service: resourceName(notice.service),
        facts: [
          ['Image', `${notice.image.repository}: ${describeImage(notice.image, notice.tag)}`],
          ['Reason', describeScanRefusal(refusal, notice.gate)],
          ...(notice.image.scan === undefined ? [] : [['Findings', formatFindingCounts(notice.image.scan.counts)] as [string, string]]),
          ...findings,
          [
            'Action',
            'not deployed: the service keeps running what it runs. Push a fixed image, or deploy manually (manual deploys are not gated)',
          ],
        ],
      };
    }
    case 'artifact_deleted':
      return {
        severity: 'warning',
        title: `Lambda artifact deleted: ${notice.location}`,
        facts: [
          ['Used by', notice.services.map(resourceName).join(', ')],
          ['Action', 'nothing deployed: the functions keep running their current code; restore the object before their next deploy'],
        ],
      };
  }
}

/**
 * What the follower reports of an ECS event, as a message of its own: a step of a deployment
 * deploybridge started (as a webhook shows it), or the event as far as it tells on its own.
 */
export function ecsReportMessage(report: EcsReport): Notification {
  if (report.kind === 'deployment_step') return deploymentStepUpdate(report.deployment, report.step, report.evidence).standalone;
  const state = report.rollback === undefined ? ECS_EVENTS[report.event] : ROLLBACK_EVENTS[report.rollback.phase];
  const facts: Facts = [['Status', state.status]];
  if (report.deploymentId) facts.push(['Deployment ID', report.deploymentId]);
  if (report.rollback?.to) facts.push(['Rolls back to', report.rollback.to]);
  if (report.reason) facts.push(['Reason', report.reason]);
  if (report.evidence) facts.push(evidenceFact(report.evidence));
  return {
    severity: state.severity,
    title: `${state.title}: ${report.service}`,
    service: report.ecsService,
    facts,
    consoleUrl: ecsConsoleUrl(report.region, report.cluster, report.ecsService),
  };
}

/** A manual request that was refused. */
export function refusalMessage(reason: string, eventId: string | undefined): Notification {
  return {
    severity: 'error',
    title: 'Manual deploy refused',
    facts: [
      ['Reason', reason],
      ['Event ID', eventId ?? 'unknown'],
    ],
  };
}

/** A permanent AWS error while planning (e.g. the task definition family does not exist). */
export function planningFailedMessage(reason: string, eventId: string): Notification {
  return {
    severity: 'error',
    title: 'Deployment failed before it started',
    facts: [
      ['Reason', reason],
      ['Event ID', eventId],
    ],
  };
}

/** Deployments an invocation had no time left to start: they are retried with the event. */
export function notStartedMessage(services: string[], planned: number, eventId: string): Notification {
  return {
    severity: 'error',
    title: `Deployments not started: ${services.length} of ${planned}`,
    facts: [
      ['Not started', services.join(', ')],
      ['Why', 'the invocation ran out of time (Lambda timeout); the invocation fails so Lambda retries the event'],
      ['Event ID', eventId],
    ],
  };
}
