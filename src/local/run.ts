/**
 * `npm start -- events/<file>.json [--live]`: runs the handler on one event on this machine.
 *
 * Offline (the default) it needs no AWS account: nothing in AWS is changed (dry run is forced),
 * AWS reads are described instead of performed, and the Slack messages are printed instead of sent.
 * It prints the plan, the log lines and the Slack payloads. `--live` uses the real SDK credential
 * chain (honouring `AWS_ENDPOINT_URL`) and the configured webhook, with `DRY_RUN` as configured.
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
import { ConfigError } from '../errors.js';
import { ecrRegistry } from '../images.js';
import { createLogger, createMetrics, type Log } from '../observability.js';
import { describeChange, describeTrigger, noticeMessage } from '../presenter.js';
import { createEcrReads } from '../reads/ecr.js';
import { createAwsReads, type Reads } from '../reads/registry.js';
import { createS3Reads } from '../reads/s3.js';
import { createSsmReads } from '../reads/ssm.js';
import { buildSlackPayload } from '../slack/messages.js';
import type { Notifier } from '../slack/notifier.js';
import { createNotifier } from '../slack/setup.js';
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

/** Accepts an EventBridge event, or a `put-events` entries file (as EventBridge would deliver its first entry). */
function eventFromFile(text: string): RawEvent {
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
  if (command !== 'DescribeTaskDefinition') return {};
  const { account, region, pushedImage: image } = eventOrigin(event);
  const family = String(input.taskDefinition);
  print(`  assuming its latest ACTIVE revision runs ${image}`);
  return { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:LOCAL`, containerDefinitions: [{ name: 'app', image }] } };
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

/**
 * A middleware for a real SDK client that answers every request in the `initialize` step, before
 * credentials are looked up or anything is signed or sent: reads are described, writes (never
 * reached offline, where dry run is forced) are printed and not made. The targets on it are the
 * real ones.
 */
function describedCalls<Input extends object, Output extends object>(service: string, read: DescribedRead, event: RawEvent, print: (line: string) => void): InitializeMiddleware<Input, Output> {
  return (_next, context) => async (args) => {
    const command = (context.commandName ?? 'Command').replace(/Command$/, '');
    const input = args.input as Record<string, unknown>;
    const isRead = /^(Get|Describe|List)/.test(command);
    print(`AWS ${isRead ? 'read (described, not performed)' : 'write (not performed)'}: ${service}:${command} ${JSON.stringify(input)}`);
    const output = isRead ? read(command, input, event, print) : {};
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

function printingNotifier(config: Config, print: (line: string) => void): Notifier {
  return {
    notify(notification) {
      print(`Slack message (not sent):\n${JSON.stringify(buildSlackPayload(notification, { environment: config.projectEnv }), null, 2)}`);
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
  let reads: Reads;
  let notifier: Notifier;
  if (live) {
    targets = createAwsTargets(config.region);
    reads = createAwsReads(config.region);
    notifier = createNotifier(config, log, metrics);
  } else {
    const ecsClient = new ECSClient({ region: config.region });
    ecsClient.middlewareStack.add(describedCalls('ecs', describedEcsRead, event, print), DESCRIBED);
    const lambdaClient = new LambdaClient({ region: config.region });
    lambdaClient.middlewareStack.add(describedCalls('lambda', describedLambdaRead, event, print), DESCRIBED);
    const ecs = createEcsTarget(ecsClient);
    const lambda = createLambdaTarget(lambdaClient);
    targets = { ecs: async () => ecs, lambda: async () => lambda };
    const s3Client = new S3Client({ region: config.region });
    s3Client.middlewareStack.add(describedCalls('s3', describedS3Read, event, print), DESCRIBED);
    const ecrClient = new ECRClient({ region: config.region });
    ecrClient.middlewareStack.add(describedCalls('ecr', describedEcrRead, event, print), DESCRIBED);
    const ssmClient = new SSMClient({ region: config.region });
    ssmClient.middlewareStack.add(describedCalls('ssm', describedSsmRead, event, print), DESCRIBED);
    const s3 = createS3Reads(s3Client);
    const ecr = createEcrReads(ecrClient);
    const ssm = createSsmReads(ssmClient);
    reads = { s3: async () => s3, ecr: async () => ecr, ssm: async () => ssm };
    notifier = printingNotifier(config, print);
  }
  const app = new App({ config, log, metrics, notifier, targets, reads });
  try {
    printPlan(await app.handle(event, live ? undefined : localContext(event, config.region)), print);
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
