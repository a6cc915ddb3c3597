/**
 * What release a change's deployments make under RELEASE_CONFIG: its steps in the order `after`
 * gives (a `run_before` task before its service), and its id. Pure: ./releases.ts records it and
 * moves it on; a dry run only describes it.
 */
import { createHash } from 'node:crypto';
import { RELEASE_STARTED_BY_PREFIX } from '../config/constants.js';
import type { ReleaseRule } from '../config/release.js';
import type { DeploymentOrder } from '../deploy/deployer.js';
import type { ReleaseDeployStep, ReleaseStep, ReleaseTaskStep } from './journal.js';

/** The services of a change in an order that honours `after` (a service after the ones it waits for), stable otherwise. */
function ordered(services: string[], rules: Record<string, ReleaseRule>): string[] {
  const placed: string[] = [];
  const visit = (service: string) => {
    if (placed.includes(service)) return;
    for (const before of rules[service]?.after ?? []) if (services.includes(before)) visit(before);
    placed.push(service);
  };
  for (const service of services) visit(service);
  return placed;
}

/**
 * The steps of a release for a change's ECS deployments named in RELEASE_CONFIG, or undefined when
 * they have nothing to run before them and no order between them (they start together, as without it).
 *
 * @example
 * releaseSteps(orders, { api: { runBefore: migrate, after: [] }, worker: { runBefore: undefined, after: ['api'] } }, 'ab12…');
 * // [task before api, deploy api (after 0), deploy worker (after 1)]
 */
function releaseSteps(orders: readonly DeploymentOrder[], rules: Record<string, ReleaseRule>, id: string): ReleaseStep[] | undefined {
  const byService = new Map(orders.map((order) => [order.request.service, order]));
  const services = ordered([...byService.keys()], rules);
  const steps: ReleaseStep[] = [];
  const deployOf = new Map<string, number>();
  let ordering = false;
  for (const service of services) {
    const order = byService.get(service) as DeploymentOrder;
    const rule = rules[service] as ReleaseRule;
    const before = rule.after.flatMap((name) => (deployOf.has(name) ? [deployOf.get(name) as number] : []));
    if (before.length > 0) ordering = true;
    let deployAfter = before;
    if (rule.runBefore !== undefined) {
      ordering = true;
      const task: ReleaseTaskStep = {
        kind: 'task',
        service,
        after: before,
        state: 'waiting',
        family: rule.runBefore.family,
        container: rule.runBefore.container,
        command: rule.runBefore.command,
        timeoutMinutes: rule.runBefore.timeoutMinutes,
        startedBy: `${RELEASE_STARTED_BY_PREFIX}${id}/${steps.length}`,
      };
      deployAfter = [steps.length];
      steps.push(task);
    }
    const { request, eventId, triggeredAt, route } = order;
    const deploy: ReleaseDeployStep = {
      kind: 'deploy',
      service,
      after: deployAfter,
      state: 'waiting',
      order: { request, eventId, triggeredAt, route },
    };
    deployOf.set(service, steps.length);
    steps.push(deploy);
  }
  return ordering ? steps : undefined;
}

/**
 * The release a change's deployments make, if RELEASE_CONFIG orders them: its id (from the change's
 * event and services, so a redelivered event finds it), its steps, and the deployments it holds.
 *
 * @example
 * const planned = planRelease(orders, config.release.rules); // undefined: they deploy together, as without it
 */
export function planRelease(
  orders: readonly DeploymentOrder[],
  rules: Record<string, ReleaseRule>,
): { id: string; steps: ReleaseStep[]; ordered: DeploymentOrder[] } | undefined {
  const ordered = orders.filter((o) => o.request.target === 'ecs' && o.request.service in rules && o.release === undefined);
  const first = ordered[0];
  if (first === undefined) return undefined;
  const id = createHash('sha256')
    .update(JSON.stringify([first.eventId, ...ordered.map((o) => o.request.service)]))
    .digest('hex')
    .slice(0, 16);
  const steps = releaseSteps(ordered, rules, id);
  return steps === undefined ? undefined : { id, steps, ordered };
}
