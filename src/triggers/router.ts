/**
 * Triggers: what an event asks for. The router decides which trigger an event goes to (source,
 * detail type, feature flags); each trigger (one file per route: ./ecr.ts, ./ssm.ts, ./s3.ts,
 * ./ecs.ts, ./manual.ts) turns its event into a plan (./plan.ts: deployments, skips, notices, an ECS
 * event's facts) with the catalog and the planning reads (./reads/), and changes nothing. Env files
 * (./envFile.ts, ./envFileChange.ts), the scan gate (./scanGate.ts) and the event schemas
 * (./events.ts) serve them. The triggers' own code loads with the router (19 KB in all): a file of
 * its own per trigger cost a cold start more than its bytes did (each file the bundle loads costs
 * about 0.3 ms of CPU, docs/performance.md). The SDK clients a trigger reads with still load on first
 * use (./reads/registry.ts), so a route pays only for the clients it needs.
 */
import type { FeatureFlags } from '../config/config.js';
import { excerpt, type EventEnvelope } from './events.js';
import type { PlanBuilder } from './context.js';
import { plan as planEcr } from './ecr.js';
import { plan as planEcs } from './ecs.js';
import { plan as planManual } from './manual.js';
import type { RouteName } from './plan.js';
import { plan as planS3 } from './s3.js';
import { plan as planSsm } from './ssm.js';

const MANUAL_SOURCES = ['action.production', 'action.deploy'] as const;

type RouteDecision =
  | { kind: 'route'; route: RouteName }
  | { kind: 'ignored'; route: RouteName | undefined; reason: string }
  | { kind: 'rejected'; reason: string };

const FLAG_OF: Partial<Record<RouteName, { flag: keyof FeatureFlags; variable: string }>> = {
  ecr: { flag: 'ecr', variable: 'ENABLE_ECR_MONITORING' },
  ssm: { flag: 'ssm', variable: 'ENABLE_SSM_MONITORING' },
  s3: { flag: 's3', variable: 'ENABLE_S3_MONITORING' },
  manual: { flag: 'manual', variable: 'ENABLE_MANUAL_DEPLOY' },
};

function routeOf(event: EventEnvelope): RouteDecision {
  const detailType = event['detail-type'];
  switch (event.source) {
    case 'aws.ecr':
      // Scan completions matter to the scan gate (ECR_SCAN_GATE); the ECR handler ignores them without it.
      return ['ECR Image Action', 'ECR Image Scan'].includes(detailType)
        ? { kind: 'route', route: 'ecr' }
        : { kind: 'ignored', route: 'ecr', reason: `ECR ${excerpt(detailType)} events are not acted on` };
    case 'aws.ssm':
      return detailType === 'Parameter Store Change'
        ? { kind: 'route', route: 'ssm' }
        : { kind: 'ignored', route: 'ssm', reason: `SSM ${excerpt(detailType)} events are not acted on` };
    case 'aws.s3':
      return ['Object Created', 'Object Deleted', 'AWS API Call via CloudTrail'].includes(detailType)
        ? { kind: 'route', route: 's3' }
        : { kind: 'ignored', route: 's3', reason: `S3 ${excerpt(detailType)} events are not acted on` };
    case 'aws.ecs':
      return ['ECS Deployment State Change', 'ECS Service Action', 'ECS Task State Change', 'ECS Hook State Change'].includes(detailType)
        ? { kind: 'route', route: 'ecs' }
        : { kind: 'ignored', route: 'ecs', reason: `ECS ${excerpt(detailType)} events are not reported` };
    case 'aws.events':
      // The periodic check of the releases' timeouts (RELEASE_CONFIG): following ECS is the ECS route's.
      return detailType === 'Scheduled Event'
        ? { kind: 'route', route: 'ecs' }
        : { kind: 'ignored', route: undefined, reason: `EventBridge ${excerpt(detailType)} events are not acted on` };
    default:
      return (MANUAL_SOURCES as readonly string[]).includes(event.source)
        ? { kind: 'route', route: 'manual' }
        : { kind: 'rejected', reason: `unknown event source ${excerpt(event.source)}` };
  }
}

/** Decides the route of an event, honouring the per-trigger feature flags. */
export function route(event: EventEnvelope, features: FeatureFlags): RouteDecision {
  const decision = routeOf(event);
  if (decision.kind !== 'route') return decision;
  const flag = FLAG_OF[decision.route];
  if (flag !== undefined && !features[flag.flag]) {
    return { kind: 'ignored', route: decision.route, reason: `${flag.variable} is off` };
  }
  return decision;
}

/** The plan builder of each route. */
export const PLAN_BUILDERS: Readonly<Record<RouteName, PlanBuilder>> = {
  ecr: planEcr,
  ssm: planSsm,
  s3: planS3,
  ecs: planEcs,
  manual: planManual,
};
