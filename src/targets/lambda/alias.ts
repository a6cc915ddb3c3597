/**
 * Moving an alias, and the record deploybridge keeps in its description: the version the alias
 * pointed to before (`deploybridge previous_version=12; <why>`), written in the same `UpdateAlias`
 * call that moves it, so the record can never disagree with the move. A rollback reads it back.
 */
import { UpdateAliasCommand, type GetAliasCommandOutput } from '../../aws/lambda.js';
import { LAMBDA_DEFAULTS } from '../../constants.js';
import { truncate } from '../../text.js';
import { describeCall, type Session } from './session.js';

const PREVIOUS_VERSION_RE = /(?:^|\s)previous_version=(\$LATEST|\d+)(?=[;\s]|$)/;

/** The version an alias description written by deploybridge records as the one before, if any. */
export function previousVersionOf(aliasDescription: string | undefined): string | undefined {
  return aliasDescription === undefined ? undefined : PREVIOUS_VERSION_RE.exec(aliasDescription)?.[1];
}

/** What the alias description records: the version before (read by a rollback) and why it moved. */
function aliasDescription(session: Session, fromVersion: string): string {
  const { change } = session.request;
  const trigger = session.context.trigger;
  const why = change.kind === 'rollback' ? `rollback (${trigger})` : change.kind === 'version' ? `version ${change.version} (${trigger})` : trigger;
  return truncate(`deploybridge previous_version=${fromVersion}; ${why}`, LAMBDA_DEFAULTS.descriptionLimit);
}

function updateAliasInput(session: Session, alias: GetAliasCommandOutput, toVersion: string, fromVersion: string) {
  return { FunctionName: session.fn, Name: session.requireAlias(), FunctionVersion: toVersion, Description: aliasDescription(session, fromVersion), RevisionId: alias.RevisionId };
}

/** The move as a dry run describes it. */
export function describeMoveAlias(session: Session, alias: GetAliasCommandOutput, toVersion: string, fromVersion: string): string {
  return describeCall('UpdateAlias', updateAliasInput(session, alias, toVersion, fromVersion));
}

/** `UpdateAlias` to `toVersion`, guarded by the alias revision that was read. */
export async function moveAlias(session: Session, alias: GetAliasCommandOutput, toVersion: string, fromVersion: string): Promise<void> {
  const input = updateAliasInput(session, alias, toVersion, fromVersion);
  await session.change('UpdateAlias', () => session.client.send(new UpdateAliasCommand(input), { abortSignal: session.context.signal }));
  session.context.log.info('lambda alias moved', { alias: input.Name, from_version: fromVersion, to_version: toVersion });
}
