/**
 * Naming rules: how a logical service name ("api", the backend) maps to ECR repositories, SSM
 * paths, ECS cluster/service/family names and Lambda function names, and back. Pure functions of
 * the project, the env and the patterns; which services exist is the catalog's business
 * (src/config/catalog.ts).
 */

/** A logical service name: what `{name}` may be. Anything else could escape the patterns. */
export const SERVICE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The word that always means the backend service, in repositories, SSM paths and manual events. */
const BACKEND_ALIAS = 'backend';

/** The ECS names of one service. */
export interface EcsNames {
  cluster: string;
  service: string;
  family: string;
}

/** What the naming rules are made of: `PROJECT_NAME`, `PROJECT_ENV`, `BACKEND_SERVICE_NAME` and the patterns. */
export interface NamingRules {
  projectName: string;
  projectEnv: string;
  /** `{name}` of the backend service; empty means "drop `{name}` from the patterns". */
  backendServiceName: string;
  clusterNamePattern: string;
  serviceNamePattern: string;
  taskFamilyPattern: string;
  lambdaFunctionPattern: string;
}

const SEPARATORS = new Set(['_', '-', '.', '/']);

/**
 * Fills `{project}`, `{env}` and `{name}` in a pattern. An empty name drops `{name}` together with
 * one separator next to it (the one before it if any), so `{project}_service_{name}_{env}` becomes
 * `{project}_service_{env}`.
 */
export function renderPattern(pattern: string, values: { project: string; env: string; name: string }): string {
  let withName = pattern;
  if (values.name === '') {
    withName = pattern.replace(/(.?)\{name\}(.?)/g, (_match, before: string, after: string) => {
      if (SEPARATORS.has(before)) return after;
      if (SEPARATORS.has(after)) return before;
      return before + after;
    });
  }
  return withName.replaceAll('{project}', values.project).replaceAll('{env}', values.env).replaceAll('{name}', values.name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Naming rules bound to one project and environment. */
export class Naming {
  /** The canonical logical name of the backend service. */
  readonly backend: string;
  readonly cluster: string;
  private readonly serviceNameRe: RegExp;

  constructor(readonly config: NamingRules) {
    this.backend = config.backendServiceName || BACKEND_ALIAS;
    this.cluster = this.render(config.clusterNamePattern, '');
    const [head, tail] = config.serviceNamePattern.split('{name}', 2).map((part) => escapeRegExp(this.render(part, '')));
    this.serviceNameRe = tail === undefined ? /(?!)/ : new RegExp(`^${head}(.+)${tail}$`);
  }

  private render(pattern: string, name: string): string {
    return renderPattern(pattern, { project: this.config.projectName, env: this.config.projectEnv, name });
  }

  /** True when a logical name denotes the backend service. */
  isBackend(name: string): boolean {
    return name === '' || name === BACKEND_ALIAS || name === this.config.backendServiceName;
  }

  /**
   * The canonical logical name for a requested name ("" and "backend" become the backend), or
   * `undefined` when the name could escape the naming patterns.
   */
  canonical(name: string): string | undefined {
    if (this.isBackend(name)) return this.backend;
    return SERVICE_NAME_RE.test(name) ? name : undefined;
  }

  /** The value that replaces `{name}` for a logical service. */
  private patternName(service: string): string {
    return this.isBackend(service) ? this.config.backendServiceName : service;
  }

  /** ECS cluster, service and task-definition family for a logical service. */
  ecsNames(service: string): EcsNames {
    const name = this.patternName(service);
    return {
      cluster: this.cluster,
      service: this.render(this.config.serviceNamePattern, name),
      family: this.render(this.config.taskFamilyPattern, name),
    };
  }

  /** The Lambda function of a logical service under `LAMBDA_FUNCTION_PATTERN` (used when `LAMBDA_CONFIG` names none). */
  lambdaFunctionName(service: string): string {
    return this.render(this.config.lambdaFunctionPattern, this.patternName(service));
  }

  /** The logical service built from an ECR repository, or `undefined` if the repository is not this project's. */
  serviceFromRepository(repository: string): string | undefined {
    const project = this.config.projectName;
    if (repository === `${project}_backend`) return this.backend;
    const prefix = `${project}_service_`;
    const name = repository.slice(prefix.length);
    if (!repository.startsWith(prefix) || name === '') return undefined;
    return this.canonical(name);
  }

  /**
   * The logical service and parameter name of `/{env}/{project}/{service}/NAME`, or `undefined`
   * when the parameter belongs to another env or project or is not of that shape.
   */
  parseParameterName(parameter: string): { service: string; parameter: string } | undefined {
    const [empty, env, project, service, ...rest] = parameter.split('/');
    if (empty !== '' || env !== this.config.projectEnv || project !== this.config.projectName) return undefined;
    if (service === undefined || rest.length === 0 || rest.some((segment) => segment === '' || segment === '.' || segment === '..'))
      return undefined;
    const canonical = service === '' ? undefined : this.canonical(service);
    return canonical === undefined ? undefined : { service: canonical, parameter: rest.join('/') };
  }

  /** The logical service whose ECS service has this name, or `undefined` if it is not this project's and env's. */
  serviceFromEcsServiceName(ecsService: string): string | undefined {
    if (ecsService === this.ecsNames(this.backend).service) return this.backend;
    const match = this.serviceNameRe.exec(ecsService);
    return match?.[1] === undefined ? undefined : this.canonical(match[1]);
  }
}

/**
 * The ECR repositories whose pushes concern a logical service, the usual one first: `{project}_service_{name}`,
 * or for the backend `{project}_backend` (and `{project}_service_{BACKEND_SERVICE_NAME}` when that is set).
 * A function rather than a method so the Lambda bundle, which never needs it, leaves it out.
 *
 * @example
 * serviceRepositories(naming, 'api'); // ['myproject_service_api']
 */
export function serviceRepositories(naming: Naming, service: string): string[] {
  const { projectName, backendServiceName } = naming.config;
  if (!naming.isBackend(service)) return [`${projectName}_service_${service}`];
  return [`${projectName}_backend`, ...(backendServiceName === '' ? [] : [`${projectName}_service_${backendServiceName}`])];
}

/**
 * The SSM paths `/{env}/{project}/{service}/` whose parameters concern a logical service (the
 * backend's: `backend`, and `BACKEND_SERVICE_NAME` when set). A function for the same reason as
 * {@link serviceRepositories}.
 *
 * @example
 * serviceParameterPrefixes(naming, 'api'); // ['/dev/myproject/api/']
 */
export function serviceParameterPrefixes(naming: Naming, service: string): string[] {
  const { projectName, projectEnv, backendServiceName } = naming.config;
  const names = naming.isBackend(service) ? [...new Set([BACKEND_ALIAS, backendServiceName])].filter((name) => name !== '') : [service];
  return names.map((name) => `/${projectEnv}/${projectName}/${name}/`);
}

/** The family of a task definition given as ARN, `family:revision` or `family`. */
export function taskDefinitionFamily(taskDefinition: string): string {
  const afterSlash = taskDefinition.startsWith('arn:') ? taskDefinition.slice(taskDefinition.indexOf('/') + 1) : taskDefinition;
  const colon = afterSlash.lastIndexOf(':');
  return colon === -1 ? afterSlash : afterSlash.slice(0, colon);
}

/** `family:revision` of a task-definition ARN, for humans. */
export function shortTaskDefinition(taskDefinition: string): string {
  return taskDefinition.startsWith('arn:') ? taskDefinition.slice(taskDefinition.indexOf('/') + 1) : taskDefinition;
}
