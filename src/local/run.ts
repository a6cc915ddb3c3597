/**
 * `npm start -- <event file> [--json] [--verbose] [--live]`: runs the handler on an event on this
 * machine, on a sequence of events (a JSON array, handled in order, sharing the deployments table),
 * on each entry of a `put-events` entries file, or on an SQS batch (one invocation, as the
 * coalescing queue delivers a burst).
 *
 * It prints, for each event, what it came to first (trigger → targets → what would happen, with the
 * reads it assumed), then each Slack message as a person reads it, and which other configured
 * channels (Teams, Google Chat, the webhook, SNS) would hear it; `--json` adds the Block Kit JSON
 * and each other channel's payload, `--verbose` the AWS calls and log lines in order. Bad arguments
 * or input: one line, exit code 2.
 *
 * Offline (the default) it needs no AWS account: nothing in AWS is changed (dry run is forced for
 * one event; a sequence describes its writes instead of making them, so the ECS events that follow
 * can be correlated with the deployment it would start), AWS reads are described instead of
 * performed, the deployments table is in memory, the Slack messages are printed instead of sent
 * and, after a sequence, the channel as a bot token leaves it. `--live` uses the real SDK credential
 * chain (honouring `AWS_ENDPOINT_URL`), the configured Slack and DEPLOYMENTS_TABLE, with `DRY_RUN`
 * as configured, and none of the embedded defaults.
 */
import type { Context } from 'aws-lambda';
import type { HandleResult } from '../entry/app.js';
import { createApp } from '../entry/createApp.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { CloudWatchClient } from '../aws/cloudwatch.js';
import { ECRClient } from '../aws/ecr.js';
import { ECSClient } from '../aws/ecs.js';
import { LambdaClient } from '../aws/lambda.js';
import { S3Client } from '../aws/s3.js';
import { SSMClient } from '../aws/ssmMetadata.js';
import { loadConfig, type Config } from '../config/config.js';
import type { DeploymentJournal } from '../following/journal.js';
import { createMemoryJournal } from '../following/store.js';
import { ConfigError } from '../shared/errors.js';
import { MetricName } from '../shared/observability.js';
import { channelRoutes, createChannel, createChannelNotifier } from '../channels/setup.js';
import { slackRoute } from '../slack/setup.js';
import { channelLines, recordingChannels, type ChannelsRecorder } from './channels.js';
import { DESCRIBED, describedAws, describedCalls, type DescribedCall, type DescribedService } from './describedCalls.js';
import { LocalInputError, otherBus, readLocalInput, type LocalInput } from './input.js';
import { runLocalClick } from './click.js';
import { batchSummary, hookSummary, planSummary } from './report.js';
import { isFunctionUrlEvent } from '../interactions/functionUrlEvent.js';
import { isLifecycleHookInvocation } from '../triggers/events.js';
import { printingNotifier, recordingNotifier, slackText, type RecordedSlack, type SlackCall, type SlackChannelPrinter } from './thread.js';
import { localAccount, withLocalDefaults } from './defaults.js';
import { createTrace } from './trace.js';
import { holdNodeVersionWarning } from '../shared/nodeVersionWarning.js';
import { maskText } from '../shared/redact.js';
import { plural } from '../shared/text.js';

/** The options the runner takes; anything else starting with `-` is refused. */
const OPTIONS = ['--json', '--verbose', '--live', '--help'] as const;
type Option = (typeof OPTIONS)[number];

const USAGE = 'usage: npm start -- <event file> [--json] [--verbose] [--live]';

const HELP = [
  USAGE,
  '  <event file>  an EventBridge event, a JSON array of events (in order), a put-events entries file, or an SQS batch (one invocation)',
  '  --json        also print each Slack message as the Block Kit JSON the function sends, and what each other channel would receive',
  '  --verbose     also print every AWS call and log line, in order',
  '  --live        real AWS (SDK credential chain, AWS_ENDPOINT_URL) and the configured Slack; DRY_RUN as set',
  "AWS_ACCOUNT_ID   offline, the account deploybridge is assumed to run in (default 123456789012, the samples'); never an event's",
];

/** The Slack the configuration uses, as `createNotifier` chooses it: a bot token wins over a webhook. */
function slackMode(config: Config): 'bot' | 'webhook' | 'off' {
  const { via } = slackRoute(config);
  return via === 'bot token' ? 'bot' : via;
}

type Options = Record<Exclude<Option, '--help'>, boolean>;

/** Parses the arguments: the options and one file, or the line to print and the exit code. */
function parseArguments(argv: string[]): { options: Options; file: string } | { lines: string[]; code: number } {
  const options: Options = { '--json': false, '--verbose': false, '--live': false };
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return { lines: HELP, code: 0 };
    if (arg in options) options[arg as keyof Options] = true;
    else if (arg.startsWith('-')) {
      const meant = OPTIONS.find((option) => option === arg.toLowerCase());
      return { lines: [`unknown option ${arg}${meant === undefined ? '' : ` (did you mean ${meant}?)`}; ${USAGE}`], code: 2 };
    } else files.push(arg);
  }
  if (files.length === 0) return { lines: [USAGE], code: 2 };
  if (files.length > 1)
    return { lines: [`one file at a time (given ${files.join(', ')}); a JSON array of events runs several in order`], code: 2 };
  return { options, file: files[0] as string };
}

/** The Slack calls of one event: each message in full, or (in a sequence) its first line. */
function slackLines(calls: SlackCall[], heading: string, brief: boolean, json: boolean): string[] {
  if (calls.length === 0) return brief ? [] : [`${heading}: no message`];
  const lines: string[] = [];
  for (const call of calls) {
    const [title = '', ...rest] = slackText(call.payload);
    const what =
      call.kind === 'message'
        ? calls.length === 1
          ? ''
          : `, message ${call.message}`
        : call.kind === 'update'
          ? `, update of message ${call.message}`
          : `, reply in the thread of message ${call.message}`;
    lines.push(`${brief ? '  ' : ''}${heading}${what}: ${title}`, ...(brief ? [] : rest));
    if (json)
      lines.push(
        ...JSON.stringify(call.payload, null, 2)
          .split('\n')
          .map((line) => `    ${line}`),
      );
  }
  return lines;
}

/**
 * Runs the local run and returns its exit code: 0 when every event was handled, 1 when the
 * configuration is invalid or an invocation failed, 2 for bad arguments or input. Prints through
 * `print` only: the log lines and metrics go to its own trace, shown with `--verbose`.
 *
 * @example
 * process.exitCode = await runLocal(['events/ecr-push-api.json'], process.env, console.log);
 */
export async function runLocal(argv: string[], env: Record<string, string | undefined>, write: (line: string) => void): Promise<number> {
  // What events and AWS answers hold reaches the terminal as it reaches the log and Slack: masked,
  // without the control and bidirectional characters that could rewrite what is on the screen.
  const print = (line: string) => write(maskText(line));
  const parsed = parseArguments(argv);
  if ('lines' in parsed) {
    for (const line of parsed.lines) print(line);
    return parsed.code;
  }
  const { options, file } = parsed;
  const live = options['--live'];

  let input: LocalInput;
  let account: ReturnType<typeof localAccount>;
  try {
    account = localAccount(env);
    input = readLocalInput(file, { region: env.AWS_REGION ?? 'us-east-1', account: account.account });
  } catch (error) {
    if (!(error instanceof LocalInputError)) throw error;
    print(error.message);
    return 2;
  }
  const sequence = input.kind === 'sequence';
  // The embedded defaults describe the samples; a live run uses only what is set.
  const { env: merged, defaulted } = live
    ? { env, defaulted: [] }
    : withLocalDefaults(env, {
        clicks: input.events.some((event) => isFunctionUrlEvent(event)),
        hooks: input.events.some((event) => isLifecycleHookInvocation(event)),
      });

  let config: Config;
  try {
    // Validated exactly as the function validates it (DRY_RUN included); then one event offline is a dry run.
    const loaded = loadConfig(merged);
    config = !live && !sequence ? { ...loaded, dryRun: true } : loaded;
  } catch (error) {
    if (error instanceof ConfigError) {
      print(error.listed);
      return 1;
    }
    throw error;
  }

  const warning = holdNodeVersionWarning();
  try {
    return await handleAll(input, file, config, options, { defaulted, account }, print);
  } finally {
    warning.restore();
    const note = warning.note();
    if (note !== undefined) print(note);
  }
}

async function handleAll(
  input: LocalInput,
  file: string,
  config: Config,
  options: Options,
  assumed: { defaulted: string[]; account: { account: string; configured: boolean } },
  print: (line: string) => void,
): Promise<number> {
  const { defaulted, account } = assumed;
  const live = options['--live'];
  const { events } = input;
  const sequence = input.kind === 'sequence';
  const several =
    input.kind === 'batch'
      ? `, an SQS batch of ${plural(input.batch.Records.length, 'record')} handled in one invocation`
      : events.length > 1
        ? `, ${plural(events.length, input.kind === 'entries' ? 'entry' : 'event', input.kind === 'entries' ? 'entries' : 'events')} in order`
        : '';
  const where = !live && account.configured ? `, account ${account.account} from AWS_ACCOUNT_ID` : '';
  const of = `${file}${several} (project ${config.projectName}, env ${config.projectEnv}${where})`;
  // Teams, Google Chat, the webhook, SNS: as configured; with none, the run prints what it always did.
  const channels = channelRoutes(config).map(createChannel);
  const others = channels.length === 0 ? '' : ` or the other channels (${channels.map((c) => c.label).join(', ')})`;
  if (live)
    print(
      `deploybridge LIVE run of ${of}: real AWS calls in ${config.region}${config.dryRun ? ' with DRY_RUN (nothing is changed)' : ''}; Slack${channels.length === 0 ? '' : ' and the other channels'} as configured`,
    );
  else if (sequence) print(`deploybridge offline run of ${of}: AWS writes are described, not made; nothing is sent to Slack${others}`);
  else print(`deploybridge offline dry run of ${of}: nothing in AWS is changed, nothing is sent to Slack${others}`);

  const trace = createTrace({ projectName: config.projectName, environment: config.projectEnv, level: config.logLevel });
  const described: DescribedCall[] = [];
  // The event whose origin (account, region) the described calls assume: the first of a batch's.
  let current = events[0] ?? {};
  let clients: AwsClients;
  let slack: RecordedSlack;
  let channel: SlackChannelPrinter | undefined;
  // Live: the configured deployments table, if any; offline: one in memory, shared by a sequence's events.
  let journal: DeploymentJournal | undefined;
  // Offline, the Lambda context of each invocation (live: none, as outside Lambda).
  let context: (() => Context) | undefined;
  const mode = slackMode(config);
  if (live) {
    clients = createAwsClients(config.region);
    slack = recordingNotifier(createChannelNotifier(config, trace.log, trace.metrics), { environment: config.projectEnv }, mode);
  } else {
    const record = (call: DescribedCall) => {
      described.push(call);
      trace.add(
        `AWS ${call.kind === 'read' ? 'read (described, not performed)' : 'write (described, not made)'}: ${call.service}:${call.command} ${JSON.stringify(call.input)}`,
      );
      for (const what of call.assumed) trace.add(`  assuming ${what}`);
    };
    const aws = describedAws(config, { account: account.account, ...(sequence ? { sequence: events } : {}) });
    context = aws.context;
    const ofBatch = aws.eventOfBatchCall(events);
    const batch = input.kind === 'batch';
    const eventOfCall = (service: string, callInput: Record<string, unknown>) => (batch ? ofBatch(service, callInput) : current);
    const answer = <Client extends { middlewareStack: { add(middleware: never, options: typeof DESCRIBED): void } }>(
      client: Client,
      service: DescribedService,
    ) => {
      client.middlewareStack.add(describedCalls(service, aws.answers[service], eventOfCall, record) as never, DESCRIBED);
      return client;
    };
    const { region } = config;
    const ecs = answer(new ECSClient({ region }), 'ecs');
    const lambda = answer(new LambdaClient({ region }), 'lambda');
    const s3 = answer(new S3Client({ region }), 's3');
    const ecr = answer(new ECRClient({ region }), 'ecr');
    const ssm = answer(new SSMClient({ region }), 'ssm');
    const cloudwatch = answer(new CloudWatchClient({ region }), 'cloudwatch');
    clients = {
      ecs: async () => ecs,
      lambda: async () => lambda,
      s3: async () => s3,
      ecr: async () => ecr,
      ssm: async () => ssm,
      cloudwatch: async () => cloudwatch,
    };
    channel = printingNotifier({ environment: config.projectEnv });
    slack = channel;
    journal = createMemoryJournal();
  }
  const heard: ChannelsRecorder | undefined =
    channels.length === 0 ? undefined : recordingChannels(slack, channels, { project: config.projectName, environment: config.projectEnv });
  // No idempotency guard: running an event file again deploys again, as asked.
  const app = createApp(config, {
    log: trace.log,
    metrics: trace.metrics,
    notifier: heard ?? slack,
    clients,
    guard: undefined,
    ...(journal === undefined ? {} : { journal }),
  });
  const heading = live
    ? mode === 'off'
      ? 'Slack (off or not configured: logged only)'
      : `Slack (sent through the ${mode === 'bot' ? 'bot token' : 'webhook'})`
    : 'Slack (not sent)';

  /**
   * After an invocation: its Slack messages, then its log lines (or how many were warnings or
   * errors). In a sequence a message is one line, unless `full`.
   */
  const printAfter = (full = false): void => {
    if (!sequence) print('');
    for (const line of slackLines(slack.take(), heading, sequence && !live && !full, options['--json'])) print(line);
    const otherHeading = `Other channels (${live ? 'sent' : 'not sent'})`;
    for (const line of channelLines(heard?.take() ?? [], otherHeading, sequence && !live, options['--json'])) print(line);
    const traced = trace.take();
    if (options['--verbose']) {
      print(`Log lines, metrics${live ? '' : ' and AWS calls'}, in order:`);
      for (const line of traced.lines) print(`  ${line}`);
    } else if (traced.problems > 0) {
      print(`${plural(traced.problems, 'warning or error was', 'warnings or errors were')} logged (--verbose shows the log lines)`);
    }
  };

  if (input.kind === 'batch') {
    print('');
    try {
      const response = await app.handleBatch(input.batch, context?.());
      for (const line of batchSummary(trace.fieldsOf('batch handled'), response, described.splice(0))) print(line);
    } catch (error) {
      described.splice(0);
      print(`Invocation failed (every record would return to the queue): ${(error as Error).message}`);
      printAfter();
      return 1;
    }
    printAfter();
  }

  for (const [index, event] of (input.kind === 'batch' ? [] : events).entries()) {
    current = event;
    const bus = input.buses[index] ?? 'default';
    if (input.kind === 'entries') {
      const elsewhere = otherBus(bus, { ...config, account: account.account });
      print(
        `\n== entry ${index + 1} of ${events.length}, sent to the ${bus === 'default' ? 'default bus' : `bus ${bus}`}${elsewhere === undefined ? '' : `: ${elsewhere}`}`,
      );
      if (elsewhere !== undefined) continue;
    } else print(events.length === 1 ? '' : `\n== ${index + 1} of ${events.length}`);
    if (isFunctionUrlEvent(event)) {
      const parts = {
        config,
        app,
        journal,
        notifier: slack,
        log: trace.log,
        metrics: trace.metrics,
        context: context?.(),
        ecs: clients.ecs,
        takeCalls: () => described.splice(0),
      };
      for (const line of await runLocalClick(event, parts)) print(line);
      described.splice(0);
      printAfter();
      continue;
    }
    if (isLifecycleHookInvocation(event)) {
      // ECS's invocation of the function as a lifecycle hook: the answer ECS gets (never an exception).
      const answer = await app.handleHook(event, context?.());
      for (const line of hookSummary(answer, trace.fieldsOf(/^lifecycle hook (answered|failed)/), event, described.splice(0))) print(line);
      printAfter();
      continue;
    }
    let result: HandleResult | undefined;
    let failure: unknown;
    try {
      result = await app.handle(event, context?.());
    } catch (error) {
      failure = error;
    }
    const calls = described.splice(0);
    if (result !== undefined) for (const line of planSummary(result, event, calls)) print(line);
    else print(`Invocation failed (Lambda would retry the event): ${(failure as Error).message}`);
    // A pause asks people to act: its message is printed whole, with the buttons a click that follows presses.
    printAfter(result !== undefined && 'plan' in result && result.plan.pause !== undefined);
    if (failure !== undefined) return 1;
  }
  if (live && trace.counted(MetricName.NotificationsFailed) > 0)
    print(
      `${channels.length === 0 ? 'Slack' : 'The channels'} did not accept ${plural(trace.counted(MetricName.NotificationsFailed), 'message')} (NotificationsFailed; --verbose shows why)`,
    );
  if (channel !== undefined && sequence) {
    print('\nThe Slack channel as a bot token leaves it (SLACK_BOT_TOKEN; a webhook posts each step as a message of its own):\n');
    for (const line of channel.channel()) print(line);
  }
  const defaults = defaulted.length === 0 ? [] : [`Embedded defaults for ${defaulted.join(', ')} (set any to override)`];
  const more = options['--json'] && options['--verbose'] ? [] : ['--json, --verbose, --live: npm start -- --help'];
  if (defaults.length + more.length > 0) print([...defaults, ...more].join('; '));
  return 0;
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/local/run.ts');
if (isMain) {
  // `npm start -- … | head` closes the pipe early: that ends the output, it is not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  process.exitCode = await runLocal(process.argv.slice(2), process.env, (line) => console.log(line));
}
