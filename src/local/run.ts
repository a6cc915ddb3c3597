/**
 * `npm start -- events/<file>.json [--live]`: runs the handler on one event on this machine, or on
 * a sequence of events (a JSON array of EventBridge events) in order, sharing the deployments table.
 *
 * Offline (the default) it needs no AWS account: nothing in AWS is changed (dry run is forced for
 * one event; a sequence describes its writes instead of making them, so the ECS events that follow
 * can be correlated with the deployment it would start), AWS reads are described instead of
 * performed, the deployments table is in memory, and the Slack messages are printed instead of
 * sent, then the channel as a bot token leaves it. `--live` uses the real SDK credential chain
 * (honouring `AWS_ENDPOINT_URL`), the configured Slack and DEPLOYMENTS_TABLE, with `DRY_RUN` as configured.
 */
import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { App, type HandleResult } from '../app.js';
import { ECRClient } from '../aws/ecr.js';
import { ECSClient } from '../aws/ecs.js';
import { LambdaClient } from '../aws/lambda.js';
import { S3Client } from '../aws/s3.js';
import { SSMClient } from '../aws/ssmMetadata.js';
import type { InitializeMiddleware } from '@smithy/types';
import { loadConfig, type Config } from '../config.js';
import { FOLLOW_DEFAULTS } from '../constants.js';
import type { DeploymentJournal } from '../deployments/journal.js';
import { createDynamoDbJournal, createMemoryJournal } from '../deployments/store.js';
import { ConfigError } from '../errors.js';
import { ecrRegistry } from '../images.js';
import { createLogger, createMetrics, type Log } from '../observability.js';
import { describeChange, describeTrigger, noticeMessage } from '../presenter.js';
import { createEcrReads } from '../reads/ecr.js';
import { createAwsReads, type Reads } from '../reads/registry.js';
import { createS3Reads } from '../reads/s3.js';
import { createSsmReads } from '../reads/ssm.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
import { printingNotifier, type SlackChannelPrinter } from './thread.js';
import { createEcsTarget } from '../targets/ecs.js';
import { createLambdaTarget } from '../targets/lambda/index.js';
import { createAwsTargets, type Targets } from '../targets/registry.js';
import { describedEcrRead, describedS3Read, describedSsmRead } from './describedReads.js';

/** The embedded default configuration: the conventions the sample events in `events/` follow. */
export const LOCAL_DEFAULTS: Record<string, string> = {
  PROJECT_NAME: 'myproject',
  PROJECT_ENV: 'dev',
  SERVICE_CONFIG: JSON.stringify({
    api: [{ bucket: 'myproject-config-dev', key: 'api/.env' }, { bucket: 'myproject-config-dev', key: 'shared/.env' }],
    worker: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
    backend: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
  }),
  // Two Lambda targets: a zip function deployed from an S3 artifact, and an image function.
  LAMBDA_CONFIG: JSON.stringify({
    thumbnailer: {
      alias: 'live',
      artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
      smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
    },
    renderer: {
      alias: 'live',
      smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
    },
  }),
  // The scan gate, so the scan samples (events/ecr-*scan*.json) show it at work.
  ECR_SCAN_GATE: 'HIGH',
};

type RawEvent = Record<string, unknown>;

/**
 * Accepts an EventBridge event, a sequence of them (an array of events, handled in order), or a
 * `put-events` entries file (as EventBridge would deliver its first entry).
 */
function eventsFromFile(text: string): { events: RawEvent[]; sequence: boolean } {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return { events: [parsed as RawEvent], sequence: false };
  if (parsed.length > 0 && parsed.every((item) => typeof item === 'object' && item !== null && 'detail-type' in item)) return { events: parsed as RawEvent[], sequence: true };
  return { events: [entryEvent(parsed)], sequence: false };
}

/** The event EventBridge delivers for the first entry of a `put-events` entries file. */
function entryEvent(parsed: unknown[]): RawEvent {
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

/** The account and region an event came from, and the image an ECR push (or scan) event is about. */
function eventOrigin(event: RawEvent): { account: string; region: string; pushedImage: string } {
  const detail = (event.detail ?? {}) as { 'repository-name'?: string; 'image-tag'?: string; 'image-tags'?: string[] };
  const account = typeof event.account === 'string' ? event.account : '123456789012';
  const region = typeof event.region === 'string' ? event.region : 'us-east-1';
  const tag = detail['image-tag'] ?? detail['image-tags']?.[0] ?? 'latest';
  return { account, region, pushedImage: `${ecrRegistry(account, region)}/${detail['repository-name'] ?? ''}:${tag}` };
}

/**
 * The answer to an ECS read, described rather than performed. For an ECR push the described task
 * definition is assumed to run the pushed image, so the plan shows what a matching service would get.
 */
function describedEcsRead(command: string, input: Record<string, unknown>, event: RawEvent, print: (line: string) => void): Record<string, unknown> {
  const { account, region, pushedImage: image } = eventOrigin(event);
  switch (command) {
    case 'DescribeTaskDefinition': {
      const family = String(input.taskDefinition);
      print(`  assuming its latest ACTIVE revision is ${LOCAL_REVISION} and runs ${image}`);
      return { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:${LOCAL_REVISION}`, containerDefinitions: [{ name: 'app', image }] } };
    }
    case 'ListTasks':
      print('  assuming one task of the service stopped');
      return { taskArns: [`arn:aws:ecs:${region}:${account}:task/${String(input.cluster)}/0123456789abcdef0123456789abcdef`] };
    case 'DescribeTasks':
      print('  assuming it stopped with "Essential container in task exited", container app exit code 137');
      return { tasks: [{ taskArn: (input.tasks as string[])[0], stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', stoppedAt: new Date(), containers: [{ name: 'app', exitCode: 137 }] }] };
    default:
      return {};
  }
}

/** The revision the described task definitions have, and the one the service is assumed to run before a deployment. */
const LOCAL_REVISION = 42;
const LOCAL_PREVIOUS_REVISION = 41;

/**
 * A sequence describes the writes it makes: `UpdateService` answers with a new PRIMARY deployment,
 * numbered in order from the id the service is assumed to run (`ecs-svc/1000000000000000000`), the
 * ids the sample sequences' ECS events use.
 */
function describedEcsWrites(print: (line: string) => void) {
  let started = 0;
  return (command: string, input: Record<string, unknown>, event: RawEvent): Record<string, unknown> => {
    if (command !== 'UpdateService') return {};
    const { account, region } = eventOrigin(event);
    const requested = String(input.taskDefinition);
    const family = requested.startsWith('arn:') ? requested.slice(requested.indexOf('/') + 1).replace(/:\d+$/, '') : requested.replace(/:\d+$/, '');
    const arn = (revision: number) => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;
    const id = (n: number) => `ecs-svc/${String(1_000_000_000_000_000_000n + BigInt(n))}`;
    started++;
    print(`  assuming ECS starts deployment ${id(started)} of ${family}:${LOCAL_REVISION}, replacing ${id(started - 1)} (${family}:${LOCAL_PREVIOUS_REVISION})`);
    return {
      service: {
        taskDefinition: requested.startsWith('arn:') ? requested : arn(LOCAL_REVISION),
        deployments: [
          { id: id(started), status: 'PRIMARY', taskDefinition: arn(LOCAL_REVISION), rolloutState: 'IN_PROGRESS' },
          { id: id(started - 1), status: 'ACTIVE', taskDefinition: arn(LOCAL_PREVIOUS_REVISION), rolloutState: 'COMPLETED', runningCount: 2 },
        ],
      },
    };
  };
}

/** The version the described aliases point to, and the one their description records as before. */
const LOCAL_ALIAS_VERSION = '7';
const LOCAL_PREVIOUS_VERSION = '6';

/**
 * A response to a Lambda read, described rather than performed. For an ECR push the function is
 * assumed to be an image function configured with the pushed tag, so the plan shows what it would get.
 */
function describedLambdaRead(command: string, input: Record<string, unknown>, event: RawEvent, print: (line: string) => void): Record<string, unknown> {
  const isImagePush = event.source === 'aws.ecr';
  const image = eventOrigin(event).pushedImage;
  const packageType = isImagePush ? 'Image' : 'Zip';
  switch (command) {
    case 'GetFunction':
      print(`  assuming ${packageType === 'Image' ? `an image function configured with ${image}` : 'a zip function'}`);
      return { Configuration: { FunctionName: input.FunctionName, PackageType: packageType, LastUpdateStatus: 'Successful', State: 'Active' }, Code: isImagePush ? { ImageUri: image } : {} };
    case 'GetFunctionConfiguration':
      print(`  assuming ${input.Qualifier === undefined ? '$LATEST' : `version ${input.Qualifier as string}`} exists, is Active and LastUpdateStatus is Successful`);
      return {
        FunctionName: input.FunctionName,
        Version: input.Qualifier ?? '$LATEST',
        PackageType: packageType,
        State: 'Active',
        LastUpdateStatus: 'Successful',
        RevisionId: 'LOCAL-REVISION',
        Environment: { Variables: { LOG_LEVEL: 'info' } },
      };
    case 'GetAlias':
      print(`  assuming alias ${String(input.Name)} points to version ${LOCAL_ALIAS_VERSION} and records previous_version=${LOCAL_PREVIOUS_VERSION}`);
      return { Name: input.Name, FunctionVersion: LOCAL_ALIAS_VERSION, Description: `deploybridge previous_version=${LOCAL_PREVIOUS_VERSION}; (described)`, RevisionId: 'LOCAL-ALIAS-REVISION' };
    default:
      return {};
  }
}

type DescribedRead = (command: string, input: Record<string, unknown>, event: RawEvent, print: (line: string) => void) => Record<string, unknown>;
type DescribedWrite = (command: string, input: Record<string, unknown>, event: RawEvent) => Record<string, unknown>;

/**
 * A middleware for a real SDK client that answers every request in the `initialize` step, before
 * credentials are looked up or anything is signed or sent: reads are described, writes are printed
 * and not made (one event: never reached, dry run is forced; a sequence: described by `write`).
 * The targets on it are the real ones. `current` is the event being handled.
 */
function describedCalls<Input extends object, Output extends object>(service: string, read: DescribedRead, write: DescribedWrite | undefined, current: () => RawEvent, print: (line: string) => void): InitializeMiddleware<Input, Output> {
  return (_next, context) => async (args) => {
    const command = (context.commandName ?? 'Command').replace(/Command$/, '');
    const input = args.input as Record<string, unknown>;
    const isRead = /^(Get|Describe|List)/.test(command);
    print(`AWS ${isRead ? 'read (described, not performed)' : 'write (not performed)'}: ${service}:${command} ${JSON.stringify(input)}`);
    const output = isRead ? read(command, input, current(), print) : (write?.(command, input, current()) ?? {});
    return { output: { $metadata: {}, ...output } as Output, response: {} };
  };
}

const DESCRIBED = { step: 'initialize', name: 'deploybridgeDescribedCalls' } as const;

/**
 * The Lambda context of an offline run: deploybridge is assumed to run in the event's account and
 * region, with Lambda's longest timeout ahead of it.
 */
function localContext(event: RawEvent, region: string): Context {
  const { account } = eventOrigin(event);
  return {
    functionName: 'deploybridge-local',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:deploybridge-local`,
    awsRequestId: 'local',
    getRemainingTimeInMillis: () => 900_000,
  } as Context;
}

function printPlan(result: HandleResult, print: (line: string) => void): void {
  if (result.status !== 'planned') {
    print(`Plan: nothing to deploy (${result.status}: ${result.reason})`);
    return;
  }
  const { plan } = result;
  print(`Plan for event ${plan.eventId} (route ${plan.route}):`);
  for (const d of plan.deployments) {
    if (d.target === 'ecs') {
      const taskDefinition = d.taskDefinition === undefined ? ' (no taskDefinition: restarts the revision it runs)' : ` taskDefinition=${d.taskDefinition}`;
      print(`  deploy ${d.service}: UpdateService cluster=${d.ecs.cluster} service=${d.ecs.service}${taskDefinition} forceNewDeployment=true`);
    } else {
      const mode = d.lambda.alias === undefined ? 'no alias: $LATEST in place' : `alias ${d.lambda.alias}`;
      print(`  deploy ${d.service}: Lambda ${d.lambda.functionName} (${mode}): ${describeChange(d.change)}`);
      if (d.lambda.smokeTest !== undefined) print(`    smoke test: ${d.change.kind === 'rollback' ? 'skipped for a rollback' : `invoke with smoke_test.payload${d.lambda.smokeTest.expect ? `, expect ${JSON.stringify(d.lambda.smokeTest.expect)}` : ''}`}`);
    }
    print(`    trigger: ${describeTrigger(d.trigger)}`);
  }
  for (const s of plan.skipped) print(`  skip ${s.service}: ${s.reason}`);
  for (const notice of plan.notices) {
    const message = noticeMessage(notice);
    print(`  notify (${message.severity}): ${message.title}`);
  }
  if (plan.deployments.length + plan.skipped.length + plan.notices.length === 0) print('  (nothing)');
  for (const r of result.deployments) {
    print(`  result ${r.service}: ${r.status}${r.status === 'failed' ? ` (${r.error})` : ''}`);
    if (r.status === 'dry_run' && r.target === 'lambda') {
      print(`    from version ${r.fromVersion}; the calls it would make, in order:`);
      for (const call of r.plannedCalls) print(`      ${call}`);
    }
  }
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
  const { events, sequence } = eventsFromFile(readFileSync(file, 'utf8'));
  if (!live && !sequence) merged.DRY_RUN = 'true';

  let config: Config;
  try {
    config = loadConfig(merged);
  } catch (error) {
    if (error instanceof ConfigError) {
      print(error.listed);
      return 1;
    }
    throw error;
  }
  const mode = live ? 'LIVE' : sequence ? `offline (no AWS calls; a sequence of ${events.length} events, writes described)` : 'offline (no AWS calls; dry run)';
  print(`deploybridge ${mode}: project=${config.projectName} env=${config.projectEnv}`);
  if (defaulted.length > 0) print(`embedded defaults used for: ${defaulted.join(', ')}`);

  const log: Log = createLogger({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel });
  const metrics = createMetrics(config.projectEnv);
  let targets: Targets;
  let reads: Reads;
  let notifier: Notifier;
  let channel: SlackChannelPrinter | undefined;
  let journal: DeploymentJournal | undefined;
  let current = events[0] as RawEvent;
  if (live) {
    targets = createAwsTargets(config.region);
    reads = createAwsReads(config.region);
    notifier = createNotifier(config, log, metrics);
    journal = config.deploymentsTable === undefined ? undefined : createDynamoDbJournal({ tableName: config.deploymentsTable, region: config.region, ttlSeconds: FOLLOW_DEFAULTS.recordTtlSeconds });
  } else {
    const writes = sequence ? describedEcsWrites(print) : undefined;
    const ecsClient = new ECSClient({ region: config.region });
    ecsClient.middlewareStack.add(describedCalls('ecs', describedEcsRead, writes, () => current, print), DESCRIBED);
    const lambdaClient = new LambdaClient({ region: config.region });
    lambdaClient.middlewareStack.add(describedCalls('lambda', describedLambdaRead, undefined, () => current, print), DESCRIBED);
    const ecs = createEcsTarget(ecsClient);
    const lambda = createLambdaTarget(lambdaClient);
    targets = { ecs: async () => ecs, lambda: async () => lambda };
    const s3Client = new S3Client({ region: config.region });
    s3Client.middlewareStack.add(describedCalls('s3', describedS3Read, undefined, () => current, print), DESCRIBED);
    const ecrClient = new ECRClient({ region: config.region });
    ecrClient.middlewareStack.add(describedCalls('ecr', describedEcrRead, undefined, () => current, print), DESCRIBED);
    const ssmClient = new SSMClient({ region: config.region });
    ssmClient.middlewareStack.add(describedCalls('ssm', describedSsmRead, undefined, () => current, print), DESCRIBED);
    const s3 = createS3Reads(s3Client);
    const ecr = createEcrReads(ecrClient);
    const ssm = createSsmReads(ssmClient);
    reads = { s3: async () => s3, ecr: async () => ecr, ssm: async () => ssm };
    channel = printingNotifier({ environment: config.projectEnv }, print);
    notifier = channel;
    journal = createMemoryJournal();
  }
  const app = new App({ config, log, metrics, notifier, targets, reads, ...(journal === undefined ? {} : { journal }) });
  for (const [index, event] of events.entries()) {
    current = event;
    if (sequence) print(`\n== event ${index + 1} of ${events.length}: ${String(event['detail-type'])} ${JSON.stringify((event.detail as Record<string, unknown> | undefined)?.eventName ?? (event.detail as Record<string, unknown> | undefined)?.['image-tag'] ?? '')}`);
    try {
      printPlan(await app.handle(event, live ? undefined : localContext(event, config.region)), print);
    } catch (error) {
      print(`invocation failed (Lambda would retry): ${(error as Error).message}`);
      return 1;
    }
  }
  if (sequence && channel !== undefined) {
    print('\nThe Slack channel as a bot token leaves it (SLACK_BOT_TOKEN; a webhook posts each step as a message of its own):\n');
    for (const line of channel.channel()) print(line);
  }
  return 0;
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/local/run.ts');
if (isMain) {
  process.exitCode = await runLocal(process.argv.slice(2), process.env, (line) => console.log(line));
}
