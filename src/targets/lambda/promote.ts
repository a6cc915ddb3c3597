/**
 * Promote: move the alias to a version that is already published, after smoke-testing it.
 *
 * Calls: GetFunctionConfiguration {Qualifier: V} → GetAlias → [wait until V is Active] → Invoke {V}
 * → UpdateAlias.
 */
import type { PreparedDeployment } from '../contract.js';
import { describeMoveAlias, moveAlias } from './alias.js';
import type { Session } from './session.js';
import { describeSmokeTest, smokeTest } from './smoke.js';
import { describeWait, waitForVersion } from './wait.js';

export async function preparePromote(session: Session, version: string): Promise<PreparedDeployment> {
  const aliasName = session.requireAlias();
  const target = await session.readConfiguration(version);
  const alias = await session.readAlias(aliasName);
  const fromVersion = alias.FunctionVersion ?? '$LATEST';
  Object.assign(session.progress, { fromVersion, toVersion: version });
  const preview = { target: 'lambda', functionName: session.fn, alias: aliasName, fromVersion, toVersion: version } as const;
  const pending = target.State === 'Pending';
  const apply = () =>
    session.settle(async () => {
      if (pending) await waitForVersion(session, version);
      const smoke = await smokeTest(session, version);
      const movedFrom = await moveAlias(session, alias, version, fromVersion);
      return session.release(movedFrom, version, smoke);
    });
  if (fromVersion === version) {
    return {
      preview,
      calls: [],
      settled: { status: 'succeeded', result: session.release(fromVersion, version, 'skipped', { note: 'already_on_version' }) },
    };
  }
  const calls = [
    ...(pending ? [describeWait.version(version)] : []),
    ...describeSmokeTest(session, version),
    describeMoveAlias(session, alias, version, fromVersion),
  ];
  return { preview, calls, apply };
}
