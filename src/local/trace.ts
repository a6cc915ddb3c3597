/**
 * The local run's log and metrics: kept in order with the AWS calls, rather than written to
 * stdout between the lines a person reads. `--verbose` prints them after each event's plan; without
 * it only a count of the warnings and errors is printed, so none is swallowed.
 */
import type { LogLevel } from '../config/constants.js';
import type { Log, LogFields, MetricName, MetricSink } from '../shared/observability.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** What happened while an event was handled, in order: AWS calls, log lines, metrics. */
export interface Trace {
  readonly log: Log;
  readonly metrics: MetricSink & { setTrigger(trigger: string): void };
  /** Adds a line (an AWS call, what it was assumed to answer). */
  add(line: string): void;
  /** The lines since the last take, and how many of them were warnings or errors. */
  take(): { lines: string[]; problems: number };
  /** How often a metric was counted, over the whole run. */
  counted(name: MetricName): number;
  /** The fields of the last line logged with this message (or a message it matches), at any level (shown or not). */
  fieldsOf(message: string | RegExp): LogFields | undefined;
}

/** JSON that never throws: bigints as text, errors as their message. */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v));
}

/**
 * A trace whose log lines have the shape the function writes to CloudWatch (one JSON object:
 * `timestamp`, `level`, `message`, `project_name`, `environment`, `fields`), so what `--verbose`
 * shows is what Logs Insights queries will see.
 *
 * @example
 * const trace = createTrace({ projectName: 'myproject', environment: 'dev', level: 'info' });
 * new App({ log: trace.log, metrics: trace.metrics, … });
 * for (const line of trace.take().lines) console.log(line);
 */
export function createTrace(identity: { projectName: string; environment: string; level: LogLevel }): Trace {
  let lines: string[] = [];
  let problems = 0;
  const totals = new Map<string, number>();
  let trigger: string | undefined;
  const lastFields = new Map<string, LogFields>();
  const threshold = LEVELS.indexOf(identity.level);
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    // Deleted first, so the map's order is the order of the last lines.
    lastFields.delete(message);
    lastFields.set(message, fields ?? {});
    if (LEVELS.indexOf(level) < threshold) return;
    if (level === 'warn' || level === 'error') problems++;
    lines.push(
      json({
        timestamp: new Date().toISOString(),
        level,
        message,
        project_name: identity.projectName,
        environment: identity.environment,
        fields: fields ?? {},
      }),
    );
  };
  const count = (name: MetricName, value: number, dimension: string | undefined, unit = 'Count', dimensionName = 'trigger') => {
    totals.set(name, (totals.get(name) ?? 0) + (unit === 'Count' ? value : 1));
    lines.push(
      `metric ${name} ${value}${unit === 'Count' ? '' : ` ${unit}`} (environment=${identity.environment}${dimension === undefined ? '' : `, ${dimensionName}=${dimension}`})`,
    );
  };
  return {
    log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    metrics: {
      count: (name, value = 1) => count(name, value, trigger),
      ofDeployment: (name, deploymentTrigger, value = 1, unit = 'Count') => count(name, value, deploymentTrigger, unit),
      ofChannel: (name, channel, value = 1) => count(name, value, channel, 'Count', 'channel'),
      ofHookCheck: (name, check, value = 1) => count(name, value, check, 'Count', 'check'),
      setTrigger: (value) => {
        trigger = value;
      },
    },
    add: (line) => lines.push(line),
    take: () => {
      const taken = { lines, problems };
      lines = [];
      problems = 0;
      return taken;
    },
    counted: (name) => totals.get(name) ?? 0,
    fieldsOf: (message) =>
      typeof message === 'string' ? lastFields.get(message) : [...lastFields].reverse().find(([logged]) => message.test(logged))?.[1],
  };
}
