/**
 * Moving an alias, and the record deploybridge keeps in its description: the version the alias
 * pointed to before (`deploybridge previous_version=12; <why>`), written in the same `UpdateAlias`
 * call that moves it, so the record can never disagree with the move. A rollback reads it back.
 */
import type { GetAliasCommandOutput } from '../../aws/lambda.js';
import { LAMBDA_DEFAULTS } from '../../config/constants.js';
import { truncate } from '../../shared/text.js';
import { DeploymentError } from '../../shared/errors.js';
import { describeCall, isConflictOrStale, isStale, type Session } from './session.js';

const PREVIOUS_VERSION_RE = /(?:^|\s)previous_version=(\$LATEST|\d+)(?=[;\s]|$)/;

/** The version an alias description written by deploybridge records as the one before, if any. */
export function previousVersionOf(aliasDescription: string | undefined): string | undefined {
  return aliasDescription === undefined ? undefined : PREVIOUS_VERSION_RE.exec(aliasDescription)?.[1];
}

/** What the alias description records: the version before (read by a rollback) and why it moved. */
function aliasDescription(session: Session, fromVersion: string): string {
  const { change } = session.request;
  const trigger = session.context.trigger;
  const why =
    change.kind === 'rollback' ? `rollback (${trigger})` : change.kind === 'version' ? `version ${change.version} (${trigger})` : trigger;
  return truncate(`deploybridge previous_version=${fromVersion}; ${why}`, LAMBDA_DEFAULTS.descriptionLimit);
}

function updateAliasInput(session: Session, alias: GetAliasCommandOutput, toVersion: string, fromVersion: string) {
  return {
    FunctionName: session.fn,
    Name: session.requireAlias(),
    FunctionVersion: toVersion,
    Description: aliasDescription(session, fromVersion),
    RevisionId: alias.RevisionId,
  };
}

/** The move as a dry run describes it. */
export function describeMoveAlias(session: Session, alias: GetAliasCommandOutput, toVersion: string, fromVersion: string): string {
  return describeCall('UpdateAlias', updateAliasInput(session, alias, toVersion, fromVersion));
}

/**
 * `UpdateAlias` to `toVersion`, guarded by the alias revision that was read; returns the version
 * the alias moved from. Someone else's change in between makes Lambda refuse: the alias is read
 * again and moved from where it is now, recording that version as the one before. A rollback
 * (`sameFromVersion`) only retries while the alias still points to the version it rolls back
 * from: once it moved elsewhere, "the version before" means something else, so it fails.
 */
export async function moveAlias(
  session: Session,
  read: GetAliasCommandOutput,
  toVersion: string,
  fromVersion: string,
  options: { sameFromVersion?: boolean } = {},
): Promise<string> {
  let alias = read;
  let from = fromVersion;
  let stale = false;
  await session.change(
    'UpdateAlias',
    async () => {
      if (stale) {
        alias = await session.readAlias(session.requireAlias());
        const now = alias.FunctionVersion ?? '$LATEST';
        if (options.sameFromVersion === true && now !== fromVersion) {
          session.progress.fromVersion = now;
          throw new DeploymentError(
            `alias ${session.requireAlias()} moved from version ${fromVersion} to ${now} while rolling back; nothing was changed (send the rollback again to roll back from ${now})`,
            { retryable: false },
          );
        }
        from = now;
        session.progress.fromVersion = now;
      }
      const input = updateAliasInput(session, alias, toVersion, from);
      return session.client.send(new session.sdk.UpdateAliasCommand(input), { abortSignal: session.context.signal });
    },
    (error) => {
      stale = isStale(error);
      return isConflictOrStale(error);
    },
  );
  session.context.log.info('lambda alias moved', { alias: session.requireAlias(), from_version: from, to_version: toVersion });
  return from;
}
