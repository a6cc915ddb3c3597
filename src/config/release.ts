/**
 * Release order (`RELEASE_CONFIG`): what runs before a service deploys, and which services wait for
 * which within one change. Read and checked here, with the catalog: every service it names is an
 * ECS service of the project, every `after` names a service it lists, and the order has no cycle.
 * The module's validations of `release_config` say the same things (terraform/variables.tf).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import type { Catalog } from './catalog.js';
import type { EnvReader } from './envReader.js';
import { recordOf, serviceNameKeySchema } from './records.js';
import { SERVICE_NAME_RE } from './naming.js';

/** A one-off task run before a service deploys (a database migration). */
export interface ReleaseTask {
  /** The family whose latest ACTIVE revision runs. */
  family: string;
  /** The container whose exit code decides (and whose command `command` replaces); without it, every essential container's. */
  container: string | undefined;
  command: string[] | undefined;
  timeoutMinutes: number;
}

/** What RELEASE_CONFIG says of one service. */
export interface ReleaseRule {
  runBefore: ReleaseTask | undefined;
  /** The services (canonical names) whose deployment of the same change must complete first. */
  after: string[];
}

/** RELEASE_CONFIG, read: the rules by canonical service name. */
export interface ReleaseOrder {
  rules: Record<string, ReleaseRule>;
}

/** A task's timeout when RELEASE_CONFIG gives none, and the longest it may give. */
export const RELEASE_TASK_TIMEOUT_MINUTES = { default: 30, max: 1440 } as const;

const ECS_NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;

/** Strict: a misspelt field ("runBefore", "timeout") is a problem, not silently ignored. */
export const releaseRuleSchema = lazySchema(() =>
  z.strictObject({
    run_before: z.optional(
      z.strictObject({
        family: z
          .string()
          .check(z.regex(ECS_NAME_RE, 'run_before.family must be a task definition family (letters, digits, "-" and "_", at most 255)')),
        container: z.optional(
          z
            .string()
            .check(z.regex(ECS_NAME_RE, 'run_before.container must be a container name (letters, digits, "-" and "_", at most 255)')),
        ),
        command: z.optional(z.array(z.string()).check(z.minLength(1, 'run_before.command must list at least one word'))),
        timeout_minutes: z.optional(
          z
            .number()
            .check(
              z.refine(
                (n) => Number.isInteger(n) && n >= 1 && n <= RELEASE_TASK_TIMEOUT_MINUTES.max,
                `run_before.timeout_minutes must be a whole number from 1 to ${RELEASE_TASK_TIMEOUT_MINUTES.max}`,
              ),
            ),
        ),
      }),
    ),
    after: z.optional(z.array(z.string())),
  }),
);

export type ReleaseRuleInput = z.infer<ReturnType<typeof releaseRuleSchema>>;

/** The first cycle of the order, as the path that closes it (`['api', 'worker', 'api']`), if any. */
function cycleOf(after: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of after.get(name) ?? []) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of [...after.keys()].sort()) {
    const found = visit(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The rules of a parsed RELEASE_CONFIG, and its problems: a Lambda target (a release orders ECS
 * services), an `after` naming a service it does not list, a cycle, and the backend written two ways.
 *
 * @example
 * releaseRules({ api: { run_before: { family: 'myproject_migrate_dev' } }, worker: { after: ['api'] } }, catalog);
 * // { rules: { api: { runBefore: { family: 'myproject_migrate_dev', … }, after: [] }, worker: { runBefore: undefined, after: ['api'] } }, problems: [] }
 */
export function releaseRules(
  input: Record<string, ReleaseRuleInput>,
  catalog: Catalog,
): { rules: Record<string, ReleaseRule>; problems: string[] } {
  const problems: string[] = [];
  const keys = Object.keys(input);
  const canonical = (key: string) => catalog.naming.canonical(key) ?? key;
  const backendKeys = keys.filter((key) => canonical(key) === catalog.naming.backend).sort();
  if (backendKeys.length > 1)
    problems.push(`RELEASE_CONFIG: "${backendKeys[0]}" and "${backendKeys[1]}" name the same service (the backend); use one name`);
  const rules: Record<string, ReleaseRule> = {};
  const after = new Map<string, string[]>();
  for (const [key, rule] of Object.entries(input)) {
    if (!SERVICE_NAME_RE.test(key)) continue; // the schema reported it
    if (catalog.service(key)?.kind === 'lambda')
      problems.push(`RELEASE_CONFIG.${key}: ${key} is a Lambda target (LAMBDA_CONFIG); a release orders ECS services`);
    const unknown = (rule.after ?? []).filter((name) => !keys.includes(name));
    for (const name of unknown)
      problems.push(
        `RELEASE_CONFIG.${key}.after: "${name}" is not a service of RELEASE_CONFIG (add it as a key, {} when it has no rule of its own)`,
      );
    const task = rule.run_before;
    if (task?.command !== undefined && task.container === undefined)
      problems.push(`RELEASE_CONFIG.${key}.run_before.command needs run_before.container (the container whose command it replaces)`);
    after.set(
      key,
      (rule.after ?? []).filter((name) => keys.includes(name)),
    );
    rules[canonical(key)] = {
      runBefore:
        task === undefined
          ? undefined
          : {
              family: task.family,
              container: task.container,
              command: task.command,
              timeoutMinutes: task.timeout_minutes ?? RELEASE_TASK_TIMEOUT_MINUTES.default,
            },
      after: [...new Set((rule.after ?? []).map(canonical))],
    };
  }
  const cycle = cycleOf(after);
  if (cycle !== undefined) problems.push(`RELEASE_CONFIG: the order has a cycle (${cycle.join(' → ')})`);
  return { rules, problems };
}

const releaseConfigSchema = lazySchema(() => recordOf(serviceNameKeySchema(), releaseRuleSchema()));

/** Reads `RELEASE_CONFIG` with what its steps stand on: the deployments table, where they wait. */
export function readRelease(read: EnvReader, catalog: Catalog, deploymentsTable: string | undefined): ReleaseOrder | undefined {
  const parsed = read.json('RELEASE_CONFIG', releaseConfigSchema);
  if (parsed === undefined) return undefined;
  const { rules, problems } = releaseRules(parsed, catalog);
  read.problems.push(...problems);
  if (deploymentsTable === undefined)
    read.problems.push("RELEASE_CONFIG needs DEPLOYMENTS_TABLE, where a release's steps wait for ECS's events");
  return { rules };
}
