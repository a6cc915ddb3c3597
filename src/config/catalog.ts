/**
 * The catalog of services: every service the project knows, built once when the configuration is
 * loaded. Each has a canonical name, a kind (an ECS service, or a Lambda function when it is listed
 * in `LAMBDA_CONFIG`), its AWS names, and the env files and artifact it depends on. Handlers ask it
 * which services an ECR repository, a parameter, an S3 object or an ECS service concerns, and get
 * typed answers; nobody else canonicalises names or reads `SERVICE_CONFIG` / `LAMBDA_CONFIG`.
 *
 * ECS services are open-ended: any valid name under the naming rules is one (a repository
 * `{project}_service_api` means the ECS service of `api`), whether or not the configuration lists it.
 */
import { Naming, type EcsNames, type NamingRules } from './naming.js';

/** An S3 object (env file or artifact) named in the configuration. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
}

/**
 * A smoke test: invoke the new version with `payload`; it passes when the invocation has no
 * `FunctionError` and every key of `expect` equals the same key of the JSON response.
 */
export interface SmokeTest {
  payload: unknown;
  expect: Record<string, unknown> | undefined;
}

/** One entry of `LAMBDA_CONFIG`, as configured. */
export interface LambdaTargetConfig {
  /** Function name or ARN; when absent, `LAMBDA_FUNCTION_PATTERN` names it. */
  functionName: string | undefined;
  alias: string | undefined;
  /** The S3 zip whose changes update the function's code. */
  artifact: S3ObjectRef | undefined;
  smokeTest: SmokeTest | undefined;
}

/** The function a Lambda service deploys to. */
export interface LambdaFunction {
  functionName: string;
  /** With an alias every deploy publishes a version and moves the alias (blue/green); without one, `$LATEST` is updated in place. */
  alias: string | undefined;
  smokeTest: SmokeTest | undefined;
}

/** An ECS service of this project and env. */
export interface EcsService {
  kind: 'ecs';
  /** The canonical logical name ("api"; the backend's is `BACKEND_SERVICE_NAME` or "backend"). */
  name: string;
  ecs: EcsNames;
  envFiles: S3ObjectRef[];
}

/** A Lambda function of this project (a service listed in `LAMBDA_CONFIG`). */
export interface LambdaService {
  kind: 'lambda';
  name: string;
  lambda: LambdaFunction;
  artifact: S3ObjectRef | undefined;
  envFiles: S3ObjectRef[];
}

export type CatalogService = EcsService | LambdaService;

/** What one S3 object is to the project's services. */
export interface ObjectUse {
  /** Services that read it as an env file (a Lambda service whose artifact it is as well is listed under `artifactOf` only). */
  envFileOf: CatalogService[];
  /** Lambda services whose code it is. */
  artifactOf: LambdaService[];
}

const sameObject = (a: S3ObjectRef, bucket: string, key: string) => a.bucket === bucket && a.key === key;

/** The AWS resource people know a service by: its ECS service or its function. */
export function resourceName(service: CatalogService): string {
  return service.kind === 'lambda' ? service.lambda.functionName : service.ecs.service;
}

/**
 * Every service of one project and env.
 *
 * @example
 * const { catalog, problems } = Catalog.build(rules, serviceConfig, lambdaConfig);
 * catalog.forRepository('myproject_service_api'); // → { kind: 'ecs', name: 'api', ecs: { … }, envFiles: [ … ] }
 */
export class Catalog {
  private readonly lambdas = new Map<string, LambdaService>();
  private readonly envFiles = new Map<string, S3ObjectRef[]>();

  private constructor(readonly naming: Naming) {}

  /**
   * Builds the catalog from the naming rules, `SERVICE_CONFIG` and `LAMBDA_CONFIG` (keys are
   * service names as written). Ambiguities are returned as configuration problems: two keys for
   * one service (`backend` and the value of `BACKEND_SERVICE_NAME`), one service spelt two ways in
   * the two variables, two services deploying to one function.
   */
  static build(
    rules: NamingRules,
    serviceConfig: Record<string, S3ObjectRef[]>,
    lambdaConfig: Record<string, LambdaTargetConfig>,
  ): { catalog: Catalog; problems: string[] } {
    const catalog = new Catalog(new Naming(rules));
    const problems: string[] = [];
    // Every spelling of each service, and where it is written: one service written two ways (the
    // backend as "backend" and as BACKEND_SERVICE_NAME) is refused, with its spellings in order.
    const spellings = new Map<string, { keys: Set<string>; variables: Set<string> }>();
    for (const [variable, keys] of [
      ['SERVICE_CONFIG', Object.keys(serviceConfig)],
      ['LAMBDA_CONFIG', Object.keys(lambdaConfig)],
    ] as const) {
      for (const key of keys) {
        const name = catalog.naming.canonical(key);
        if (name === undefined) continue; // the schema already reported the key
        const spelt = spellings.get(name) ?? { keys: new Set<string>(), variables: new Set<string>() };
        spelt.keys.add(key);
        spelt.variables.add(variable);
        spellings.set(name, spelt);
      }
    }
    for (const [name, { keys, variables }] of spellings) {
      if (keys.size < 2) continue;
      const [first, second] = [...keys].sort();
      problems.push(
        `${[...variables].join(' and ')}: "${first}" and "${second}" name the same service (${catalog.describeName(name)}); use one name`,
      );
    }
    const claim = (key: string): string | undefined => {
      const name = catalog.naming.canonical(key);
      return name !== undefined && spellings.get(name)?.keys.size === 1 ? name : undefined;
    };
    for (const [key, files] of Object.entries(serviceConfig)) {
      const name = claim(key);
      if (name !== undefined) catalog.envFiles.set(name, files);
    }
    const functions = new Map<string, string>();
    for (const [key, entry] of Object.entries(lambdaConfig)) {
      const name = claim(key);
      if (name === undefined) continue;
      const functionName = entry.functionName ?? catalog.naming.lambdaFunctionName(name);
      const owner = functions.get(functionName);
      if (owner !== undefined) {
        problems.push(`LAMBDA_CONFIG: "${owner}" and "${key}" both deploy the function ${functionName}; one event would deploy it twice`);
        continue;
      }
      functions.set(functionName, key);
      catalog.lambdas.set(name, {
        kind: 'lambda',
        name,
        lambda: { functionName, alias: entry.alias, smokeTest: entry.smokeTest },
        artifact: entry.artifact,
        envFiles: catalog.envFiles.get(name) ?? [],
      });
    }
    return { catalog, problems };
  }

  private describeName(name: string): string {
    return name === this.naming.backend ? `the backend${this.naming.backend === 'backend' ? '' : `, BACKEND_SERVICE_NAME=${name}`}` : name;
  }

  /** The ECS cluster of this project and env. */
  get cluster(): string {
    return this.naming.cluster;
  }

  /**
   * The service a person or an event names ("" and "backend" mean the backend), or `undefined`
   * when the name could escape the naming patterns.
   */
  service(requested: string): CatalogService | undefined {
    const name = this.naming.canonical(requested);
    return name === undefined ? undefined : this.entry(name);
  }

  /** The service of a canonical name (as the naming rules return them). */
  private entry(name: string): CatalogService {
    return this.lambdas.get(name) ?? { kind: 'ecs', name, ecs: this.naming.ecsNames(name), envFiles: this.envFiles.get(name) ?? [] };
  }

  /** The service built from an ECR repository (`{project}_backend`, `{project}_service_{name}`), or `undefined` if the repository is not this project's. */
  forRepository(repository: string): CatalogService | undefined {
    const name = this.naming.serviceFromRepository(repository);
    return name === undefined ? undefined : this.entry(name);
  }

  /** The service and parameter name of `/{env}/{project}/{service}/NAME`, or `undefined` for another env, project or shape. */
  forParameter(path: string): { service: CatalogService; parameter: string } | undefined {
    const parsed = this.naming.parseParameterName(path);
    return parsed === undefined ? undefined : { service: this.entry(parsed.service), parameter: parsed.parameter };
  }

  /** Every key of this bucket the configuration names (env files and artifacts), each once. */
  objectKeys(bucket: string): string[] {
    const objects = [...[...this.envFiles.values()].flat(), ...[...this.lambdas.values()].flatMap((s) => s.artifact ?? [])];
    return [...new Set(objects.filter((o) => o.bucket === bucket).map((o) => o.key))];
  }

  /** The services that read this S3 object as an env file, and the functions whose code it is, in configuration order. */
  forObject(bucket: string, key: string): ObjectUse {
    const artifactOf = [...this.lambdas.values()].filter((s) => s.artifact !== undefined && sameObject(s.artifact, bucket, key));
    const envFileOf = [...this.envFiles.entries()]
      .filter(([name, files]) => files.some((file) => sameObject(file, bucket, key)) && !artifactOf.some((a) => a.name === name))
      .map(([name]) => this.entry(name));
    return { envFileOf, artifactOf };
  }

  /** The ECS service of this project and env with this name, or `undefined` when it is not one. */
  forEcsService(ecsService: string): CatalogService | undefined {
    const name = this.naming.serviceFromEcsServiceName(ecsService);
    return name === undefined ? undefined : this.entry(name);
  }

  /** The services the configuration names (in `SERVICE_CONFIG` or `LAMBDA_CONFIG`), Lambda services first. */
  configured(): CatalogService[] {
    const ecs = [...this.envFiles.keys()].filter((name) => !this.lambdas.has(name)).map((name) => this.entry(name));
    return [...this.lambdas.values(), ...ecs];
  }

  /** True when some Lambda service has an artifact (so an S3 object may be one). */
  get hasArtifacts(): boolean {
    return [...this.lambdas.values()].some((s) => s.artifact !== undefined);
  }
}
