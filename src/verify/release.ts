/**
 * The tasks RELEASE_CONFIG runs before services deploy: each family has an ACTIVE revision (the
 * one a release runs), and it has the container `run_before.container` names (whose exit decides
 * and whose command is replaced).
 */
import { shortTaskDefinition } from '../config/naming.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { describeRevision } from './ecsService.js';
import { ok, problem, type CheckResult } from './result.js';

/**
 * One line per `run_before` task.
 *
 * @example
 * results.push(...(await checkReleaseTasks(ctx)));
 */
export async function checkReleaseTasks(ctx: VerifyContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [service, rule] of Object.entries(ctx.config.release?.rules ?? {})) {
    const task = rule.runBefore;
    if (task === undefined) continue;
    const described = await describeRevision(ctx, task.family);
    if (described.state === 'failed') {
      results.push(
        couldNotCheck('release-task', service, `task-definition family ${task.family}`, 'ecs:DescribeTaskDefinition', described.failure),
      );
      continue;
    }
    if (described.state === 'missing') {
      results.push(
        problem('release-task', {
          service,
          message: `RELEASE_CONFIG.${service}.run_before.family ${task.family} has no ACTIVE revision: every release of ${service} would stop before it deploys`,
          fix: `register the task definition, or correct run_before.family`,
        }),
      );
      continue;
    }
    const revision = shortTaskDefinition(described.definition.taskDefinitionArn ?? task.family);
    const names = (described.definition.containerDefinitions ?? []).flatMap((c) => (c.name === undefined ? [] : [c.name]));
    if (task.container !== undefined && !names.includes(task.container)) {
      results.push(
        problem('release-task', {
          service,
          message: `${revision} has no container ${task.container} (it has ${names.join(', ') || 'none'}): every release of ${service} would stop before it deploys`,
          fix: `correct RELEASE_CONFIG.${service}.run_before.container`,
        }),
      );
      continue;
    }
    results.push(
      ok('release-task', {
        service,
        message: `runs ${revision} before it deploys${task.container === undefined ? ' (every essential container must exit 0)' : `; container ${task.container} decides`}`,
      }),
    );
  }
  return results;
}
