/**
 * The alarms check of the lifecycle hook: the named CloudWatch alarms (metric or composite) are
 * read at every invocation; one in `ALARM` fails the hook, and so does a name that matches no alarm
 * (a gate that cannot check does not let traffic through).
 */
import type { CloudWatchClient } from '../aws/cloudwatch.js';

/** An alarm in `ALARM`: its name, CloudWatch's reason, and since when. */
export interface FiringAlarm {
  name: string;
  reason: string;
  /** ISO 8601: when the alarm went into `ALARM`. */
  since: string | undefined;
}

export interface AlarmsReading {
  firing: FiringAlarm[];
  /** Names that match no alarm of this account and region. */
  missing: string[];
}

interface AlarmState {
  AlarmName?: string;
  StateValue?: string;
  StateReason?: string;
  StateTransitionedTimestamp?: Date;
  StateUpdatedTimestamp?: Date;
}

/**
 * Reads the alarms `names` (at most 100, one `DescribeAlarms` page each) and says which are in
 * `ALARM` and which do not exist. AWS errors are thrown, after the SDK's retries.
 *
 * @example
 * await readAlarms(cloudwatch, ['api-5xx', 'api-p99-latency'], signal);
 * // { firing: [{ name: 'api-5xx', reason: 'Threshold Crossed: …', since: '2026-03-05T15:50:00.000Z' }], missing: [] }
 */
export async function readAlarms(client: CloudWatchClient, names: string[], abortSignal?: AbortSignal): Promise<AlarmsReading> {
  const { DescribeAlarmsCommand } = await import('../aws/cloudwatch.js');
  const found = new Map<string, AlarmState>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeAlarmsCommand({
        AlarmNames: names,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
        NextToken: nextToken,
      }),
      { abortSignal },
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.AlarmName !== undefined) found.set(alarm.AlarmName, alarm);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  const firing = names.flatMap((name) => {
    const alarm = found.get(name);
    if (alarm?.StateValue !== 'ALARM') return [];
    const since = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
    return [{ name, reason: alarm.StateReason ?? '', since: since?.toISOString() }];
  });
  return { firing, missing: names.filter((name) => !found.has(name)) };
}
