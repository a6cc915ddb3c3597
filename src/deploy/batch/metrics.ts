/**
 * Metrics of a batch. One invocation carries events of several routes, and the alarms watch each
 * route's metrics (trigger dimension `ecr`, `ssm`, `s3`, …): what one event or one deployment of
 * the batch counts is published with its own route, as a direct invocation of it would.
 */
import type { MetricName, MetricSink } from '../../shared/observability.js';

/** A metric sink for one event or deployment of a batch, dimensioned by its route once known. */
interface RoutedMetrics extends MetricSink {
  /** The event's route, once routed (until then: `unknown`). */
  setTrigger(trigger: string): void;
}

/**
 * Counts go to `sink` dimensioned by `trigger` (the route set later, or `unknown`), each as its own
 * metric document, never the invocation's.
 *
 * @example
 * const metrics = routedMetrics(runtimeMetrics);
 * metrics.setTrigger('ssm');
 * metrics.count(MetricName.DeploymentsStarted); // DeploymentsStarted{trigger=ssm}
 */
export function routedMetrics(sink: MetricSink, trigger = 'unknown'): RoutedMetrics {
  let route = trigger;
  return {
    count: (name: MetricName, value = 1) => sink.ofDeployment(name, route, value, 'Count'),
    ofDeployment: (name, deploymentTrigger, value, unit) => sink.ofDeployment(name, deploymentTrigger, value, unit),
    ofChannel: (name, channel, value) => sink.ofChannel(name, channel, value),
    ofHookCheck: (name, check, value) => sink.ofHookCheck(name, check, value),
    setTrigger: (next) => {
      route = next;
    },
  };
}
