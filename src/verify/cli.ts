/**
 * `npm run verify -- [--live] [--slack] [--notify] [--json]`: the preflight. With the function's configuration
 * variables it validates the configuration (reported like the function reports it) and prints the
 * services with the AWS names they map to (with none set, offline, npm start's embedded
 * configuration, said as such); `--live` checks them against the account on the SDK's default
 * credential chain (honouring `AWS_ENDPOINT_URL`); `--slack` posts one test message to Slack and,
 * with approvers, checks that each is a user of the workspace; `--notify` sends one to every
 * configured channel (Slack, Teams, Google Chat, the webhook, SNS).
 * Exit code 0: no problem; 1: problems; 2: the preflight could not run. Reads only.
 *
 * Not part of the Lambda: nothing under src/index.ts imports it.
 */
import { loadConfig, type Config } from '../config/config.js';
import { ConfigError } from '../shared/errors.js';
import { CannotRunError, createVerifyClients, type VerifyClients } from './clients.js';
import { liveChecks } from './live.js';
import { catalogEntry, catalogLines, headerLine, resultLine, summaryLine, type VerifyReport } from './report.js';
import { exitCode, ok, summarise, type CheckResult } from './result.js';
import { knownServices, type KnownService } from './services.js';
import { checkChannels, sendTestNotifications } from './notify.js';
import { checkApprovalsConfiguration, checkApprovers, checkSlackConfiguration, sendTestMessage } from './slack.js';
import { withLocalDefaults } from '../local/defaults.js';
import { holdNodeVersionWarning, type HeldWarning } from '../shared/nodeVersionWarning.js';
import { plural } from '../shared/text.js';

const USAGE = 'usage: npm run verify -- [--live] [--slack] [--notify] [--json]';
const FLAGS = new Set(['--live', '--slack', '--notify', '--json', '--help', '-h']);

const HELP = [
  USAGE,
  "  (none)   offline: validate the configuration (the function's variables) and print each service's AWS names; with neither PROJECT_NAME nor PROJECT_ENV set, npm start's embedded configuration",
  '  --live   check them in the account: SDK credential chain and AWS_REGION, AWS_ENDPOINT_URL honoured; reads only, never changes anything',
  '  --slack  post one test message through the Slack the configuration uses (its bot token, else its webhook); with APPROVERS, check each is a user of the workspace',
  '  --notify send one test message to every configured channel (Slack, Teams, Google Chat, the signed webhook, SNS) and report each answer',
  '  --json   print the results as one JSON document, for CI',
  '  --help   print this help (also -h)',
  'exit code: 0 no problem; 1 a problem found; 2 the preflight could not run (invalid configuration, no credentials, AWS unreachable, an answer not from AWS)',
];

/** Said when a live run has no configuration at all. */
const LIVE_UNCONFIGURED =
  '--live checks the function\'s configuration: set its variables (eval "$(terraform output -raw verify_command)" sets them all); offline, npm run verify alone checks npm start\'s embedded configuration';

type Env = Record<string, string | undefined>;

/** The SDK's Node-version note for a `--json` document: a field of its own, so the document stays one JSON value. */
function noteField(warning: HeldWarning): { note?: string } {
  const note = warning.note();
  return note === undefined ? {} : { note };
}

/** Exit code 2: the preflight could not run; the reason is printed as text or JSON. */
function cannotRun(json: boolean, print: (line: string) => void, warning: HeldWarning, error: string, problems?: string[]): 2 {
  print(
    json ? JSON.stringify({ exitCode: 2, error, ...(problems === undefined ? {} : { problems }), ...noteField(warning) }, null, 2) : error,
  );
  return 2;
}

/**
 * Runs the preflight and returns its exit code. `clients` makes the SDK clients of a live run
 * (tests pass mocked ones). The SDK's Node-version warning is held back and said in one line at
 * the end (a field of the `--json` document).
 *
 * @example
 * process.exitCode = await runVerify(['--live'], process.env, console.log);
 */
export async function runVerify(
  argv: readonly string[],
  env: Env,
  print: (line: string) => void,
  clients: (region: string) => VerifyClients = (region) => createVerifyClients(region, env),
): Promise<number> {
  const warning = holdNodeVersionWarning();
  try {
    return await preflight(argv, env, print, clients, warning);
  } finally {
    warning.restore();
    const note = warning.note();
    if (note !== undefined && !argv.includes('--json')) print(note);
  }
}

async function preflight(
  argv: readonly string[],
  env: Env,
  print: (line: string) => void,
  clients: (region: string) => VerifyClients,
  warning: HeldWarning,
): Promise<number> {
  const unknown = argv.filter((arg) => !FLAGS.has(arg));
  if (unknown.length > 0) {
    print(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    for (const line of HELP) print(line);
    return 0;
  }
  const live = argv.includes('--live');
  const json = argv.includes('--json');
  // Nothing of a configuration is set (right after npm ci): offline, check the embedded one, and say so.
  const unconfigured = [env.PROJECT_NAME, env.PROJECT_ENV].every((value) => value === undefined || value.trim() === '');
  const { env: checked, defaulted } = unconfigured && !live ? withLocalDefaults(env) : { env, defaulted: [] };
  let config: Config;
  try {
    config = loadConfig(checked);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const hint = unconfigured && live ? `\n${LIVE_UNCONFIGURED}` : '';
    return cannotRun(json, print, warning, `${error.listed}${hint}`, error.problems);
  }
  let known: KnownService[] = knownServices(config);
  const results: CheckResult[] = [
    ok('configuration', {
      message: `the configuration is valid (${plural(known.length, 'service')} named: ${known.map((k) => k.service.name).join(', ') || 'none'})`,
    }),
  ];
  if (live) {
    try {
      const checked = await liveChecks(config, clients(config.region), known);
      results.push(...checked.results);
      known = checked.services;
    } catch (error) {
      if (error instanceof CannotRunError) return cannotRun(json, print, warning, `the preflight could not run: ${error.message}`);
      throw error;
    }
  } else {
    results.push(
      await checkSlackConfiguration(config, undefined),
      ...(await checkApprovalsConfiguration(config, undefined)),
      ...(await checkChannels(config, undefined)),
    );
  }
  // --notify includes Slack: with both, Slack gets one test message.
  if (argv.includes('--notify')) results.push(...(await sendTestNotifications(config, results)));
  else if (argv.includes('--slack')) results.push(await sendTestMessage(config, results));
  if (argv.includes('--slack')) results.push(...(await checkApprovers(config)));

  const summary = summarise(results);
  const code = exitCode(summary);
  const services = known.map((k) => catalogEntry(config, k));
  if (json) {
    const report: VerifyReport = {
      project: config.projectName,
      env: config.projectEnv,
      region: config.region,
      mode: live ? 'live' : 'offline',
      services,
      results,
      summary,
      exitCode: code,
      ...(defaulted.length === 0 ? {} : { defaults: defaulted }),
      ...noteField(warning),
    };
    print(JSON.stringify(report, null, 2));
    return code;
  }
  print(headerLine(config, live, env));
  if (defaulted.length > 0)
    print(
      `embedded defaults for ${defaulted.join(', ')}: npm start's configuration for the samples in events/ (set PROJECT_NAME and PROJECT_ENV to check yours: the module's output verify_command sets the function's)`,
    );
  if (!live) for (const line of catalogLines(config, services)) print(line);
  for (const result of results) print(resultLine(result));
  print(summaryLine(config, summary, code));
  return code;
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/verify/cli.ts');
if (isMain) {
  process.exitCode = await runVerify(process.argv.slice(2), process.env, (line) => console.log(line));
}
