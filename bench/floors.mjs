/**
 * The SDK's own floor of each route that calls AWS: a module that only creates the route's SDK
 * clients and makes the route's AWS calls, with the same inputs, against the bench's stub. Built
 * with the Lambda bundle's esbuild settings (build.mjs `bundleOptions`) and run like the bundle
 * (bench/child.mjs imports it and calls `handler`), so `route ÷ floor` is what deploybridge adds
 * to the SDK: configuration, logging and metrics, validation, planning, wording, Slack.
 *
 * The calls are those the bench checks for each route (bench.mjs ROUTES), made in the same order
 * and the same concurrency; their inputs are those the route sends for its sample event.
 */

const CLUSTER = 'myproject_cluster_dev';

/** `const <name> = new <Client>({ region })` for each client, and the module's imports. */
function module(imports, body) {
  const lines = Object.entries(imports).map(([pkg, names]) => `import { ${names.join(', ')} } from '${pkg}';`);
  return [
    ...lines,
    'const region = process.env.AWS_REGION;',
    "/** The route's AWS calls, nothing else. */",
    'export async function handler() {',
    ...body.map((line) => `  ${line}`),
    "  return { status: 'floor' };",
    '}',
  ].join('\n');
}

/** UpdateService as the routes send it; `service` and `taskDefinition` are JavaScript expressions. */
const updateService = (service, taskDefinition) =>
  `await ecs.send(new UpdateServiceCommand({ cluster: '${CLUSTER}', service: ${service},${taskDefinition === undefined ? '' : ` taskDefinition: ${taskDefinition},`} forceNewDeployment: true }));`;

/** The floor of each route, by route name: its SDK clients (as the bench names them) and its module source. */
export const FLOORS = {
  // events/ecr-push-api.json: the service's task definition, the pushed image, the deployment.
  ecr: {
    clients: ['ecr', 'ecs'],
    source: module(
      {
        '@aws-sdk/client-ecs': ['ECSClient', 'DescribeTaskDefinitionCommand', 'UpdateServiceCommand'],
        '@aws-sdk/client-ecr': ['ECRClient', 'DescribeImagesCommand'],
      },
      [
        'const ecs = new ECSClient({ region });',
        'const ecr = new ECRClient({ region });',
        "const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'myproject_service_api_dev' }));",
        "await ecr.send(new DescribeImagesCommand({ repositoryName: 'myproject_service_api', imageIds: [{ imageDigest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234' }] }));",
        updateService("'myproject_service_api_dev'", 'taskDefinition.taskDefinitionArn'),
      ],
    ),
  },
  // events/ssm-parameter-update.json: who changed the parameter, then a restart.
  ssm: {
    clients: ['ecs', 'ssm'],
    source: module(
      { '@aws-sdk/client-ecs': ['ECSClient', 'UpdateServiceCommand'], '@aws-sdk/client-ssm': ['SSMClient', 'DescribeParametersCommand'] },
      [
        'const ecs = new ECSClient({ region });',
        'const ssm = new SSMClient({ region });',
        "await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/dev/myproject/api/DATABASE_URL'] }] }));",
        updateService("'myproject_service_api_dev'"),
      ],
    ),
  },
  // events/s3-env-file-created.json: the env file read, its versions listed, the previous one read, three restarts at once.
  s3: {
    clients: ['ecs', 's3'],
    source: module(
      {
        '@aws-sdk/client-ecs': ['ECSClient', 'UpdateServiceCommand'],
        '@aws-sdk/client-s3': ['S3Client', 'GetObjectCommand', 'ListObjectVersionsCommand'],
      },
      [
        'const ecs = new ECSClient({ region });',
        'const s3 = new S3Client({ region });',
        "const Bucket = 'myproject-config-dev';",
        "const Key = 'shared/.env';",
        'const read = async (VersionId) => (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body.transformToByteArray();',
        "await read('IYV3p45BT0ac8hjHg1houSdS1a.Mro8e');",
        'const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));',
        'await read(Versions.at(-1).VersionId);',
        "await Promise.all(['myproject_service_worker_dev', 'myproject_service_dev', 'myproject_service_api_dev'].map(async (service) => {",
        `  ${updateService('service')}`,
        '}));',
      ],
    ),
  },
  // events/manual-deploy.json: one UpdateService. This is also the plain "ECSClient + UpdateService" floor.
  manual: {
    clients: ['ecs'],
    source: module({ '@aws-sdk/client-ecs': ['ECSClient', 'UpdateServiceCommand'] }, [
      'const ecs = new ECSClient({ region });',
      updateService("'myproject_service_api_dev'", "'myproject_service_api_dev'"),
    ]),
  },
  // events/lambda-s3-artifact-upload.json: the Lambda target's deploy sequence, with the SDK's waiter.
  lambda: {
    clients: ['lambda'],
    source: module(
      {
        '@aws-sdk/client-lambda': [
          'LambdaClient',
          'GetFunctionConfigurationCommand',
          'GetAliasCommand',
          'UpdateFunctionCodeCommand',
          'PublishVersionCommand',
          'InvokeCommand',
          'UpdateAliasCommand',
          'waitUntilFunctionUpdatedV2',
        ],
      },
      [
        'const client = new LambdaClient({ region });',
        "const FunctionName = 'myproject_lambda_thumbnailer_dev';",
        'await client.send(new GetFunctionConfigurationCommand({ FunctionName }));',
        "const alias = await client.send(new GetAliasCommand({ FunctionName, Name: 'live' }));",
        "await client.send(new UpdateFunctionCodeCommand({ FunctionName, S3Bucket: 'myproject-artifacts', S3Key: 'thumbnailer/lambda.zip', S3ObjectVersion: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' }));",
        'const { configuration } = await waitUntilFunctionUpdatedV2({ client, minDelay: 1, maxDelay: 10, maxWaitTime: 60 }, { FunctionName }).then((r) => ({ configuration: r.reason?.Configuration }));',
        "const { Version } = await client.send(new PublishVersionCommand({ FunctionName, Description: 'deploybridge: S3 object s3://myproject-artifacts/thumbnailer/lambda.zip', RevisionId: configuration?.RevisionId }));",
        "const invoked = await client.send(new InvokeCommand({ FunctionName, Qualifier: Version, InvocationType: 'RequestResponse', Payload: JSON.stringify({ ping: true }) }));",
        'JSON.parse(new TextDecoder().decode(invoked.Payload));',
        "await client.send(new UpdateAliasCommand({ FunctionName, Name: 'live', FunctionVersion: Version, Description: `deploybridge previous_version=${alias.FunctionVersion}`, RevisionId: alias.RevisionId }));",
      ],
    ),
  },
};
