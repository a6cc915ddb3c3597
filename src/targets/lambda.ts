/**
 * Lambda functions as a deployment target. One deployment runs inside one invocation and reports
 * its own completion:
 *
 * 1. read: `GetFunctionConfiguration` (fails fast on a missing function or a denied role — the SDK
 *    waiters would poll through such errors until the timeout) and, with an alias, `GetAlias`
 *    (the version traffic goes to now: the "from" version);
 * 2. if an update is in progress, wait for it (`waitUntilFunctionUpdatedV2`);
 * 3. change: `UpdateFunctionCode` (image or S3 zip) or `UpdateFunctionConfiguration`
 *    (`DEPLOYBRIDGE_CONFIG_REVISION`), then wait until `LastUpdateStatus` is Successful;
 * 4. with an alias: `PublishVersion` (its description names the trigger), wait until the version is
 *    Active if it is not yet, smoke-test that version with `Invoke`, then `UpdateAlias` — so no
 *    traffic reaches a version that failed its smoke test. Without an alias the smoke test runs on
 *    `$LATEST` after the update, when nothing can be rolled back any more.
 *
 * Every change is retried on `ResourceConflictException` (an update in progress) with the
 * deployer's backoff. The alias description records the version the alias pointed to before
 * (`previous_version=12`), which is what a rollback moves it back to.
 *
 * Secrets: environment variable values are read (an `UpdateFunctionConfiguration` must send all of
 * them) but never logged, and smoke-test responses are redacted and trimmed before anyone sees them.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
  type FunctionConfiguration,
  type GetAliasCommandOutput,
} from '../aws/lambda.js';
import type { DeploymentReport, DeploymentRun, DeploymentTarget } from '../deployer.js';
import { DeploymentFailedError, describeError, isRetryableAwsError } from '../errors.js';
import { parseImage } from '../images.js';
import type { LogFields } from '../observability.js';
import { describeTrigger, type LambdaChange, type LambdaDeployment, type Notification } from '../plan.js';
import { lambdaConsoleUrl } from '../slack/messages.js';
import { truncate } from '../text.js';

type Facts = Notification['facts'];

/** The environment variable an SSM (or env-file) change sets, so new execution environments start. */
export const CONFIG_REVISION_VARIABLE = 'DEPLOYBRIDGE_CONFIG_REVISION';

/** How much of a smoke-test response people see. */
export const SMOKE_RESPONSE_LIMIT = 500;

/** Lambda's limit for version and alias descriptions. */
const DESCRIPTION_LIMIT = 256;

/** What a deployment's smoke test came to. */
export type SmokeTestOutcome = 'passed' | 'not_configured' | 'skipped';

/** What a Lambda deployment reports when it is over. */
export interface LambdaSucceeded {
  status: 'succeeded';
  functionName: string;
  alias: string | undefined;
  /** The version the alias pointed to before (or `$LATEST` without an alias). */
  fromVersion: string;
  /** The version the alias points to now (or `$LATEST`). */
  toVersion: string;
  smokeTest: SmokeTestOutcome;
}

/** What a Lambda dry run reports: the versions it read and the calls it would make. */
export interface LambdaDryRun {
  status: 'dry_run';
  functionName: string;
  alias: string | undefined;
  fromVersion: string | undefined;
  plannedCalls: string[];
}

/** The image a function is configured with, as the ECR route needs it. */
export interface FunctionImage {
  /** `Image` or `Zip`. */
  packageType: string;
  imageUri: string | undefined;
}

/** The Lambda calls the ECR route needs, and Lambda as a deployment target of the deployer. */
export interface LambdaApi extends DeploymentTarget<LambdaDeployment> {
  /** One `GetFunction`: whether the function is an image function, and which image it is configured with. */
  functionImage(functionName: string): Promise<FunctionImage>;
}

export interface LambdaTargetOptions {
  /** Waiters poll with a backoff between these delays (seconds); the SDK's defaults (1 s to 5 min) are too coarse for a bounded deploy. */
  waiterMinDelaySeconds: number;
  waiterMaxDelaySeconds: number;
}

export const DEFAULT_LAMBDA_TARGET_OPTIONS: LambdaTargetOptions = { waiterMinDelaySeconds: 1, waiterMaxDelaySeconds: 10 };

/** Shown instead of the number of a version a dry run would publish. */
const PLANNED_VERSION = '(new version)';

const PREVIOUS_VERSION_RE = /(?:^|\s)previous_version=(\$LATEST|\d+)(?=[;\s]|$)/;

/** The version an alias description written by deploybridge records as the one before, if any. */
export function previousVersionOf(aliasDescription: string | undefined): string | undefined {
  return aliasDescription === undefined ? undefined : PREVIOUS_VERSION_RE.exec(aliasDescription)?.[1];
}

/** Keys whose values are masked in a smoke-test response. */
const SECRET_KEY_RE = /pass(word|wd)?|secret|token|credential|api[-_]?key|private[-_]?key|authori[sz]ation|cookie|session/i;

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY_RE.test(key) ? '[redacted]' : redactJson(inner)]));
}

/**
 * A smoke-test response as people may see it: values of secret-looking keys, credentials in URLs
 * and the function's own environment variable values masked, then trimmed to `limit` characters.
 */
export function safeSmokeResponse(text: string, knownSecrets: readonly string[] = [], limit = SMOKE_RESPONSE_LIMIT): string {
  let shown = text;
  try {
    shown = JSON.stringify(redactJson(JSON.parse(text)));
  } catch {
    // Not JSON: shown as text, with the masks below.
  }
  shown = shown.replace(/\/\/[^\s/@:"]+:[^\s/@"]+@/g, '//[redacted]@');
  for (const secret of knownSecrets) shown = shown.replaceAll(secret, '[redacted]');
  return shown.length <= limit ? shown : `${shown.slice(0, limit)}… (${shown.length} characters, trimmed)`;
}

/**
 * Why a smoke-test invocation failed, or `undefined` when it passed: it fails on a `FunctionError`,
 * and, when `expected` is given, unless every key of it equals the same key of the JSON response.
 */
export function smokeTestProblem(functionError: string | undefined, responseText: string, expected: Record<string, unknown> | undefined): string | undefined {
  if (functionError) return `the function returned an error (${functionError})`;
  if (expected === undefined) return undefined;
  let response: unknown;
  try {
    response = JSON.parse(responseText);
  } catch {
    return 'the response is not JSON, so smoke_test.expect cannot match it';
  }
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return 'the response is not a JSON object, so smoke_test.expect cannot match it';
  const actual = response as Record<string, unknown>;
  const mismatched = Object.keys(expected).filter((key) => !isDeepStrictEqual(actual[key], expected[key]));
  if (mismatched.length === 0) return undefined;
  return `the response does not match smoke_test.expect at ${mismatched.map((key) => JSON.stringify(key)).join(', ')} (expected ${JSON.stringify(Object.fromEntries(mismatched.map((key) => [key, expected[key]])))})`;
}

/** One line saying what a change does, for Slack and logs. */
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

const isUpdateConflict = (error: unknown) => (error as { name?: unknown } | null)?.name === 'ResourceConflictException';
/** A configuration update also retries when someone else changed the function between our read and our write. */
const isConflictOrStale = (error: unknown) => isUpdateConflict(error) || (error as { name?: unknown } | null)?.name === 'PreconditionFailedException';
const isWaiterTimeout = (error: unknown) => ['TimeoutError', 'AbortError'].includes(String((error as { name?: unknown } | null)?.name));

/** Where a deployment got to, so a failure can say what traffic sees now. */
interface Progress {
  fromVersion: string | undefined;
  toVersion: string | undefined;
  /** `$LATEST` already holds the change (it cannot be taken back without an alias). */
  latestChanged: boolean;
}

interface SequenceOutcome {
  fromVersion: string;
  toVersion: string;
  smokeTest: SmokeTestOutcome;
  /** Replaces "succeeded" in Slack. */
  status?: string;
  facts: Facts;
  fields: LogFields;
}

/**
 * One deployment of one function: the whole sequence, in one place. In a dry run the reads are
 * made, and every call that would change something (or invoke the function) is recorded instead.
 */
class LambdaSequence {
  readonly plannedCalls: string[] = [];
  private readonly progress: Progress = { fromVersion: undefined, toVersion: undefined, latestChanged: false };
  /** Values of the function's environment variables, only ever used to mask them in smoke-test responses. */
  private readonly secrets = new Set<string>();
  private readonly fn: string;
  private readonly alias: string | undefined;
  /** The function's revision as we last saw it: `PublishVersion` and `UpdateFunctionConfiguration` are guarded by it. */
  private revisionId: string | undefined;

  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaTargetOptions,
    private readonly request: LambdaDeployment,
    private readonly run: DeploymentRun,
    private readonly dryRun: boolean,
  ) {
    this.fn = request.lambda.functionName;
    this.alias = request.lambda.alias;
  }

  async execute(): Promise<SequenceOutcome> {
    try {
      const { change } = this.request;
      if (change.kind === 'rollback') return await this.rollback();
      if (change.kind === 'version') return await this.promote(change.version);
      return await this.release(change);
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ---- the three sequences -------------------------------------------------------------

  /** Change (or not), publish, smoke-test, move the alias; without an alias: change, smoke-test `$LATEST`. */
  private async release(change: Exclude<LambdaChange, { kind: 'rollback' | 'version' }>): Promise<SequenceOutcome> {
    if (change.kind === 'release') this.requireAlias();
    const current = await this.readConfiguration();
    this.checkPackageType(change, current);
    const alias = this.alias === undefined ? undefined : await this.readAlias(this.alias);
    const fromVersion = alias?.FunctionVersion ?? '$LATEST';
    this.progress.fromVersion = fromVersion;
    this.announce(fromVersion, alias ? PLANNED_VERSION : '$LATEST');
    if (current.LastUpdateStatus === 'InProgress') await this.waitForUpdate('before');

    const extra: Facts = [];
    if (change.kind !== 'release') {
      await this.applyChange(change, current);
      this.progress.latestChanged = true;
      const updated = await this.waitForUpdate('after');
      if (change.kind === 'image' && updated !== undefined) extra.push(...this.checkResolvedImage(change, updated.Code?.ResolvedImageUri));
    }
    if (alias === undefined) {
      const smokeTest = await this.smokeTest('$LATEST');
      return this.outcome('$LATEST', '$LATEST', smokeTest, extra);
    }

    const publishInput = { FunctionName: this.fn, Description: this.versionDescription(), RevisionId: this.revisionId };
    const published = await this.change('PublishVersion', publishInput, () => this.client.send(new PublishVersionCommand(publishInput), { abortSignal: this.run.signal }));
    const toVersion = this.dryRun ? PLANNED_VERSION : published?.Version;
    if (toVersion === undefined) throw new Error(`PublishVersion of ${this.fn} returned no version number`);
    this.progress.toVersion = toVersion;
    if (!this.dryRun) this.run.progress('lambda version published', { from_version: fromVersion, to_version: toVersion });
    if (toVersion === fromVersion) {
      // Lambda returns the latest version when nothing changed since it was published.
      return this.outcome(fromVersion, toVersion, 'skipped', extra, `succeeded; version ${toVersion} is already live (nothing changed since it was published)`);
    }
    if (published?.State !== undefined && published.State !== 'Active') await this.waitForVersion(toVersion);
    const smokeTest = await this.smokeTest(toVersion);
    await this.moveAlias(alias, toVersion, fromVersion);
    return this.outcome(fromVersion, toVersion, smokeTest, extra);
  }

  /** Move the alias to a version already published, after smoke-testing it. */
  private async promote(version: string): Promise<SequenceOutcome> {
    const aliasName = this.requireAlias();
    const target = await this.readConfiguration(version);
    const alias = await this.readAlias(aliasName);
    const fromVersion = alias.FunctionVersion ?? '$LATEST';
    this.progress.fromVersion = fromVersion;
    this.progress.toVersion = version;
    if (fromVersion === version) return this.outcome(fromVersion, version, 'skipped', [], `succeeded; alias ${aliasName} already points to version ${version}`);
    this.announce(fromVersion, version);
    if (target.State === 'Pending') await this.waitForVersion(version);
    const smokeTest = await this.smokeTest(version);
    await this.moveAlias(alias, version, fromVersion);
    return this.outcome(fromVersion, version, smokeTest, []);
  }

  /**
   * Move the alias back to the version its description records. No smoke test: that version served
   * traffic until the last deploy, and a rollback must not be held up by a test.
   */
  private async rollback(): Promise<SequenceOutcome> {
    const aliasName = this.requireAlias();
    const alias = await this.readAlias(aliasName);
    const fromVersion = alias.FunctionVersion ?? '$LATEST';
    this.progress.fromVersion = fromVersion;
    const previous = previousVersionOf(alias.Description);
    if (previous === undefined) {
      throw new DeploymentFailedError(
        `nothing to roll back to: the description of alias ${aliasName} records no previous version (deploybridge writes previous_version=N there each time it moves the alias)`,
        { retryable: false },
      );
    }
    this.progress.toVersion = previous;
    if (previous === fromVersion) return this.outcome(fromVersion, previous, 'skipped', [], `succeeded; alias ${aliasName} already points to version ${previous}`);
    await this.readConfiguration(previous); // the version must still exist
    this.announce(fromVersion, previous);
    await this.moveAlias(alias, previous, fromVersion);
    return this.outcome(fromVersion, previous, 'skipped', [], `rolled back: alias ${aliasName} moved from version ${fromVersion} back to ${previous}`);
  }

  // ---- steps -----------------------------------------------------------------------------

  private async readConfiguration(qualifier?: string): Promise<FunctionConfiguration> {
    const input = qualifier === undefined ? { FunctionName: this.fn } : { FunctionName: this.fn, Qualifier: qualifier };
    const configuration = await this.client.send(new GetFunctionConfigurationCommand(input), { abortSignal: this.run.signal });
    if (qualifier === undefined) this.revisionId = configuration.RevisionId;
    this.rememberSecrets(configuration);
    return configuration;
  }

  private async readAlias(name: string): Promise<GetAliasCommandOutput> {
    return this.client.send(new GetAliasCommand({ FunctionName: this.fn, Name: name }), { abortSignal: this.run.signal });
  }

  private rememberSecrets(configuration: FunctionConfiguration): void {
    // Short values ("1", "true") would mask half of any response and hide nothing worth hiding.
    for (const value of Object.values(configuration.Environment?.Variables ?? {})) if (value.length >= 6) this.secrets.add(value);
  }

  private checkPackageType(change: LambdaChange, current: FunctionConfiguration): void {
    const packageType = current.PackageType ?? 'Zip';
    if (change.kind === 'zip' && packageType !== 'Zip') {
      throw new DeploymentFailedError(`${this.fn} is an image function; an S3 zip cannot update its code`, { retryable: false });
    }
    if (change.kind === 'image' && packageType !== 'Image') {
      throw new DeploymentFailedError(`${this.fn} is a zip function; an image cannot update its code`, { retryable: false });
    }
  }

  private async applyChange(change: Extract<LambdaChange, { kind: 'image' | 'zip' | 'config_revision' }>, current: FunctionConfiguration): Promise<void> {
    const signal = this.run.signal;
    switch (change.kind) {
      case 'image': {
        const input = { FunctionName: this.fn, ImageUri: change.imageUri };
        await this.change('UpdateFunctionCode', input, () => this.client.send(new UpdateFunctionCodeCommand(input), { abortSignal: signal }));
        break;
      }
      case 'zip': {
        const input = { FunctionName: this.fn, S3Bucket: change.bucket, S3Key: change.key, ...(change.versionId ? { S3ObjectVersion: change.versionId } : {}) };
        await this.change('UpdateFunctionCode', input, () => this.client.send(new UpdateFunctionCodeCommand(input), { abortSignal: signal }));
        break;
      }
      case 'config_revision':
        await this.setConfigRevision(change.revision, current);
        break;
    }
    if (!this.dryRun) this.run.progress(`lambda ${change.kind === 'config_revision' ? 'configuration' : 'code'} update sent`, { change: change.kind });
  }

  /**
   * `UpdateFunctionConfiguration` replaces the whole environment, so every other variable is sent
   * back as read, guarded by the revision we read it at (someone else's change in between makes
   * Lambda refuse, and we read again). Values are never logged: the planned call shows names only.
   */
  private async setConfigRevision(revision: string, current: FunctionConfiguration): Promise<void> {
    let configuration = current;
    let reads = 0;
    const variablesOf = (c: FunctionConfiguration) => {
      if (c.Environment?.Error !== undefined) {
        throw new DeploymentFailedError(
          `cannot read the environment variables of ${this.fn} (${c.Environment.Error.ErrorCode ?? 'error'}); refusing to overwrite them`,
          { retryable: false },
        );
      }
      return { ...c.Environment?.Variables, [CONFIG_REVISION_VARIABLE]: revision };
    };
    const kept = Object.keys(variablesOf(current)).filter((name) => name !== CONFIG_REVISION_VARIABLE);
    const shown = {
      FunctionName: this.fn,
      Environment: { Variables: { [`(${kept.length} other variable${kept.length === 1 ? '' : 's'} kept, values not shown)`]: '…', [CONFIG_REVISION_VARIABLE]: revision } },
      RevisionId: current.RevisionId,
    };
    await this.change(
      'UpdateFunctionConfiguration',
      shown,
      async () => {
        if (reads++ > 0) configuration = await this.readConfiguration();
        const input = { FunctionName: this.fn, Environment: { Variables: variablesOf(configuration) }, RevisionId: configuration.RevisionId };
        return this.client.send(new UpdateFunctionConfigurationCommand(input), { abortSignal: this.run.signal });
      },
      isConflictOrStale,
    );
  }

  /** After an image update: the pushed digest should be what the tag resolved to; if the tag moved on meanwhile, say so. */
  private checkResolvedImage(change: Extract<LambdaChange, { kind: 'image' }>, resolvedImageUri: string | undefined): Facts {
    const resolvedDigest = resolvedImageUri === undefined ? undefined : parseImage(resolvedImageUri).digest;
    if (change.pushedDigest === undefined || resolvedDigest === undefined || resolvedDigest === change.pushedDigest) {
      return [['Image', resolvedImageUri ?? change.imageUri]];
    }
    const note = `the tag moved on since the push: ${change.imageUri} now resolves to ${resolvedDigest}, not the pushed ${change.pushedDigest}`;
    this.run.progress(`lambda image: ${note}`, { pushed_digest: change.pushedDigest, resolved_digest: resolvedDigest });
    return [['Image', `${resolvedImageUri} (${note})`]];
  }

  private async smokeTest(qualifier: string): Promise<SmokeTestOutcome> {
    const test = this.request.lambda.smokeTest;
    if (test === undefined) return 'not_configured';
    const input = { FunctionName: this.fn, Qualifier: qualifier, InvocationType: 'RequestResponse' as const, Payload: JSON.stringify(test.payload) };
    if (this.dryRun) {
      this.plannedCalls.push(`lambda:Invoke ${JSON.stringify({ ...input, Payload: '(smoke_test.payload)' })}${test.expect ? ` expecting ${JSON.stringify(test.expect)}` : ''}`);
      return 'skipped';
    }
    const response = await this.client.send(new InvokeCommand(input), { abortSignal: this.run.signal });
    const text = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);
    const problem = smokeTestProblem(response.FunctionError, text, test.expect);
    if (problem === undefined) {
      this.run.progress('lambda smoke test passed', { qualifier });
      return 'passed';
    }
    const shown = safeSmokeResponse(text, [...this.secrets]);
    throw new DeploymentFailedError(`smoke test failed on ${qualifier === '$LATEST' ? '$LATEST' : `version ${qualifier}`}: ${problem}`, {
      retryable: false,
      smokeTestFailed: true,
      facts: [['Smoke test response', shown]],
      fields: { smoke_test: 'failed', smoke_test_response: shown },
    });
  }

  private async moveAlias(alias: GetAliasCommandOutput, toVersion: string, fromVersion: string): Promise<void> {
    const input = {
      FunctionName: this.fn,
      Name: this.requireAlias(),
      FunctionVersion: toVersion,
      Description: this.aliasDescription(fromVersion),
      RevisionId: alias.RevisionId,
    };
    await this.change('UpdateAlias', input, () => this.client.send(new UpdateAliasCommand(input), { abortSignal: this.run.signal }));
    if (!this.dryRun) this.run.progress('lambda alias moved', { alias: input.Name, from_version: fromVersion, to_version: toVersion });
  }

  /** A call that changes AWS: sent with retries on conflicts, or in a dry run only recorded (with `shown` as its input). */
  private async change<T>(command: string, shown: unknown, send: () => Promise<T>, shouldRetry = isUpdateConflict): Promise<T | undefined> {
    if (this.dryRun) {
      this.plannedCalls.push(`lambda:${command} ${JSON.stringify(shown)}`);
      return undefined;
    }
    return this.run.retry(command, shouldRetry, send);
  }

  // ---- waits -----------------------------------------------------------------------------

  private waiterConfiguration() {
    const { waiterMinDelaySeconds: minDelay, waiterMaxDelaySeconds: maxDelay } = this.options;
    const remainingSeconds = (this.run.deadline - Date.now()) / 1000;
    // The waiter insists on maxWaitTime > minDelay; the abort signal ends it at the deadline anyway.
    return { client: this.client, minDelay, maxDelay, maxWaitTime: Math.max(minDelay * 2, remainingSeconds), abortSignal: this.run.signal };
  }

  /**
   * Waits until `LastUpdateStatus` is Successful (`waitUntilFunctionUpdatedV2`, which polls
   * `GetFunction`). Before a change, an earlier update that Failed does not block ours.
   */
  private async waitForUpdate(phase: 'before' | 'after') {
    if (this.dryRun) {
      this.plannedCalls.push(`wait: GetFunction until LastUpdateStatus is Successful (${phase === 'before' ? 'an update is in progress' : 'after the change'})`);
      this.revisionId = '(revision after the wait)';
      return undefined;
    }
    try {
      const { final } = await waitUntilFunctionUpdatedV2(this.waiterConfiguration(), { FunctionName: this.fn });
      this.revisionId = final?.Configuration?.RevisionId ?? this.revisionId;
      return final;
    } catch (error) {
      if (isWaiterTimeout(error)) throw this.timedOut('to finish updating');
      // The waiter's error embeds a whole GetFunction response, environment variables included:
      // never pass it on. Read the status again to say what happened.
      const configuration = await this.readConfiguration();
      if (configuration.LastUpdateStatus !== 'Failed') {
        throw new DeploymentFailedError(`waiting for ${this.fn} to finish updating failed (${(error as Error).name})`, { retryable: true });
      }
      const reason = `${configuration.LastUpdateStatusReasonCode ?? 'Failed'}: ${configuration.LastUpdateStatusReason ?? 'no reason given'}`;
      if (phase === 'before') {
        this.run.progress('lambda: the update in progress failed; deploying over it', { last_update_status_reason: reason });
        return undefined;
      }
      throw new DeploymentFailedError(`update of ${this.fn} failed (LastUpdateStatus Failed): ${reason}`, { retryable: false });
    }
  }

  /** Waits until a published version is Active (`waitUntilPublishedVersionActive`). */
  private async waitForVersion(version: string): Promise<void> {
    if (this.dryRun) {
      this.plannedCalls.push(`wait: GetFunctionConfiguration until version ${version} is Active`);
      return;
    }
    try {
      await waitUntilPublishedVersionActive(this.waiterConfiguration(), { FunctionName: this.fn, Qualifier: version });
    } catch (error) {
      if (isWaiterTimeout(error)) throw this.timedOut(`version ${version} to become Active`);
      const configuration = await this.readConfiguration(version);
      throw new DeploymentFailedError(
        `version ${version} of ${this.fn} did not become Active (${configuration.State ?? 'unknown'}: ${configuration.StateReason ?? (error as Error).name})`,
        { retryable: configuration.State !== 'Failed' },
      );
    }
  }

  private timedOut(what: string): DeploymentFailedError {
    return new DeploymentFailedError(`timed out waiting for ${this.fn} ${what} within DEPLOYMENT_TIMEOUT_SECONDS`, { retryable: true });
  }

  // ---- words -----------------------------------------------------------------------------

  private requireAlias(): string {
    if (this.alias === undefined) {
      throw new DeploymentFailedError(`${this.fn} has no alias in LAMBDA_CONFIG; versions and rollbacks move an alias`, { retryable: false });
    }
    return this.alias;
  }

  /** The trigger, as the description of the version it published. */
  private versionDescription(): string {
    return truncate(`deploybridge: ${describeTrigger(this.request.trigger)}`, DESCRIPTION_LIMIT);
  }

  /** What the alias description records: the version before (read by a rollback) and why it moved. */
  private aliasDescription(fromVersion: string): string {
    const { change, trigger } = this.request;
    const why = change.kind === 'rollback' ? `rollback (${describeTrigger(trigger)})` : change.kind === 'version' ? `version ${change.version} (${describeTrigger(trigger)})` : describeTrigger(trigger);
    return truncate(`deploybridge previous_version=${fromVersion}; ${why}`, DESCRIPTION_LIMIT);
  }

  private announce(fromVersion: string, toVersion: string): void {
    if (this.dryRun) return;
    this.run.announceStart({
      fields: { from_version: fromVersion, to_version: toVersion },
      facts: [...identityFacts(this.request), ['Versions', `${fromVersion} → ${toVersion}`], ['Smoke test', this.smokeTestPlan()]],
    });
  }

  private smokeTestPlan(): string {
    if (this.request.lambda.smokeTest === undefined) return 'not configured';
    if (this.request.change.kind === 'rollback') return 'skipped for a rollback';
    return this.alias === undefined ? 'runs on $LATEST after the update (no alias: nothing can be rolled back)' : 'runs on the new version before the alias moves';
  }

  private outcome(fromVersion: string, toVersion: string, smokeTest: SmokeTestOutcome, extra: Facts, status?: string): SequenceOutcome {
    const smoke = smokeTest === 'passed' ? `passed${this.request.lambda.smokeTest?.expect ? ` (${JSON.stringify(this.request.lambda.smokeTest.expect)})` : ''}` : smokeTest.replace('_', ' ');
    return {
      fromVersion,
      toVersion,
      smokeTest,
      ...(status === undefined ? {} : { status }),
      facts: [...identityFacts(this.request), ['Versions', `${fromVersion} → ${toVersion}`], ['Smoke test', smoke], ...extra],
      fields: { from_version: fromVersion, to_version: toVersion, smoke_test: smokeTest },
    };
  }

  /** Any error, with what traffic sees now: the deployer reports it as it is. */
  private failure(error: unknown): DeploymentFailedError {
    const status = this.statusAfterFailure(error);
    const fields = { from_version: this.progress.fromVersion, to_version: this.progress.toVersion };
    if (error instanceof DeploymentFailedError) {
      return new DeploymentFailedError(error.message, { ...error.details, status, fields: { ...fields, ...error.details.fields } });
    }
    return new DeploymentFailedError(describeError(error), { retryable: isRetryableAwsError(error), status, fields });
  }

  /** The Slack status of a failure: where traffic goes now, and whether anything could be rolled back. */
  private statusAfterFailure(error: unknown): string {
    const { fromVersion, toVersion, latestChanged } = this.progress;
    const isRollback = this.request.change.kind === 'rollback';
    if (this.alias === undefined) {
      return latestChanged ? 'failed: $LATEST already runs the change; nothing could be rolled back (no alias configured)' : 'failed: $LATEST unchanged';
    }
    const smokeFailed = error instanceof DeploymentFailedError && error.details.smokeTestFailed === true;
    const verb = isRollback ? 'rollback failed' : smokeFailed ? 'failed, not released' : 'failed';
    if (fromVersion === undefined) return `${verb}: alias ${this.alias} not moved`;
    const unused = !isRollback && toVersion !== undefined && toVersion !== fromVersion ? `; version ${toVersion} received no traffic` : '';
    return `${verb}: alias ${this.alias} stays on version ${fromVersion}${unused}`;
  }
}

/** Facts that name a Lambda deployment: function, alias, change. */
function identityFacts(request: LambdaDeployment): Facts {
  return [
    ['Function', request.lambda.functionName],
    ['Alias', request.lambda.alias ?? 'none ($LATEST is updated in place)'],
    ['Change', describeChange(request.change)],
  ];
}

/** Makes a deployment target of a Lambda client. */
export function createLambdaApi(client: LambdaClient, options: Partial<LambdaTargetOptions> = {}): LambdaApi {
  const settings = { ...DEFAULT_LAMBDA_TARGET_OPTIONS, ...options };
  return {
    reportsCompletion: true,
    async functionImage(functionName) {
      const { Configuration, Code } = await client.send(new GetFunctionCommand({ FunctionName: functionName }));
      // Only the package type and image are kept: GetFunction also returns a presigned code URL and the environment.
      return { packageType: Configuration?.PackageType ?? 'Zip', imageUri: Code?.ImageUri };
    },
    describe(request, region) {
      return {
        fields: { function_name: request.lambda.functionName, alias: request.lambda.alias, change: request.change.kind },
        resource: request.lambda.functionName,
        facts: identityFacts(request),
        consoleUrl: lambdaConsoleUrl(region, request.lambda.functionName),
        consoleName: 'Lambda',
      };
    },
    async preview(request: LambdaDeployment, run: DeploymentRun): Promise<DeploymentReport<LambdaDryRun>> {
      const sequence = new LambdaSequence(client, settings, request, run, true);
      const outcome = await sequence.execute();
      return {
        fields: { from_version: outcome.fromVersion, planned_calls: sequence.plannedCalls },
        facts: [['Versions', `${outcome.fromVersion} → ${outcome.toVersion}`], ['Planned calls', sequence.plannedCalls.join('\n') || '(none)']],
        result: { status: 'dry_run', functionName: request.lambda.functionName, alias: request.lambda.alias, fromVersion: outcome.fromVersion, plannedCalls: sequence.plannedCalls },
      };
    },
    async deploy(request: LambdaDeployment, run: DeploymentRun): Promise<DeploymentReport<LambdaSucceeded>> {
      const outcome = await new LambdaSequence(client, settings, request, run, false).execute();
      return {
        fields: outcome.fields,
        facts: outcome.facts,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        result: {
          status: 'succeeded',
          functionName: request.lambda.functionName,
          alias: request.lambda.alias,
          fromVersion: outcome.fromVersion,
          toVersion: outcome.toVersion,
          smokeTest: outcome.smokeTest,
        },
      };
    },
  };
}

/** A Lambda client for the region. It honours `AWS_ENDPOINT_URL` and the SDK's own retries. */
export function createLambdaClient(region: string): LambdaClient {
  return new LambdaClient({ region });
}
