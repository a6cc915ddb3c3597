/**
 * `ROLLOUT_CONFIG`: the checks that gate an ECS rollout, per service of the catalog. ECS shifts the
 * traffic (a `BLUE_GREEN`, `LINEAR` or `CANARY` strategy) and invokes deploybridge as the lifecycle
 * hook of its stages; these checks decide the hook's answer (src/rollout/).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/schema.js';
import type { Catalog } from './catalog.js';
import { ROLLOUT_DEFAULTS } from './constants.js';
import type { EnvReader } from './envReader.js';
import { recordOf, serviceNameKeySchema } from './records.js';

/** The lifecycle stages ECS invokes a Lambda hook at. */
export const HOOK_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
] as const;
export type HookStage = (typeof HOOK_STAGES)[number];

/** A smoke URL: requested with GET at its stage; the answer must have this status and contain this text. */
export interface SmokeCheck {
  stage: HookStage;
  url: string;
  expectStatus: number;
  expectBody: string | undefined;
  timeoutSeconds: number;
}

/** The bake: at its stage the hook answers `IN_PROGRESS` until the minutes have passed, checking the alarms at each call. */
export interface BakeCheck {
  stage: HookStage;
  minutes: number;
  callbackDelaySeconds: number;
}

/** The checks of one service. */
export interface ServiceRollout {
  smoke: SmokeCheck[];
  /** CloudWatch alarm names (metric or composite), checked at every hook invocation. */
  alarms: string[];
  bake: BakeCheck | undefined;
}

/** `ROLLOUT_CONFIG` by canonical service name. */
export type RolloutConfig = Record<string, ServiceRollout>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const stageSchema = lazySchema(() => z.enum(HOOK_STAGES, { error: `stage must be one of ${HOOK_STAGES.join(', ')}` }));
const wholeSeconds = (max: number) =>
  z
    .number()
    .check(
      z.int({ error: `must be whole seconds from 1 to ${max}` }),
      z.gte(1, `must be whole seconds from 1 to ${max}`),
      z.lte(max, `must be whole seconds from 1 to ${max}`),
    );

/** CloudWatch's alarm name rule: 1-255 characters. */
const alarmNameSchema = lazySchema(() => z.string().check(z.minLength(1), z.maxLength(255)));

/** One service's entry as written (snake_case fields; strict, so a misspelt field is a problem). */
const serviceRolloutSchema = lazySchema(() =>
  z.strictObject({
    smoke: z.optional(
      z.array(
        z.strictObject({
          stage: stageSchema(),
          url: z.string().check(z.refine(isHttpUrl, 'url must be an http(s) URL without credentials')),
          expect_status: z.optional(
            z
              .number()
              .check(
                z.int({ error: 'expect_status must be an HTTP status (100-599)' }),
                z.gte(100, 'expect_status must be an HTTP status (100-599)'),
                z.lte(599, 'expect_status must be an HTTP status (100-599)'),
              ),
          ),
          expect_body: z.optional(z.string().check(z.minLength(1))),
          timeout_seconds: z.optional(wholeSeconds(ROLLOUT_DEFAULTS.maxSmokeTimeoutSeconds)),
        }),
      ),
    ),
    alarms: z.optional(z.array(alarmNameSchema()).check(z.maxLength(ROLLOUT_DEFAULTS.maxAlarms))),
    bake: z.optional(
      z.strictObject({
        stage: stageSchema(),
        minutes: z
          .number()
          .check(
            z.gt(0, `minutes must be more than 0 and at most ${ROLLOUT_DEFAULTS.maxBakeMinutes}`),
            z.lte(ROLLOUT_DEFAULTS.maxBakeMinutes, `minutes must be more than 0 and at most ${ROLLOUT_DEFAULTS.maxBakeMinutes}`),
          ),
        callback_delay_seconds: z.optional(wholeSeconds(ROLLOUT_DEFAULTS.maxCallbackDelaySeconds)),
      }),
    ),
  }),
);

/** One service's entry, with the defaults filled in. */
function serviceRollout(entry: z.infer<ReturnType<typeof serviceRolloutSchema>>): ServiceRollout {
  return {
    smoke: (entry.smoke ?? []).map((smoke) => ({
      stage: smoke.stage,
      url: smoke.url,
      expectStatus: smoke.expect_status ?? ROLLOUT_DEFAULTS.expectStatus,
      expectBody: smoke.expect_body,
      timeoutSeconds: smoke.timeout_seconds ?? ROLLOUT_DEFAULTS.smokeTimeoutSeconds,
    })),
    alarms: [...new Set(entry.alarms ?? [])],
    bake:
      entry.bake === undefined
        ? undefined
        : {
            stage: entry.bake.stage,
            minutes: entry.bake.minutes,
            callbackDelaySeconds: entry.bake.callback_delay_seconds ?? ROLLOUT_DEFAULTS.bakeCallbackDelaySeconds,
          },
  };
}

const rolloutConfigSchema = lazySchema(() => recordOf(serviceNameKeySchema(), serviceRolloutSchema()));

/**
 * Reads `ROLLOUT_CONFIG`: its keys must be ECS services of the catalog (a Lambda function has no
 * lifecycle hooks), each written once. Problems go to `read.problems`, like every variable's.
 *
 * @example
 * const rollout = readRolloutConfig(read, catalog); // { api: { smoke: [...], alarms: ['api-5xx'], bake: undefined } }
 */
export function readRolloutConfig(read: EnvReader, catalog: Catalog): RolloutConfig {
  const parsed = read.json('ROLLOUT_CONFIG', rolloutConfigSchema) ?? {};
  const rollout: RolloutConfig = {};
  for (const [key, entry] of Object.entries(parsed)) {
    const service = catalog.service(key);
    if (service === undefined) continue; // the schema already reported the key
    if (service.kind !== 'ecs') {
      read.problems.push(`ROLLOUT_CONFIG.${key}: ${service.name} is a Lambda function (LAMBDA_CONFIG); rollout checks gate ECS services`);
    } else if (service.name in rollout) {
      read.problems.push(`ROLLOUT_CONFIG: "${key}" names ${service.name} again; use one name`);
    } else {
      rollout[service.name] = serviceRollout(entry);
    }
  }
  return rollout;
}
