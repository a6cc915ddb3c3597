import type { Config } from '../config.js';
import type { Targets } from '../deployer.js';
import type { EventEnvelope } from '../events.js';
import type { Naming } from '../naming.js';
import type { Log } from '../observability.js';
import type { Plan } from '../plan.js';

/** What a handler may use to turn an event into a plan. */
export interface RouteContext {
  config: Config;
  naming: Naming;
  log: Log;
  targets: Targets;
}

/** Every handler module exports one of these as `plan`. */
export type PlanBuilder = (event: EventEnvelope, context: RouteContext) => Promise<Plan>;
