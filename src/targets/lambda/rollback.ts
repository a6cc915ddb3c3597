/**
 * Rollback: move the alias back to the version its description records (`previous_version=N`,
 * written by the last deploy), recording the version it leaves, so a second rollback undoes the
 * first. No smoke test: that version served traffic until the last deploy, and a rollback must
 * not be held up by a test.
 *
 * Calls: GetAlias → GetFunctionConfiguration {Qualifier: previous} (it must still exist) → UpdateAlias.
 */
import { DeploymentError } from '../../shared/errors.js';
import type { PreparedDeployment } from '../contract.js';
import { describeMoveAlias, moveAlias, previousVersionOf } from './alias.js';
import type { Session } from './session.js';

export async function prepareRollback(session: Session): Promise<PreparedDeployment> {
  const aliasName = session.requireAlias();
  const alias = await session.readAlias(aliasName);
  const fromVersion = alias.FunctionVersion ?? '$LATEST';
  session.progress.fromVersion = fromVersion;
  const previous = previousVersionOf(alias.Description);
  if (previous === undefined) {
    throw new DeploymentError(
      `nothing to roll back to: the description of alias ${aliasName} records no previous version (deploybridge writes previous_version=N there each time it moves the alias)`,
      { retryable: false },
    );
  }
  session.progress.toVersion = previous;
  const preview = { target: 'lambda', functionName: session.fn, alias: aliasName, fromVersion, toVersion: previous } as const;
  const apply = () =>
    session.settle(async () => {
      await moveAlias(session, alias, previous, fromVersion, { sameFromVersion: true });
      return session.release(fromVersion, previous, 'skipped', { note: 'rolled_back' });
    });
  if (previous === fromVersion) {
    return {
      preview,
      calls: [],
      settled: { status: 'succeeded', result: session.release(fromVersion, previous, 'skipped', { note: 'already_on_version' }) },
    };
  }
  await session.readConfiguration(previous);
  return { preview, calls: [describeMoveAlias(session, alias, previous, fromVersion)], apply };
}
