/**
 * The words of the preflight: its lines (one per result, then a summary), the catalog of services
 * with their AWS names, the `--json` document, and the Slack test message.
 */
import type { Config } from '../config/config.js';
import type { Notification } from '../present/notification.js';
import { s3Uri } from './objects.js';
import type { CheckResult, Summary } from './result.js';
import type { KnownService, Origin } from './services.js';
import { serviceParameterPrefixes, serviceRepositories } from '../config/naming.js';
import { plural } from '../shared/text.js';

/** A service and the AWS names it maps to. */
interface CatalogEntry {
  service: string;
  kind: 'ecs' | 'lambda';
  origin: Origin;
  cluster?: string;
  ecsService?: string;
  taskFamily?: string;
  functionName?: string;
  alias?: string;
  artifact?: string;
  /** ECR repositories whose pushes concern it. */
  repositories: string[];
  /** SSM paths whose parameter changes concern it. */
  parameterPrefixes: string[];
  envFiles: string[];
}

export function catalogEntry(config: Config, { service, origin }: KnownService): CatalogEntry {
  const { naming } = config.catalog;
  const common = {
    repositories: serviceRepositories(naming, service.name),
    parameterPrefixes: serviceParameterPrefixes(naming, service.name),
    envFiles: service.envFiles.map(s3Uri),
  };
  if (service.kind === 'ecs') {
    return {
      service: service.name,
      kind: 'ecs',
      origin,
      cluster: service.ecs.cluster,
      ecsService: service.ecs.service,
      taskFamily: service.ecs.family,
      ...common,
    };
  }
  return {
    service: service.name,
    kind: 'lambda',
    origin,
    functionName: service.lambda.functionName,
    ...(service.lambda.alias === undefined ? {} : { alias: service.lambda.alias }),
    ...(service.artifact === undefined ? {} : { artifact: s3Uri(service.artifact) }),
    ...common,
  };
}

/** "3 ok, 1 problem, 0 warnings". */
function countsText(summary: Summary): string {
  return `${summary.ok} ok, ${plural(summary.problems, 'problem')}, ${plural(summary.warnings, 'warning')}`;
}

/** One result as a line: status, service, what was found, what to do. */
export function resultLine(result: CheckResult): string {
  const subject = result.service === undefined ? '' : `${result.service}: `;
  return `${result.status.padEnd(8)} ${subject}${result.message}${result.fix === undefined ? '' : `. Fix: ${result.fix}`}`;
}

/** The catalog as text: each service and its AWS names, and what any other name maps to. */
export function catalogLines(config: Config, entries: readonly CatalogEntry[]): string[] {
  const row = (label: string, value: string) => `    ${label.padEnd(16)}${value}`;
  const lines = [`services of ${config.projectName}/${config.projectEnv} and their AWS names (cluster ${config.catalog.cluster}):`];
  if (entries.length === 0) lines.push('  (none named in SERVICE_CONFIG, LAMBDA_CONFIG or BACKEND_SERVICE_NAME)');
  for (const e of entries) {
    lines.push(
      `  ${e.service} (${e.kind === 'ecs' ? 'ECS service' : 'Lambda function'}, from ${e.origin === 'cluster' ? 'the cluster' : e.origin})`,
    );
    if (e.kind === 'ecs') {
      lines.push(row('ECS service', e.ecsService ?? ''), row('task family', e.taskFamily ?? ''));
    } else {
      lines.push(
        row('function', `${e.functionName ?? ''}${e.alias === undefined ? ' (no alias: $LATEST updated in place)' : `, alias ${e.alias}`}`),
      );
      if (e.artifact !== undefined) lines.push(row('artifact', e.artifact));
    }
    lines.push(row('ECR repository', e.repositories.join(', ')), row('SSM parameters', e.parameterPrefixes.map((p) => `${p}*`).join(', ')));
    if (e.envFiles.length > 0) lines.push(row('env files', e.envFiles.join(', ')));
  }
  const other = config.catalog.naming;
  const sample = other.ecsNames('NAME');
  lines.push(
    `  any other NAME: ECS service ${sample.service}, task family ${sample.family}, ECR repository ${serviceRepositories(other, 'NAME').join('')}, SSM parameters ${serviceParameterPrefixes(other, 'NAME').join('')}*`,
  );
  return lines;
}

/** The first line: which project, where, and how. */
export function headerLine(config: Config, live: boolean, env: Record<string, string | undefined>): string {
  const endpoint = env.AWS_ENDPOINT_URL === undefined ? '' : ', AWS_ENDPOINT_URL set';
  const mode = live ? `live${endpoint}` : 'offline: the configuration and the AWS names it maps to; --live checks them in the account';
  return `deploybridge preflight for ${config.projectName}/${config.projectEnv} in ${config.region} (${mode})`;
}

export function summaryLine(config: Config, summary: Summary, code: number): string {
  return `${'summary'.padEnd(8)} ${config.projectName}/${config.projectEnv}: ${countsText(summary)} (exit ${code})`;
}

/** The `--json` document. */
export interface VerifyReport {
  project: string;
  env: string;
  region: string;
  mode: 'live' | 'offline';
  services: CatalogEntry[];
  results: CheckResult[];
  summary: Summary;
  exitCode: number;
  /** The variables taken from npm start's embedded configuration (offline, when none was set). */
  defaults?: string[];
  /** The AWS SDK's warning about this Node version, in one line, when it gave one. */
  note?: string;
}

/** The Slack test message: "deploybridge preflight for myproject/dev: 12 ok, 1 problem", with the problems listed. */
export function preflightNotification(config: Config, summary: Summary, problems: readonly CheckResult[] = []): Notification {
  const facts: Notification['facts'] = [['Checks', countsText(summary)]];
  if (problems.length > 0)
    facts.push(['Problems', problems.map((p) => `${p.service === undefined ? '' : `${p.service}: `}${p.message}`).join('\n')]);
  return {
    severity: summary.problems === 0 ? 'success' : 'error',
    title: `deploybridge preflight for ${config.projectName}/${config.projectEnv}: ${summary.ok} ok, ${plural(summary.problems, 'problem')}`,
    facts,
    event: { type: 'preflight.test' },
  };
}
