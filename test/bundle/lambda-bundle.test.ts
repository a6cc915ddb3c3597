/**
 * The Lambda bundle as build.mjs makes it (esbuild's metafile and output, built in memory):
 * credentials from the environment only, one copy of each SDK package, and the SDK's schema
 * modules tree-shaken and errors registered per command, without changing what a client sends or
 * parses.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Metafile, type OutputFile } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { duplicateSdkPackages, staticClosure } from '../../bench/lib.mjs';
import { bundleOptions, environmentCredentials, LAMBDA_ENTRY_POINTS } from '../../build.mjs';
import { NO_ENVIRONMENT_CREDENTIALS } from '../../src/aws/lambdaCredentials.js';
import { startDynamoDb } from '../helpers/dynalite.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { cloudWatchAlarms, ecsCall, ecsErrors, s3Reads } from './probes.js';

/** The packages of the SDK's default chain besides the environment's: SSO, INI, process, web identity, HTTP/container, IMDS, login. */
const CHAIN_PACKAGES =
  /node_modules\/(@aws-sdk\/credential-provider-(?!env\/)[^/]+|@aws-sdk\/nested-clients|@aws-sdk\/token-providers|@smithy\/credential-provider-imds)\//;
/** Words only the other providers' code holds: the container and instance metadata endpoints, web identity, credential_process, SSO, INI. */
const CHAIN_MARKERS = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  '169.254.170.2',
  '/latest/meta-data/iam/security-credentials',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'credential_process',
  'sso_start_url',
  'aws_access_key_id',
];

interface Built {
  meta: Metafile;
  code: string;
}

async function buildLambda(options: BuildOptions = {}): Promise<Built> {
  const result = await build({
    ...bundleOptions,
    entryPoints: LAMBDA_ENTRY_POINTS,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir: 'dist-bundle-check',
    sourcemap: false,
    write: false,
    ...options,
  });
  const code = (result.outputFiles ?? []).filter((f: OutputFile) => f.path.endsWith('.mjs')).map((f: OutputFile) => f.text);
  return { meta: result.metafile as Metafile, code: code.join('\n') };
}

let lambda: Built;
let naive: Built;
beforeAll(async () => {
  lambda = await buildLambda();
  naive = await buildLambda({ plugins: (bundleOptions.plugins ?? []).filter((p) => p !== environmentCredentials) });
}, 120_000);

describe('credentials in the Lambda bundle', () => {
  it('holds no credential provider but the environment’s: no SSO, INI, process, web-identity, container or IMDS code', () => {
    const inputs = Object.keys(lambda.meta.inputs);
    expect(inputs.filter((input) => CHAIN_PACKAGES.test(input))).toEqual([]);
    expect(CHAIN_MARKERS.filter((marker) => lambda.code.includes(marker))).toEqual([]);
    expect(inputs).toContain('src/aws/lambdaCredentials.ts');
    expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/credential-provider-env/'))).toBe(true);
  });

  it('the same build with the SDK’s default chain holds all of them (so the check above can fail)', () => {
    const packages = new Set(
      Object.keys(naive.meta.inputs).flatMap((input) => {
        const match = CHAIN_PACKAGES.exec(input);
        return match === null ? [] : [match[1]];
      }),
    );
    expect([...packages]).toEqual(
      expect.arrayContaining([
        '@aws-sdk/credential-provider-sso',
        '@aws-sdk/credential-provider-ini',
        '@aws-sdk/credential-provider-process',
        '@aws-sdk/credential-provider-web-identity',
        '@smithy/credential-provider-imds',
      ]),
    );
    expect(CHAIN_MARKERS.filter((marker) => !naive.code.includes(marker))).toEqual([]);
  });
});

describe('the SDK in the Lambda bundle', () => {
  it('holds one copy of each @aws-sdk/* and @smithy/* package (one SDK version across the clients)', () => {
    expect(Object.keys(lambda.meta.inputs).filter((input) => input.includes('node_modules/@smithy/core/')).length).toBeGreaterThan(0);
    expect(duplicateSdkPackages(lambda.meta)).toEqual([]);
  });

  it('keeps of S3’s operation schemas those its commands use: GetObject’s, not PutObject’s', () => {
    const s3Schemas = Object.entries(lambda.meta.outputs).flatMap(([, output]) =>
      Object.entries(output.inputs)
        .filter(([input]) => input.endsWith('@aws-sdk/client-s3/dist-es/schemas/schemas_0.js'))
        .map(([, { bytesInOutput }]) => bytesInOutput),
    );
    expect(s3Schemas).toHaveLength(1);
    // 64 KB minified before the computed keys were resolved at build time; the rest is the error schemas.
    expect(s3Schemas[0]).toBeLessThan(32 * 1024);
    expect(lambda.code).toContain('"GetObjectRequest"');
    expect(lambda.code).not.toContain('"PutObjectRequest"');
  });
});

describe('CommonJS in the Lambda bundle', () => {
  it('holds none, so no chunk of esbuild’s runtime helpers loads with every route: DynamoDB’s endpoint cache (mnemonist’s LRU cache), which no command uses, is a stand-in', () => {
    expect(Object.entries(lambda.meta.inputs).filter(([, input]) => input.format === 'cjs')).toEqual([]);
    expect(Object.keys(lambda.meta.inputs).filter((input) => /mnemonist|endpoint-cache/.test(input))).toEqual([
      'no-endpoint-cache:endpoint-cache',
    ]);
  });

  it('a split build that meets CommonJS fails, naming the module', async () => {
    await expect(
      buildLambda({ plugins: (bundleOptions.plugins ?? []).filter((plugin) => plugin.name !== 'no-endpoint-cache') }),
    ).rejects.toThrow(
      /CommonJS in a split bundle \(its runtime helpers would be one more file on every route\): .*node_modules\/mnemonist\/lru-cache\.js/,
    );
  });
});

describe('SDK errors in the Lambda bundle', () => {
  it('holds the errors of the operations deploybridge sends (the model’s list for each command), not every error of their services', () => {
    // Errors no code names but the model, of GetParameter (the webhook, through Powertools), PutItem
    // (journal and idempotency), UpdateFunctionCode, UpdateService and DescribeImages.
    for (const error of [
      'InvalidKeyId',
      'ItemCollectionSizeLimitExceededException',
      'CodeStorageExceededException',
      'NamespaceNotFoundException',
      'RepositoryNotFoundException',
    ])
      expect(lambda.code, error).toContain(`"${error}"`);
    // SSM's automation and activation errors: none of its operations deploybridge sends throws them.
    const ssmErrors = readFileSync('node_modules/@aws-sdk/client-ssm/dist-es/models/errors.js', 'utf8');
    for (const error of ['AutomationStepNotFoundException', 'InvalidActivationId', 'OpsItemLimitExceededException']) {
      expect(ssmErrors).toContain(`class ${error} `);
      expect(lambda.code, error).not.toContain(`"${error}"`);
    }
  });
});

describe('hashes in the Lambda bundle', () => {
  it('holds stand-ins for the SDK’s JavaScript SHA-256, SHA-1, MD5 and CRC32 (Node’s own serve), not the code', () => {
    const fallbacks = [
      'node_modules/@smithy/core/dist-es/submodules/checksum/sha256/Sha256Js.js',
      'node_modules/@aws-sdk/checksums/dist-es/submodules/sha/sha1/Sha1Js.js',
      'node_modules/@smithy/core/dist-es/submodules/checksum/md5/Md5Js.js',
      'node_modules/@smithy/core/dist-es/submodules/checksum/crc32/Crc32Js.js',
    ];
    const bundled = (input: string) =>
      Object.values(lambda.meta.outputs).reduce((sum, output) => sum + (output.inputs[input]?.bytesInOutput ?? 0), 0);
    for (const input of fallbacks) {
      expect(statSync(input).size, input).toBeGreaterThan(700);
      expect(bundled(input), input).toBeGreaterThan(0);
      expect(bundled(input), input).toBeLessThan(300);
    }
    expect(lambda.code).toContain('leaves out the SDK');
  });
});

describe('SDK code per route', () => {
  /** The inputs of what loading the chunk of `entryPoint` loads: it and the chunks it imports statically. */
  const loadedBy = (entryPoint: string) => {
    const outputs = lambda.meta.outputs;
    const chunk = Object.keys(outputs).find((file) => outputs[file]?.entryPoint === entryPoint);
    expect(chunk, entryPoint).toBeDefined();
    return [...staticClosure(lambda.meta, chunk as string)].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
  };

  it('the ECS client loads no S3 (XML) or Lambda (REST-JSON) protocol code, though the SDK re-exports every protocol from one module', () => {
    const inputs = loadedBy('src/aws/ecs.ts');
    expect(inputs.some((input) => input.includes('@aws-sdk/core/dist-es/submodules/protocols/json/AwsJson1_1Protocol.js'))).toBe(true);
    expect(inputs.filter((input) => /protocols\/(xml|query|cbor)\/|AwsRestJsonProtocol|HttpBindingProtocol/.test(input))).toEqual([]);
  });

  it('the S3 client loads the XML protocol', () => {
    expect(loadedBy('src/aws/s3.ts').some((input) => input.includes('protocols/xml/AwsRestXmlProtocol.js'))).toBe(true);
  });
});

describe('the probes bundled like the Lambda and run by node, against a server on 127.0.0.1', () => {
  const signed: Array<string | undefined> = [];
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  let dir: string;
  let probe: string;

  beforeAll(async () => {
    server = await listenOnLoopback(createServer((req, res) => answer(req, res, signed)));
    dir = mkdtempSync(join(tmpdir(), 'deploybridge-bundle-'));
    probe = join(dir, 'probe.mjs');
    const contents = [
      "import * as probes from './test/bundle/probes.ts';",
      'const result = await probes[process.argv[2]]();',
      'process.stdout.write(JSON.stringify(result));',
    ].join('\n');
    await build({
      ...bundleOptions,
      stdin: { contents, resolveDir: process.cwd(), sourcefile: 'probe-entry.ts', loader: 'ts' },
      outfile: probe,
      sourcemap: false,
    });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    signed.length = 0;
    vi.unstubAllEnvs();
  });

  /** Runs a bundled probe in a Lambda-like environment (plus `env`) and returns what it printed. */
  async function runBundled(name: string, env: Record<string, string | undefined>): Promise<unknown> {
    const { stdout } = await promisify(execFile)(process.execPath, [probe, name], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: server.baseUrl,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      encoding: 'utf8',
    });
    return JSON.parse(stdout) as unknown;
  }

  const profileEnv = () => {
    const files = join(dir, 'profile');
    return { AWS_PROFILE: 'deploybridge-test', AWS_CONFIG_FILE: `${files}.config`, AWS_SHARED_CREDENTIALS_FILE: `${files}.credentials` };
  };

  it('an SDK client signs with the environment’s credentials, even where AWS_PROFILE would win in the default chain', async () => {
    const env = profileEnv();
    writeFileSync(env.AWS_CONFIG_FILE, '[profile deploybridge-test]\nregion = us-east-1\n');
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE,
      '[deploybridge-test]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = s\n',
    );
    const result = await runBundled('ecsCall', {
      ...env,
      AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'environmentSecretAccessKeyExample',
      AWS_SESSION_TOKEN: 'environment-session-token',
    });
    expect(result).toEqual({ taskArns: [] });
    expect(signed).toEqual(['ASIAENVIRONMENTEXAMPLE']);

    // From source, the same call goes through the full chain: the profile signs.
    vi.stubEnv('AWS_ENDPOINT_URL', server.baseUrl);
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    await expect(ecsCall()).resolves.toEqual({ taskArns: [] });
    expect(signed).toEqual(['ASIAENVIRONMENTEXAMPLE', 'AKIAPROFILEEXAMPLE01']);
  });

  it('without credentials in the environment, the call fails with the message that says where they come from; nothing is sent', async () => {
    const result = await runBundled('ecsCall', profileEnv());
    expect(result).toEqual({ error: { name: 'CredentialsProviderError', message: NO_ENVIRONMENT_CREDENTIALS } });
    expect(signed).toEqual([]);
  });

  it('an error a command models reaches the caller as its class; any other as the service’s exception with the same name, message, fault and status', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTEXAMPLE', AWS_SECRET_ACCESS_KEY: 'environmentSecretAccessKeyExample' };
    const bundled = await runBundled('ecsErrors', env);
    vi.stubEnv('AWS_ENDPOINT_URL', server.baseUrl);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const fromSource = await ecsErrors();
    expect(bundled).toEqual(fromSource);
    expect(fromSource).toEqual({
      modeled: {
        name: 'ClusterNotFoundException',
        message: 'Cluster not found.',
        fault: 'client',
        status: 400,
        isServiceException: true,
        isClusterNotFound: true,
      },
      other: {
        name: 'TargetNotFoundException',
        message: 'The specified target wasn’t found.',
        fault: 'client',
        status: 400,
        isServiceException: true,
        isClusterNotFound: false,
      },
    });
  });

  it('DynamoDB: the Powertools guard (idempotency without JMESPath) and the journal run bundled against dynalite: once, then skipped; a conditional write refused', async () => {
    const db = await startDynamoDb();
    try {
      const env = { AWS_ENDPOINT_URL: db.endpoint, AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
      const bundled = await runBundled('dynamoDbUses', env);
      expect(bundled).toEqual({
        first: { ran: true, result: { status: 'started' } },
        repeat: { ran: false, reason: 'already deployed' },
        written: true,
        writtenAgain: false,
        read: { entry: { type: 'latest', deploymentId: 'ecs-svc/1234567890123456789' }, version: 1 },
      });
    } finally {
      await db.close();
    }
  });

  it('CloudWatch DescribeAlarms (the lifecycle hook’s alarms) sends and parses as from source', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTEXAMPLE', AWS_SECRET_ACCESS_KEY: 'environmentSecretAccessKeyExample' };
    const bundled = await runBundled('cloudWatchAlarms', env);
    vi.stubEnv('AWS_ENDPOINT_URL', server.baseUrl);
    const fromSource = await cloudWatchAlarms();
    expect(bundled).toEqual(fromSource);
    expect(fromSource).toEqual([
      { name: 'api-5xx', state: 'OK', since: '2026-01-01T00:00:00.000Z' },
      { name: 'api-latency', state: 'ALARM', since: '2026-01-02T00:00:00.000Z' },
    ]);
  });

  it('S3 reads (schemas tree-shaken) send and parse as from source: object, versions, and a missing key', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTEXAMPLE', AWS_SECRET_ACCESS_KEY: 'environmentSecretAccessKeyExample' };
    const bundled = await runBundled('s3Reads', env);
    vi.stubEnv('AWS_ENDPOINT_URL', server.baseUrl);
    const fromSource = await s3Reads();
    expect(bundled).toEqual(fromSource);
    expect(fromSource).toMatchObject({
      body: 'APP_ENV=dev\nLOG_LEVEL=info\n',
      versionId: 'v2',
      versions: [
        { key: 'api/.env', versionId: 'v2', isLatest: true, lastModified: '2026-01-02T00:00:00.000Z', size: 27 },
        { key: 'api/.env', versionId: 'v1', isLatest: false, lastModified: '2026-01-01T00:00:00.000Z', size: 28 },
      ],
      deleteMarkers: [{ key: 'api/.env', versionId: 'v0', isLatest: false }],
      missing: { name: 'NoSuchKey', fault: 'client', status: 404, isNoSuchKey: true },
    });
  });
});

/** ListTasks's errors by cluster name, as ECS sends them. */
const ECS_ERRORS: Record<string, { __type: string; message: string }> = {
  missing_cluster: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' },
  unlisted_error: { __type: 'TargetNotFoundException', message: 'The specified target wasn’t found.' },
};

/** The server's answers: ECS ListTasks (the signing key recorded), CloudWatch DescribeAlarms, and S3's env-file reads. */
function answer(req: IncomingMessage, res: ServerResponse, signed: Array<string | undefined>): void {
  const body: Buffer[] = [];
  req.on('data', (chunk: Buffer) => body.push(chunk));
  req.on('end', () => {
    signed.push(/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1]);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers['x-amz-target'] === 'AmazonEC2ContainerServiceV20141113.ListTasks') {
      const { cluster } = JSON.parse(Buffer.concat(body).toString('utf8') || '{}') as { cluster?: string };
      const error = ECS_ERRORS[cluster ?? ''];
      if (error === undefined) res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"taskArns":[]}');
      else res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(error));
      return;
    }
    if (req.headers['x-amz-target'] === 'GraniteServiceVersion20100801.DescribeAlarms') {
      const { AlarmNames } = JSON.parse(Buffer.concat(body).toString('utf8') || '{}') as { AlarmNames?: string[] };
      const alarms = (AlarmNames ?? []).map((name, i) => ({
        AlarmName: name,
        StateValue: i === 0 ? 'OK' : 'ALARM',
        StateUpdatedTimestamp: Date.UTC(2026, 0, i + 1) / 1000,
      }));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MetricAlarms: alarms }));
      return;
    }
    if (url.pathname === '/myproject-config-dev/api/.env') {
      const body = 'APP_ENV=dev\nLOG_LEVEL=info\n';
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), 'x-amz-version-id': 'v2' })
        .end(body);
      return;
    }
    if (/^\/myproject-config-dev\/?$/.test(url.pathname) && url.searchParams.has('versions')) {
      const version = (id: string, latest: boolean, day: string, size: number) =>
        `<Version><Key>api/.env</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>2026-01-${day}T00:00:00.000Z</LastModified><ETag>"e${id}"</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Version>`;
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>myproject-config-dev</Name><Prefix>api/.env</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${version('v2', true, '02', 27)}${version('v1', false, '01', 28)}<DeleteMarker><Key>api/.env</Key><VersionId>v0</VersionId><IsLatest>false</IsLatest><LastModified>2025-12-31T00:00:00.000Z</LastModified></DeleteMarker></ListVersionsResult>`,
        );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/xml', 'x-amz-request-id': 'test-request' })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing/.env</Key><RequestId>test-request</RequestId></Error>',
      );
  });
}
