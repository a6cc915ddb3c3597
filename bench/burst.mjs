/**
 * The burst the bench measures: 30 EventBridge events that arrive within seconds of each other —
 * 20 Parameter Store changes over 3 services, 6 ECR pushes (2 images, 3 tags each, for 2
 * services), 4 changes of one env file used by 2 services — delivered either as one SQS batch
 * (the coalescing queue) or as 30 direct invocations. Pure data: no I/O.
 */
import { createHash } from 'node:crypto';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const T0 = Date.parse('2026-03-02T10:00:00Z');

/** The services the burst concerns: one deployment each is the goal. */
export const BURST_SERVICES = ['api', 'worker', 'backend'];

/** SERVICE_CONFIG of the burst: the env file it changes is used by two services. */
export const BURST_SERVICE_CONFIG = {
  api: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
  worker: [{ bucket: 'myproject-config-dev', key: 'shared/.env' }],
};

/** The image each family's task definition runs (DescribeTaskDefinition): the tag `latest` of its repository. */
export const BURST_IMAGES = {
  myproject_service_api_dev: `${REGISTRY}/myproject_service_api:latest`,
  myproject_service_worker_dev: `${REGISTRY}/myproject_service_worker:latest`,
};

const envelope = (n, source, detailType, detail, resources = []) => ({
  version: '0',
  id: `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  'detail-type': detailType,
  source,
  account: ACCOUNT,
  time: new Date(T0 + n * 1000).toISOString().replace('.000Z', 'Z'),
  region: REGION,
  resources,
  detail,
});

/**
 * The 30 events, in the order they happened.
 *
 * @example
 * burstEvents().length; // 30
 */
export function burstEvents() {
  const events = [];
  let n = 0;
  // 20 parameters over 3 services, as one `terraform apply` changes them.
  for (let i = 0; i < 20; i++) {
    const service = BURST_SERVICES[i % 3];
    const name = `/dev/myproject/${service}/SETTING_${String(i + 1).padStart(2, '0')}`;
    events.push(
      envelope(++n, 'aws.ssm', 'Parameter Store Change', { operation: 'Update', name, type: 'String', description: '' }, [
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
      ]),
    );
  }
  // CI pushes each image with three tags; the services run `latest`.
  for (const [service, digest, version] of [
    ['api', `sha256:${'a'.repeat(64)}`, 'v1.4.2'],
    ['worker', `sha256:${'b'.repeat(64)}`, 'v2.0.0'],
  ]) {
    for (const tag of ['latest', version, `sha-${digest.slice(7, 14)}`]) {
      events.push(
        envelope(++n, 'aws.ecr', 'ECR Image Action', {
          result: 'SUCCESS',
          'repository-name': `myproject_service_${service}`,
          'image-digest': digest,
          'action-type': 'PUSH',
          'image-tag': tag,
        }),
      );
    }
  }
  // Four saves of one env file.
  for (let v = 1; v <= 4; v++) {
    events.push(
      envelope(
        ++n,
        'aws.s3',
        'Object Created',
        {
          version: '0',
          bucket: { name: 'myproject-config-dev' },
          object: { key: 'shared/.env', size: 30, etag: `e${v}`, 'version-id': `burst-version-${v}`, sequencer: `0${v}` },
          'request-id': `R${v}`,
          requester: ACCOUNT,
          reason: 'PutObject',
        },
        ['arn:aws:s3:::myproject-config-dev'],
      ),
    );
  }
  return events;
}

/**
 * The events as one SQS batch, each record in the shape of `sample` (a real SQS record wrapping an
 * EventBridge event), its body the event as JSON.
 *
 * @example
 * sqsBatch(burstEvents(), sample).Records.length; // 30
 */
export function sqsBatch(events, sample) {
  return {
    Records: events.map((event, i) => ({
      ...sample,
      messageId: `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`,
      body: JSON.stringify(event),
      md5OfBody: createHash('md5').update(JSON.stringify(event)).digest('hex'),
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:myproject-deploybridge-dev-coalesce`,
      awsRegion: REGION,
    })),
  };
}

/** The large burst: one `terraform apply` writing this many parameters over BURST_SERVICES. */
export const APPLY_CHANGES = 250;
/** The most records Lambda's event source mapping puts in one SQS batch. */
export const SQS_BATCH_SIZE = 100;

/**
 * The large burst's events, as the SQS batches it becomes (100, 100, 50): one parameter change of
 * a service after another, a few each second.
 *
 * @example
 * applyBatches().map((batch) => batch.length); // [100, 100, 50]
 */
export function applyBatches() {
  const events = [];
  for (let i = 0; i < APPLY_CHANGES; i++) {
    const service = BURST_SERVICES[i % BURST_SERVICES.length];
    const name = `/dev/myproject/${service}/APPLIED_${String(i + 1).padStart(3, '0')}`;
    const event = envelope(1000 + i, 'aws.ssm', 'Parameter Store Change', { operation: 'Update', name, type: 'String', description: '' }, [
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
    ]);
    events.push({ ...event, time: new Date(T0 + Math.floor(i / 5) * 1000).toISOString().replace('.000Z', 'Z') });
  }
  const batches = [];
  for (let i = 0; i < events.length; i += SQS_BATCH_SIZE) batches.push(events.slice(i, i + SQS_BATCH_SIZE));
  return batches;
}

/** What the burst must come to: the deployments and Slack messages of each delivery. */
export const BURST_EXPECTED = {
  // One deployment per service: api (parameters, its push, the env file), worker (the same), backend (parameters).
  batch: { updates: BURST_SERVICES.length, slack: BURST_SERVICES.length },
  // One per parameter, one per push of the tag a service runs, one per service per env-file save.
  direct: { updates: 20 + 2 + 4 * 2, slack: 20 + 2 + 4 * 2 },
};
