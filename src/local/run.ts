/**
 * `npm start -- events/<file>.json [--live]`: runs the handler on one event on this machine.
 *
 * Offline (the default) it needs no AWS account: nothing in AWS is changed (dry run is forced),
 * AWS reads are described instead of performed, and the Slack messages are printed instead of sent.
 * It prints the plan, the log lines and the Slack payloads. `--live` uses the real SDK credential
 * chain (honouring `AWS_ENDPOINT_URL`) and the configured webhook, with `DRY_RUN` as configured.
 */
import { readFileSync } from 'node:fs';
import { App, type HandleResult } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import type { Targets } from '../deployer.js';
import { ConfigError } from '../errors.js';
import { ecrRegistry } from '../images.js';
import { createLogger, createMetrics, type Log } from '../observability.js';
import { describeTrigger } from '../plan.js';
import { buildSlackPayload } from '../slack/messages.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
import { createAwsTargets } from '../targets/aws.js';
import type { EcsApi } from '../targets/ecs.js';

/** The embedded default configuration: the conventions the sample events in `events/` follow. */
export const LOCAL_DEFAULTS: Record<string, string> = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  SERVICE_CONFIG: JSON.stringify({
    api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }, { bucket: 'myproject-config-dev', key: 'shared/.env' }],
    worker: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
    backend: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
  }),
};

type RawEvent = Record<string, unknown>;

/** Accepts an EventBridge event, or a `put-events` entries file (as EventBridge would deliver its first entry). */
export function eventFromFile(text: string): RawEvent {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return parsed as RawEvent;
  const entry = parsed[0] as { Source?: string; DetailType?: string; Detail?: string; Resources?: string[] } | undefined;
  if (entry === undefined) throw new Error('the entries file is empty');
  return {
    version: '0',
    id: `local-${Date.now()}`,
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: new Date().toISOString(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail ?? '{}') as unknown,
  };
}

/**
 * ECS reads described, not performed. For an ECR push the described task definition is assumed to
 * run the pushed image, so the plan shows what a matching service would get.
 */
function describedEcs(event: RawEvent, print: (line: string) => void): EcsApi {
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const account = typeof event.account === 'string' ? event.account : '123456789012';
  const region = typeof event.region === 'string' ? event.region : 'us-east-1';
  return {
    async latestTaskDefinition(family) {
      const image = `${ecrRegistry(account, region)}/${String(detail['repository-name'])}:${String(detail['image-tag'] ?? 'latest')}`;
      print(`AWS read (described, not performed): ecs:DescribeTaskDefinition { taskDefinition: "${family}" }`);
      print(`  assuming its latest ACTIVE revision runs ${image}`);
      return { arn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:LOCAL`, containers: [{ name: 'app', image }] };
    },
    async redeployService(names, taskDefinition) {
      print(`AWS write (not performed): ecs:UpdateService ${JSON.stringify({ ...names, taskDefinition, forceNewDeployment: true })}`);
      return { taskDefinitionArn: taskDefinition, deploymentId: 'ecs-svc/LOCAL' };
    },
  };
}

function printingNotifier(config: Config, print: (line: string) => void): Notifier {
  return {
    notify(notification) {
      print(`Slack message (not sent):\n${JSON.stringify(buildSlackPayload(notification, { environment: config.projectEnv, dryRun: config.dryRun }), null, 2)}`);
    },
    flush: async () => undefined,
  };
}

function printPlan(result: HandleResult, print: (line: string) => void): void {
  if (result.status !== 'planned') {
    print(`Plan: nothing to deploy (${result.status}: ${result.reason})`);
    return;
  }
  const { plan } = result;
  print(`Plan for event ${plan.eventId} (route ${plan.route}):`);
  for (const d of plan.deployments) {
    print(`  deploy ${d.service}: UpdateService cluster=${d.ecs.cluster} service=${d.ecs.service} taskDefinition=${d.taskDefinition} forceNewDeployment=true`);
    print(`    trigger: ${describeTrigger(d.trigger)}`);
  }
  for (const s of plan.skipped) print(`  skip ${s.service}: ${s.reason}`);
  for (const n of plan.notifications) print(`  notify (${n.severity}): ${n.title}`);
  if (plan.deployments.length + plan.skipped.length + plan.notifications.length === 0) print('  (nothing)');
  for (const r of result.deployments) print(`  result ${r.service}: ${r.status}`);
}

export async function runLocal(argv: string[], env: Record<string, string | undefined>, print: (line: string) => void): Promise<number> {
  const live = argv.includes('--live');
  const file = argv.find((a) => !a.startsWith('--'));
  if (file === undefined) {
    print('usage: npm start -- events/<file>.json [--live]');
    return 2;
  }
  const merged = { ...env };
  const defaulted = Object.keys(LOCAL_DEFAULTS).filter((k) => merged[k] === undefined);
  for (const k of defaulted) merged[k] = LOCAL_DEFAULTS[k];
  if (!live) merged.DRY_RUN = 'true';

  let config: Config;
  try {
    config = loadConfig(merged);
  } catch (error) {
    if (error instanceof ConfigError) {
      print(error.message);
      return 1;
    }
    throw error;
  }
  const event = eventFromFile(readFileSync(file, 'utf8'));
  print(`deploybridge ${live ? 'LIVE' : 'offline (no AWS calls; dry run)'}: project=${config.projectName} env=${config.projectEnv}`);
  if (defaulted.length > 0) print(`embedded defaults used for: ${defaulted.join(', ')}`);

  const log: Log = createLogger({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel });
  const metrics = createMetrics(config.projectEnv);
  let targets: Targets;
  let notifier: Notifier;
  if (live) {
    targets = createAwsTargets(config);
    notifier = createNotifier(config, log, metrics);
  } else {
    const ecs = describedEcs(event, print);
    targets = { ecs: async () => ecs };
    notifier = printingNotifier(config, print);
  }
  const app = new App({ config, log, metrics, notifier, targets });
  try {
    printPlan(await app.handle(event), print);
    return 0;
  } catch (error) {
    print(`invocation failed (Lambda would retry): ${(error as Error).message}`);
    return 1;
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/local/run.ts');
if (isMain) {
  process.exitCode = await runLocal(process.argv.slice(2), process.env, (line) => console.log(line));
}
