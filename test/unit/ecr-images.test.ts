/**
 * ECR images: a push that deploys is described (DescribeImages), and with ECR_SCAN_GATE it deploys
 * only when its scan passes — waiting for the "ECR Image Scan" event when the scan is still running.
 * Real event shapes: the ECR documentation's push and basic-scan samples, adapted to this project.
 */
import type { FindingSeverity, ScanStatus } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DescribeTaskDefinitionCommand,
  sentCommands,
  serviceUpdated,
  taskDefinition,
  testApp,
  UpdateServiceCommand,
} from '../helpers/app.js';
import { adapt } from '../helpers/fixtures.js';
import { fact, GetFunctionCommand, happyPath, lambdaApp, UpdateFunctionCodeCommand } from '../helpers/lambda-harness.js';
import { captureOutput } from '../helpers/logs.js';
import { DescribeImagesCommand, DescribeImageScanFindingsCommand } from '../helpers/reads.js';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const REPOSITORY = 'myproject_service_api';
const FAMILY = 'myproject_service_api_dev';
const TD_ARN = `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:7`;
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
const PUSHED_AT = new Date('2019-11-16T01:52:10Z');

/** The documentation's push sample (time 2019-11-16T01:54:34Z), for the api repository. */
const push = (tag = 'v1.4.2') => adapt('ecr/image-action-push-success.json', { 'repository-name': REPOSITORY, 'image-tag': tag });

/** The documentation's basic-scan sample ("ECR Image Scan"), for the api image, completing `minutes` after its push. */
function scanCompleted(counts: Record<string, number>, { minutes = 4, tags = ['v1.4.2'], repository = REPOSITORY } = {}) {
  return adapt(
    'ecr/image-scan-basic-not-handled.json',
    {
      'repository-name': repository,
      'image-digest': DIGEST,
      'image-tags': tags,
      'finding-severity-counts': counts,
      'scan-status': 'COMPLETE',
    },
    {
      time: new Date(PUSHED_AT.getTime() + minutes * 60_000).toISOString(),
      resources: [`arn:aws:ecr:us-east-1:123456789012:repository/${repository}`],
    },
  );
}

/** DescribeImages' answer for the pushed digest. */
function imageDetail(
  scan?: { status: string; counts?: Partial<Record<FindingSeverity, number>>; description?: string },
  tags = ['v1.4.2', 'latest'],
) {
  return {
    imageDetails: [
      {
        registryId: '123456789012',
        repositoryName: REPOSITORY,
        imageDigest: DIGEST,
        imageTags: tags,
        imageSizeInBytes: 182_312_448,
        imagePushedAt: PUSHED_AT,
        ...(scan === undefined
          ? {}
          : {
              imageScanStatus: { status: scan.status as ScanStatus, description: scan.description },
              imageScanFindingsSummary: scan.counts === undefined ? undefined : { findingSeverityCounts: scan.counts },
            }),
      },
    ],
  };
}

/** An app whose api service runs `myproject_service_api:v1.4.2`. */
function apiApp(env: Record<string, string> = {}, runs = 'v1.4.2') {
  const test = testApp(env);
  test.ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(FAMILY, 7, [`${REGISTRY}/${REPOSITORY}:${runs}`]));
  test.ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated(TD_ARN, 'ecs-svc/9876'));
  return test;
}

const GATED = { ECR_SCAN_GATE: 'HIGH' };

describe('ECR push: the image is described', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('a push that deploys names every tag of the digest, its size and push time, in Slack and the log', async () => {
    const { app, ecrMock, notifier } = apiApp();
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail());
    await app.handle(push());
    expect(sentCommands(ecrMock)).toEqual([
      { command: 'DescribeImagesCommand', input: { repositoryName: REPOSITORY, imageIds: [{ imageDigest: DIGEST }] } },
    ]);
    expect(fact(notifier.sent[0], 'Pushed image')).toBe('`v1.4.2` (also `latest`), sha256:7f5b264…, 182 MB, pushed 2019-11-16 01:52 UTC');
    expect(fact(notifier.sent[0], 'Scan')).toBeUndefined();
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      image_tags: ['v1.4.2', 'latest'],
      image_size_bytes: 182_312_448,
      image_pushed_at: '2019-11-16T01:52:10.000Z',
    });
  });

  it('a push that deploys nothing is not described', async () => {
    const { app, ecrMock } = apiApp({}, 'v1.4.1');
    await app.handle(push());
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it('without the gate, an image that cannot be described still deploys (its details are left out, with a warn log)', async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp();
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $fault: 'client' }));
    await app.handle(push());
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(fact(notifier.sent[0], 'Pushed image')).toBeUndefined();
    expect(output.logs().find((l) => l.message.startsWith('image not described'))).toMatchObject({
      level: 'warn',
      fields: { repository: REPOSITORY, error_name: 'AccessDeniedException' },
    });
  });

  it('without the gate, an "ECR Image Scan" event does nothing', async () => {
    const { app, ecsMock, ecrMock } = apiApp();
    const result = await app.handle(scanCompleted({ CRITICAL: 3 }));
    expect(result).toMatchObject({ status: 'ignored', route: 'ecr', reason: 'ECR Image Scan events deploy only with ECR_SCAN_GATE set' });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(ecrMock.calls()).toHaveLength(0);
  });
});

describe('ECR_SCAN_GATE: an image deploys only when its scan passes', () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('a complete scan with nothing at or above the gate deploys, and the message shows the counts', async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: { MEDIUM: 3, LOW: 7 } }));
    await app.handle(push());
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(ecrMock.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(0);
    expect(fact(notifier.sent[0], 'Scan')).toBe('passed ECR_SCAN_GATE HIGH: MEDIUM 3, LOW 7');
    expect(output.logs().find((l) => l.message === 'deployment started')?.fields).toMatchObject({
      scan_gate: 'HIGH',
      scan_counts: { MEDIUM: 3, LOW: 7 },
    });
  });

  it('a finding at the gate refuses the image: a Slack error with the counts and the 5 worst findings, nothing deployed', async () => {
    const { app, ecsMock, ecrMock, notifier, metrics } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: { HIGH: 2, MEDIUM: 4, LOW: 1 } }));
    const finding = (name: string, severity: FindingSeverity, pkg?: string) => ({
      name,
      severity,
      uri: `https://security-tracker.example/${name}`,
      attributes:
        pkg === undefined
          ? []
          : [
              { key: 'package_name', value: pkg },
              { key: 'package_version', value: '1.0' },
            ],
    });
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: {
        findings: [
          finding('CVE-1', 'LOW', 'zlib'),
          finding('CVE-2', 'MEDIUM'),
          finding('CVE-3', 'HIGH', 'openssl'),
          finding('CVE-4', 'MEDIUM'),
          finding('CVE-5', 'HIGH', 'curl'),
          finding('CVE-6', 'MEDIUM'),
          finding('CVE-7', 'MEDIUM'),
        ],
      },
    });

    const result = await app.handle(push());

    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(sentCommands(ecrMock).map((c) => c.command)).toEqual(['DescribeImagesCommand', 'DescribeImageScanFindingsCommand']);
    expect(ecrMock.commandCalls(DescribeImageScanFindingsCommand)[0]?.args[0].input).toEqual({
      repositoryName: REPOSITORY,
      imageId: { imageDigest: DIGEST },
      maxResults: 1000,
    });
    expect(result).toMatchObject({ status: 'planned', deployments: [] });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({
      severity: 'error',
      title: 'Image refused by the scan gate: api',
      service: 'myproject_service_api_dev',
    });
    expect(fact(notifier.sent[0], 'Reason')).toBe('findings at or above HIGH: HIGH 2');
    expect(fact(notifier.sent[0], 'Findings')).toBe('HIGH 2, MEDIUM 4, LOW 1');
    expect(fact(notifier.sent[0], 'Top findings')?.split('\n')).toEqual([
      'HIGH CVE-3 (openssl 1.0)',
      'HIGH CVE-5 (curl 1.0)',
      'MEDIUM CVE-2',
      'MEDIUM CVE-4',
      'MEDIUM CVE-6',
    ]);
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });
    expect(output.logs().find((l) => l.message.startsWith('deployment skipped: image refused by the scan gate'))?.fields).toMatchObject({
      service: 'api',
      digest: DIGEST,
      gate: 'HIGH',
      scan_counts: { HIGH: 2, MEDIUM: 4, LOW: 1 },
    });
  });

  it('enhanced scanning findings are listed by their vulnerability id and package', async () => {
    const { app, ecrMock, notifier } = apiApp({ ECR_SCAN_GATE: 'CRITICAL' });
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'ACTIVE', counts: { CRITICAL: 1 } }));
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({
      imageScanFindings: {
        enhancedFindings: [
          {
            severity: 'CRITICAL',
            title: 'CVE-2024-6387 - openssh',
            packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-6387', vulnerablePackages: [{ name: 'openssh', version: '9.2p1' }] },
          },
        ],
      },
    });
    await app.handle(push());
    expect(fact(notifier.sent[0], 'Top findings')).toBe('CRITICAL CVE-2024-6387 (openssh 9.2p1)');
  });

  it('the gate level decides: MEDIUM refuses what HIGH lets through', async () => {
    const scan = imageDetail({ status: 'COMPLETE', counts: { MEDIUM: 1 } });
    const high = apiApp(GATED);
    high.ecrMock.on(DescribeImagesCommand).resolves(scan);
    await high.app.handle(push());
    expect(high.ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    const medium = apiApp({ ECR_SCAN_GATE: 'medium' });
    medium.ecrMock.on(DescribeImagesCommand).resolves(scan);
    await medium.app.handle(push());
    expect(medium.ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(fact(medium.notifier.sent[0], 'Reason')).toBe('findings at or above MEDIUM: MEDIUM 1');
  });

  it('a scan still running: nothing deployed, the wait is logged and reported; the scan completion event deploys it', async () => {
    const { app, ecsMock, ecrMock, notifier, metrics } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'IN_PROGRESS' }));

    const pushed = await app.handle(push());

    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(pushed).toMatchObject({ status: 'planned', deployments: [], plan: { skipped: [{ service: 'api' }] } });
    expect(notifier.sent).toEqual([expect.objectContaining({ severity: 'info', title: 'Waiting for the image scan: api' })]);
    expect(fact(notifier.sent[0], 'Status')).toBe(
      'scan IN_PROGRESS: deploys when ECR reports it complete with no finding at or above HIGH (ECR_SCAN_GATE)',
    );
    const waiting = output.logs().find((l) => l.message.startsWith('deployment skipped: waiting for the scan'));
    expect(waiting).toMatchObject({
      level: 'info',
      fields: {
        service: 'api',
        repository: REPOSITORY,
        digest: DIGEST,
        tags: ['v1.4.2', 'latest'],
        gate: 'HIGH',
        scan_status: 'IN_PROGRESS',
      },
    });
    expect(metrics.counts).toEqual({ DeploymentsSkipped: 1 });

    // Minutes later ECR reports the scan complete: the event alone says which image to deploy.
    ecsMock.resetHistory();
    ecrMock.resetHistory();
    const completed = await app.handle(scanCompleted({ MEDIUM: 2 }));

    expect(sentCommands(ecrMock)).toEqual([
      { command: 'DescribeImagesCommand', input: { repositoryName: REPOSITORY, imageIds: [{ imageDigest: DIGEST }] } },
    ]);
    expect(sentCommands(ecsMock)).toEqual([
      { command: 'DescribeTaskDefinitionCommand', input: { taskDefinition: FAMILY } },
      {
        command: 'UpdateServiceCommand',
        input: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', taskDefinition: TD_ARN, forceNewDeployment: true },
      },
    ]);
    expect(completed).toMatchObject({ status: 'planned', deployments: [{ service: 'api', status: 'started' }] });
    const started = notifier.sent.at(-1);
    expect(started).toMatchObject({ title: 'Deployment started: api' });
    expect(fact(started, 'Trigger')).toBe(`ECR scan completed for ${REPOSITORY}:v1.4.2 (${DIGEST})`);
    expect(fact(started, 'Scan')).toBe('passed ECR_SCAN_GATE HIGH: MEDIUM 2');
  });

  it("a scan completion with findings at the gate refuses, with the event's counts", async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: { CRITICAL: 10, MEDIUM: 9 } }));
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .resolves({ imageScanFindings: { findings: [{ name: 'CVE-2024-6387', severity: 'CRITICAL' }] } });
    await app.handle(scanCompleted({ CRITICAL: 10, MEDIUM: 9 }));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(notifier.sent.map((n) => [n.severity, n.title])).toEqual([['error', 'Image refused by the scan gate: api']]);
    expect(fact(notifier.sent[0], 'Reason')).toBe('findings at or above HIGH: CRITICAL 10');
    expect(fact(notifier.sent[0], 'Findings')).toBe('CRITICAL 10, MEDIUM 9');
    expect(fact(notifier.sent[0], 'Top findings')).toBe('CRITICAL CVE-2024-6387');
  });

  it('an image nothing scans is refused with that reason, not waited for', async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail(undefined));
    await app.handle(push());
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ severity: 'error', title: 'Image refused by the scan gate: api' });
    expect(fact(notifier.sent[0], 'Reason')).toBe(
      'nothing scans this image (no scan on push or enhanced scanning for the repository), so no scan would ever clear it; configure scanning, or deploy manually',
    );
    expect(fact(notifier.sent[0], 'Findings')).toBeUndefined();
  });

  it.each([
    [
      'FAILED',
      'UnsupportedImageError: The operating system and/or package manager are not supported.',
      'the scan ended FAILED (UnsupportedImageError: The operating system and/or package manager are not supported.), so it cannot clear ECR_SCAN_GATE HIGH',
    ],
    ['UNSUPPORTED_IMAGE', undefined, 'the scan ended UNSUPPORTED_IMAGE, so it cannot clear ECR_SCAN_GATE HIGH'],
    [
      'PENDING',
      undefined,
      'the scan is PENDING (enhanced scanning reports completion through Amazon Inspector, not an "ECR Image Scan" event, so deploybridge cannot wait for it)',
    ],
  ])('a scan that ended %s is refused with that reason', async (status, description, reason) => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status, description }));
    await app.handle(push());
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(fact(notifier.sent[0], 'Reason')).toBe(reason);
  });

  it('a failed scan reported by its event is refused too', async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'FAILED' }));
    const event = scanCompleted({});
    await app.handle({ ...event, detail: { ...event.detail, 'scan-status': 'FAILED' } });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(fact(notifier.sent[0], 'Reason')).toBe('the scan ended FAILED, so it cannot clear ECR_SCAN_GATE HIGH');
  });

  it('with the gate on, an image that cannot be described is not deployed: the planning failure is reported', async () => {
    const { app, ecsMock, ecrMock, notifier } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ecr:DescribeImages'), {
        name: 'AccessDeniedException',
        $fault: 'client',
      }),
    );
    const result = await app.handle(push());
    expect(result.status).toBe('rejected');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(notifier.sent.map((n) => [n.severity, n.title])).toEqual([['error', 'Deployment failed before it started']]);
  });

  it('a scan event for a digest whose tag moved to another image deploys nothing', async () => {
    const { app, ecsMock, ecrMock } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: {} }, ['v1.4.1']));
    const result = await app.handle(scanCompleted({}));
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(result).toMatchObject({
      plan: { skipped: [{ service: 'api', reason: 'service runs tag v1.4.2, not a tag of the scanned image (v1.4.1)' }] },
    });
  });

  it('a scan event for an untagged digest deploys nothing', async () => {
    const { app, ecsMock, ecrMock } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: {} }, []));
    const result = await app.handle(scanCompleted({}, { tags: [] }));
    expect(ecsMock.calls()).toHaveLength(0);
    expect(result).toMatchObject({
      plan: {
        skipped: [
          { service: 'api', reason: `the scanned image ${REPOSITORY}@${DIGEST} has no tag (any more); a service runs images by tag` },
        ],
      },
    });
  });

  it('a rescan long after the push does not redeploy', async () => {
    const { app, ecsMock, ecrMock } = apiApp(GATED);
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'COMPLETE', counts: {} }));
    const result = await app.handle(scanCompleted({}, { minutes: 25 * 60 }));
    expect(result).toMatchObject({
      status: 'ignored',
      reason: `scan of ${REPOSITORY}@${DIGEST} completed more than 24 h after its push (2019-11-16T01:52:10.000Z): a rescan does not deploy`,
    });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it("a scan event of another project's repository is ignored without AWS calls", async () => {
    const { app, ecsMock, ecrMock } = apiApp(GATED);
    const result = await app.handle(scanCompleted({}, { repository: 'my-repository-name' }));
    expect(result).toMatchObject({ status: 'ignored' });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it("the documentation's scan sample, as it is, is ignored (not this project's repository)", async () => {
    const { app, ecrMock } = apiApp(GATED);
    const result = await app.handle(adapt('ecr/image-scan-basic-not-handled.json', {}));
    expect(result).toMatchObject({ status: 'ignored', route: 'ecr' });
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it('a Lambda image function is gated the same way', async () => {
    const { app, lambdaMock, ecrMock, notifier } = lambdaApp(GATED);
    happyPath(lambdaMock);
    const image = `${REGISTRY}/myproject_service_renderer:v2.3.0`;
    lambdaMock
      .on(GetFunctionCommand)
      .resolves({ Configuration: { PackageType: 'Image', LastUpdateStatus: 'Successful' }, Code: { ImageUri: image } });
    ecrMock.on(DescribeImagesCommand).resolves(imageDetail({ status: 'IN_PROGRESS' }, ['v2.3.0']));
    await app.handle(
      adapt('ecr/image-action-push-success.json', { 'repository-name': 'myproject_service_renderer', 'image-tag': 'v2.3.0' }),
    );
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(notifier.sent.map((n) => n.title)).toEqual(['Waiting for the image scan: renderer']);
  });
});
