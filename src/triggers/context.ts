import type { Catalog } from '../config/catalog.js';
import type { Config } from '../config/config.js';
import type { EventEnvelope } from './events.js';
import type { Invocation } from '../shared/invocation.js';
import type { Log, MetricSink } from '../shared/observability.js';
import type { Plan, RouteName } from './plan.js';
import type { Reads } from './reads/registry.js';

/** What a handler may use to turn an event into a plan. */
export interface RouteContext {
  config: Config;
  catalog: Catalog;
  log: Log;
  metrics: MetricSink;
  /** What services run (ECS task definitions, Lambda images), env files (S3), images (ECR) and parameter metadata (SSM), read while planning. */
  reads: Reads;
  /** The invocation: the account deploybridge runs in (a manual request's task-definition ARN must be of it). */
  invocation: Invocation;
}

/** Every handler module exports one of these as `plan`. */
export type PlanBuilder = (event: EventEnvelope, context: RouteContext) => Promise<Plan>;

/** A plan that deploys nothing yet: a trigger adds its deployments, skips and notices. */
export function emptyPlan(route: RouteName, eventId: string): Plan {
  return { route, eventId, deployments: [], skipped: [], notices: [] };
}

/** The plan of an event that is not for us (another project, an event type not acted on), logged at `level`. */
export function ignoredPlan(route: RouteName, eventId: string, reason: string, level: 'debug' | 'info' = 'info'): Plan {
  return { ...emptyPlan(route, eventId), ignored: { reason, level } };
}
