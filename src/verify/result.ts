/**
 * What a preflight check reports: one result per thing checked, `ok`, `problem` (something that
 * will make a deployment fail, or make an event deploy nothing) or `warning` (works, but not as
 * someone would assume), each with what to do about it.
 */

export type Status = 'ok' | 'problem' | 'warning';

/** What was checked; stable names for `--json` consumers. */
export type CheckName =
  | 'configuration'
  | 'credentials'
  | 'cluster'
  | 'ecs-service'
  | 'unreachable-service'
  | 'task-family'
  | 'revision'
  | 'image'
  | 'push'
  | 'parameters'
  | 'env-file'
  | 'lambda-function'
  | 'lambda-alias'
  | 'lambda-artifact'
  | 'release-task'
  /** `ROLLOUT_CONFIG`: the service's deployment strategy and lifecycle hooks, its alarms, its smoke URLs. */
  | 'rollout-hooks'
  | 'rollout-alarms'
  | 'rollout-smoke'
  | 'slack'
  | 'approvals'
  /** The channels besides Slack, and `--notify`'s test messages. */
  | 'notify';

export interface CheckResult {
  status: Status;
  check: CheckName;
  /** The service of the catalog it concerns, when one. */
  service?: string;
  /** What was found. */
  message: string;
  /** What to do about it (problems and warnings). */
  fix?: string;
}

type Finding = Omit<CheckResult, 'status' | 'check'>;

export const ok = (check: CheckName, finding: Finding): CheckResult => ({ status: 'ok', check, ...finding });
export const problem = (check: CheckName, finding: Finding): CheckResult => ({ status: 'problem', check, ...finding });
export const warning = (check: CheckName, finding: Finding): CheckResult => ({ status: 'warning', check, ...finding });

export interface Summary {
  ok: number;
  problems: number;
  warnings: number;
}

export function summarise(results: readonly CheckResult[]): Summary {
  const count = (status: Status) => results.filter((r) => r.status === status).length;
  return { ok: count('ok'), problems: count('problem'), warnings: count('warning') };
}

/** 0 when nothing is a problem, 1 when something is (2, "could not run", is decided before any result). */
export function exitCode(summary: Summary): 0 | 1 {
  return summary.problems === 0 ? 0 : 1;
}
