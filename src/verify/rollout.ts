/**
 * `ROLLOUT_CONFIG`: the checks that gate an ECS rollout can run. Each service deploys with a
 * strategy that invokes lifecycle hooks (`BLUE_GREEN`, `LINEAR`, `CANARY`; `ROLLING` invokes none)
 * whose target is this function at the stages the checks name; each named alarm exists (one that
 * does not fails every hook call); each smoke URL answers now as the hook expects it to (the same
 * request and rules as src/rollout/smoke.ts).
 */
import type { EcsService } from '../config/catalog.js';
import type { Config } from '../config/config.js';
import type { ServiceRollout } from '../config/rollout.js';
import type { Service } from '../aws/ecs.js';
import { readAlarms } from '../rollout/alarms.js';
import { runSmokeCheck } from '../rollout/smoke.js';
import { awsFailure } from './clients.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import type { DescribedService } from './ecsService.js';
import { ok, problem, warning, type CheckResult } from './result.js';

type LifecycleHook = NonNullable<NonNullable<Service['deploymentConfiguration']>['lifecycleHooks']>[number];

/** Strategies whose deployments ECS runs through lifecycle hooks. */
const HOOKED_STRATEGIES = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);

/**
 * The name of the function the hooks must invoke: `AWS_LAMBDA_FUNCTION_NAME` when set (as in the
 * function itself), else the module's default name.
 */
function hookFunctionName(config: Config): string {
  return config.functionName ?? `${config.projectName}-deploybridge-${config.projectEnv}`;
}

/** The function a `hookTargetArn` names (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, or a name). */
function functionOf(target: string | undefined): string {
  if (target === undefined) return '?';
  const parts = target.split(':');
  return target.startsWith('arn:') ? (parts[6] ?? target) : (parts[0] ?? target);
}

/** The stages at which a check of `rollout` runs (alarms run at every call, so they need just one hook). */
function configuredStages(rollout: ServiceRollout): Array<{ what: string; stage: string }> {
  return [
    ...rollout.smoke.map((check) => ({ what: `the smoke check of ${check.url}`, stage: check.stage })),
    ...(rollout.bake === undefined ? [] : [{ what: `the ${rollout.bake.minutes} min bake`, stage: rollout.bake.stage }]),
  ];
}

/** The strategy and the hooks of one service: whether ECS will call this function where the checks need it. */
function hookLines(config: Config, name: string, service: Service, rollout: ServiceRollout): CheckResult[] {
  const ecsName = service.serviceName ?? name;
  const strategy = service.deploymentConfiguration?.strategy ?? 'ROLLING';
  const self = hookFunctionName(config);
  if (!HOOKED_STRATEGIES.has(strategy)) {
    return [
      warning('rollout-hooks', {
        service: name,
        message: `ECS service ${ecsName} deploys with the ${strategy} strategy, which invokes no lifecycle hook: the checks of ROLLOUT_CONFIG.${name} never run`,
        fix: `give it deployment_configuration.strategy BLUE_GREEN, LINEAR or CANARY with lifecycle hooks invoking ${self} (docs/rollout-hooks.md), or remove ${name} from ROLLOUT_CONFIG`,
      }),
    ];
  }
  const hooks: LifecycleHook[] = service.deploymentConfiguration?.lifecycleHooks ?? [];
  const results: CheckResult[] = [];
  const ours = hooks.filter((hook) => functionOf(hook.hookTargetArn) === self);
  for (const hook of hooks.filter((h) => !ours.includes(h))) {
    results.push(
      warning('rollout-hooks', {
        service: name,
        message: `the lifecycle hook of ${ecsName} at ${(hook.lifecycleStages ?? []).join(', ') || 'no stage'} invokes ${functionOf(hook.hookTargetArn)}, not this deploybridge (${self}): ECS does not run the checks of ROLLOUT_CONFIG.${name} there`,
        fix: `point its hook_target_arn at the module's function_arn, or leave it if another function gates that stage on purpose`,
      }),
    );
  }
  const stages = new Set<string>(ours.flatMap((hook) => hook.lifecycleStages ?? []));
  if (ours.length === 0) {
    results.push(
      warning('rollout-hooks', {
        service: name,
        message: `ECS service ${ecsName} deploys with ${strategy}, but no lifecycle hook invokes ${self}: the checks of ROLLOUT_CONFIG.${name} never run`,
        fix: `add a lifecycle hook with hook_target_arn the module's function_arn and role_arn its ecs_hook_role_arn (docs/rollout-hooks.md)`,
      }),
    );
    return results;
  }
  results.push(
    ok('rollout-hooks', {
      service: name,
      message: `ECS service ${ecsName} deploys with ${strategy}; lifecycle hooks invoke ${self} at ${[...stages].join(', ')}`,
    }),
  );
  for (const { what, stage } of configuredStages(rollout).filter((c) => !stages.has(c.stage))) {
    results.push(
      warning('rollout-hooks', {
        service: name,
        message: `${what} (ROLLOUT_CONFIG.${name}) is at ${stage}, where no lifecycle hook of ${ecsName} invokes ${self}: it never runs`,
        fix: `add ${stage} to the lifecycle_stages of the hook invoking ${self}, or move the check to one of its stages`,
      }),
    );
  }
  return results;
}

/** The named alarms: each exists (a missing one fails every hook call); one in ALARM now would roll a deployment back. */
async function alarmLines(ctx: VerifyContext, name: string, alarms: string[]): Promise<CheckResult[]> {
  if (alarms.length === 0) return [];
  let reading;
  try {
    reading = await readAlarms(ctx.clients.cloudwatch, alarms);
  } catch (error) {
    return [couldNotCheck('rollout-alarms', name, `the alarms of ROLLOUT_CONFIG.${name}`, 'cloudwatch:DescribeAlarms', awsFailure(error))];
  }
  const results: CheckResult[] = reading.missing.map((alarm) =>
    problem('rollout-alarms', {
      service: name,
      message: `alarm ${alarm} (ROLLOUT_CONFIG.${name}.alarms) does not exist in ${ctx.config.region}: every lifecycle hook call for ${name} would answer FAILED`,
      fix: `create it, or correct its name (CloudWatch alarm names are case-sensitive)`,
    }),
  );
  for (const alarm of reading.firing) {
    results.push(
      warning('rollout-alarms', {
        service: name,
        message: `alarm ${alarm.name} is in ALARM${alarm.since === undefined ? '' : ` since ${alarm.since}`} (${alarm.reason}): a deployment of ${name} now would be rolled back`,
        fix: 'resolve what it reports before deploying',
      }),
    );
  }
  const quiet = alarms.filter((alarm) => !reading.missing.includes(alarm) && !reading.firing.some((f) => f.name === alarm));
  if (quiet.length > 0)
    results.push(
      ok('rollout-alarms', {
        service: name,
        message: `${quiet.length === 1 ? '1 alarm exists and is' : `${quiet.length} alarms exist and are`} not in ALARM (${quiet.join(', ')})`,
      }),
    );
  return results;
}

/** Each smoke URL, requested now as the hook requests it. */
async function smokeLines(name: string, rollout: ServiceRollout): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [index, check] of rollout.smoke.entries()) {
    const timeoutMs = check.timeoutSeconds * 1000;
    const reading = await runSmokeCheck(check, { signal: AbortSignal.timeout(timeoutMs), timeoutMs, now: Date.now });
    const expected = `${check.expectStatus}${check.expectBody === undefined ? '' : ` with ${JSON.stringify(check.expectBody)}`}`;
    if (reading.passed) {
      results.push(ok('rollout-smoke', { service: name, message: `smoke URL ${reading.url} (${check.stage}) answers ${expected}` }));
      continue;
    }
    const body = reading.body === undefined || reading.body === '' ? '' : ` (body: ${JSON.stringify(reading.body)})`;
    results.push(
      problem('rollout-smoke', {
        service: name,
        message: `smoke URL ${reading.url} (${check.stage}): ${reading.problem}${body}: the hook would answer FAILED and ECS roll the deployment back`,
        fix: `correct ROLLOUT_CONFIG.${name}.smoke[${index}] or the service; a URL only the function's network reaches (a private test listener) is checked by running the preflight from there`,
      }),
    );
  }
  return results;
}

/**
 * Every line about `ROLLOUT_CONFIG`, service by service. `described` holds the services as
 * DescribeServices answered (undefined when the cluster could not be read: then only the alarms
 * and the smoke URLs are checked); `reported` the ECS services whose existence other lines report.
 *
 * @example
 * results.push(...(await checkRollout(ctx, described, new Set(['myproject_service_api_dev']))));
 */
export async function checkRollout(
  ctx: VerifyContext,
  described: ReadonlyMap<string, DescribedService> | undefined,
  reported: ReadonlySet<string>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [name, rollout] of Object.entries(ctx.config.rollout)) {
    const ecs = (ctx.config.catalog.service(name) as EcsService).ecs;
    const state = described?.get(ecs.service);
    if (state?.state === 'found') results.push(...hookLines(ctx.config, name, state.service, rollout));
    else if (state?.state === 'failed' && !reported.has(ecs.service))
      results.push(couldNotCheck('rollout-hooks', name, `ECS service ${ecs.service}`, 'ecs:DescribeServices', state.failure));
    else if (state?.state === 'missing' && !reported.has(ecs.service))
      results.push(
        problem('rollout-hooks', {
          service: name,
          message: `ROLLOUT_CONFIG.${name} gates ECS service ${ecs.service}, which is not in cluster ${ecs.cluster}`,
          fix: `correct the key "${name}" in ROLLOUT_CONFIG, or SERVICE_NAME_PATTERN (it renders ${ecs.service} for ${name})`,
        }),
      );
    results.push(...(await alarmLines(ctx, name, rollout.alarms)), ...(await smokeLines(name, rollout)));
  }
  return [...results, ...unconfiguredHooks(ctx.config, described)];
}

/** Services whose hooks invoke this function although `ROLLOUT_CONFIG` gives them no check: each call answers SUCCEEDED at once. */
function unconfiguredHooks(config: Config, described: ReadonlyMap<string, DescribedService> | undefined): CheckResult[] {
  const self = hookFunctionName(config);
  return [...(described?.values() ?? [])].flatMap((state) => {
    if (state.state !== 'found') return [];
    const { serviceName = '?', deploymentConfiguration } = state.service;
    const name = config.catalog.forEcsService(serviceName)?.name ?? serviceName;
    const stages = (deploymentConfiguration?.lifecycleHooks ?? [])
      .filter((hook) => functionOf(hook.hookTargetArn) === self)
      .flatMap((hook) => hook.lifecycleStages ?? []);
    if (stages.length === 0 || name in config.rollout) return [];
    return [
      warning('rollout-hooks', {
        service: name,
        message: `lifecycle hooks of ${serviceName} invoke ${self} at ${stages.join(', ')}, but ROLLOUT_CONFIG has no checks for ${name}: each call answers SUCCEEDED at once`,
        fix: `add ${name} to ROLLOUT_CONFIG with its smoke URLs, alarms or bake, or remove the hooks`,
      }),
    ];
  });
}
