/**
 * Release: change the function (new code or a new configuration revision; nothing for a manual
 * release of what `$LATEST` already holds), publish a version, smoke-test it, then move the alias
 * to it, so no traffic reaches a version that failed its smoke test. Without an alias, `$LATEST` is
 * changed in place and smoke-tested afterwards, when nothing can be rolled back any more.
 *
 * Calls, with an alias: GetFunctionConfiguration → GetAlias → [wait while an update is in progress]
 * → the update → wait → PublishVersion → [wait until the version is Active] → Invoke → UpdateAlias.
 */
import type { FunctionConfiguration, GetAliasCommandOutput } from '../../aws/lambda.js';
import { LAMBDA_DEFAULTS } from '../../config/constants.js';
import { DeploymentError } from '../../shared/errors.js';
import type { LambdaChange } from '../../triggers/requests.js';
import type { LambdaRelease } from '../outcomes.js';
import { truncate } from '../../shared/text.js';
import type { PreparedDeployment } from '../contract.js';
import { describeMoveAlias, moveAlias } from './alias.js';
import { describeCall, isConflictOrStale, isStale, type Session } from './session.js';
import { describeSmokeTest, smokeTest } from './smoke.js';
import { applyUpdate, checkPackageType, describeUpdate, resolvedImage, type FunctionUpdate } from './update.js';
import { describeWait, waitForUpdate, waitForVersion } from './wait.js';

/** Shown instead of the number of a version that is yet to be published. */
const NEW_VERSION = '(new version)';

/** What a release changes first: an update, or nothing (a manual release). */
export type ReleaseChange = FunctionUpdate | Extract<LambdaChange, { kind: 'release' }>;

function publishInput(session: Session, revisionId: string | undefined) {
  return {
    FunctionName: session.fn,
    Description: truncate(`deploybridge: ${session.context.trigger}`, LAMBDA_DEFAULTS.descriptionLimit),
    RevisionId: revisionId,
  };
}

/**
 * `PublishVersion`, guarded by the revision last seen; returns the version and its state. Someone
 * else's change in between makes Lambda refuse: the function is read again and published at its
 * new revision.
 */
async function publish(session: Session, fromVersion: string): Promise<{ version: string; active: boolean }> {
  let stale = false;
  const published = await session.change(
    'PublishVersion',
    async () => {
      if (stale) await session.readConfiguration();
      return session.client.send(new session.sdk.PublishVersionCommand(publishInput(session, session.revisionId)), {
        abortSignal: session.context.signal,
      });
    },
    (error) => {
      stale = isStale(error);
      return isConflictOrStale(error);
    },
  );
  if (published.Version === undefined)
    throw new DeploymentError(`PublishVersion of ${session.fn} returned no version number`, { retryable: true });
  session.progress.toVersion = published.Version;
  session.context.log.info('lambda version published', { from_version: fromVersion, to_version: published.Version });
  return { version: published.Version, active: published.State === undefined || published.State === 'Active' };
}

/** The calls after the reads, as a dry run describes them. */
function describeRelease(
  session: Session,
  current: FunctionConfiguration,
  alias: GetAliasCommandOutput | undefined,
  update: FunctionUpdate | undefined,
  fromVersion: string,
): string[] {
  const busy = current.LastUpdateStatus === 'InProgress';
  const calls = [
    ...(busy ? [describeWait.update('before')] : []),
    ...(update === undefined ? [] : [describeUpdate(session, update, current), describeWait.update('after')]),
  ];
  if (alias === undefined) return [...calls, ...describeSmokeTest(session, '$LATEST')];
  const revision = busy || update !== undefined ? '(revision after the wait)' : current.RevisionId;
  return [
    ...calls,
    describeCall('PublishVersion', publishInput(session, revision)),
    ...describeSmokeTest(session, NEW_VERSION),
    describeMoveAlias(session, alias, NEW_VERSION, fromVersion),
  ];
}

/** Reads the function and its alias, and prepares the release. */
export async function prepareRelease(session: Session, change: ReleaseChange): Promise<PreparedDeployment> {
  if (change.kind === 'release') session.requireAlias();
  const current = await session.readConfiguration();
  checkPackageType(session, change, current);
  const alias = session.alias === undefined ? undefined : await session.readAlias(session.alias);
  const fromVersion = alias?.FunctionVersion ?? '$LATEST';
  session.progress.fromVersion = fromVersion;
  const update = change.kind === 'release' ? undefined : change;
  return {
    preview: {
      target: 'lambda',
      functionName: session.fn,
      alias: session.alias,
      fromVersion,
      toVersion: alias === undefined ? '$LATEST' : NEW_VERSION,
    },
    calls: describeRelease(session, current, alias, update, fromVersion),
    apply: () => session.settle(() => release(session, current, alias, update, fromVersion)),
  };
}

async function release(
  session: Session,
  current: FunctionConfiguration,
  alias: GetAliasCommandOutput | undefined,
  update: FunctionUpdate | undefined,
  fromVersion: string,
): Promise<LambdaRelease> {
  if (current.LastUpdateStatus === 'InProgress') await waitForUpdate(session, 'before');
  let image: LambdaRelease['image'];
  if (update !== undefined) {
    await applyUpdate(session, update, current);
    session.progress.latestChanged = true;
    const updated = await waitForUpdate(session, 'after');
    if (update.kind === 'image' && updated !== undefined) image = resolvedImage(session, update, updated.Code?.ResolvedImageUri);
  }
  const extra = image === undefined ? {} : { image };
  if (alias === undefined) return session.release('$LATEST', '$LATEST', await smokeTest(session, '$LATEST'), extra);

  const published = await publish(session, fromVersion);
  // Lambda returns the latest version when nothing changed since it was published.
  if (published.version === fromVersion)
    return session.release(fromVersion, published.version, 'skipped', { ...extra, note: 'already_published' });
  if (!published.active) await waitForVersion(session, published.version);
  const smoke = await smokeTest(session, published.version);
  const movedFrom = await moveAlias(session, alias, published.version, fromVersion);
  return session.release(movedFrom, published.version, smoke, extra);
}
