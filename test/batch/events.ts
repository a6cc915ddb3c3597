/**
 * EventBridge events of a burst, from the AWS samples (test/fixtures/aws-events), each with its own
 * id and a time `seconds` after T0, and what the tests' ECS answers.
 */
import type { testApp } from '../helpers/app.js';
import { serviceUpdated, UpdateServiceCommand, sentCommands } from '../helpers/app.js';
import { adapt } from '../helpers/fixtures.js';

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const tdArn = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

let sequence = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;

export function parameterChange(name: string, seconds: number, operation: 'update' | 'delete' = 'update') {
  return {
    ...adapt(`ssm/parameter-store-change-${operation}-string.json`, { name }, { time: at(seconds) }),
    id: nextId(),
    time: at(seconds),
  };
}

export function push(tag: string, digest: string, seconds: number, repository = 'myproject_service_api') {
  return {
    ...adapt(
      'ecr/image-action-push-success.json',
      { 'repository-name': repository, 'image-tag': tag, 'image-digest': digest },
      { time: at(seconds) },
    ),
    id: nextId(),
    time: at(seconds),
  };
}

export function envFileWritten(key: string, versionId: string, seconds: number, bucket = 'myproject-config-dev') {
  return {
    ...adapt(
      's3/eventbridge-object-created.json',
      { bucket: { name: bucket }, object: { key, 'version-id': versionId } },
      { time: at(seconds) },
    ),
    id: nextId(),
    time: at(seconds),
  };
}

type EcsMock = ReturnType<typeof testApp>['ecsMock'];

/** UpdateService answers with the revision asked for (a bare family: revision 12), deployment `ecs-svc/<service>`. */
export function updatesAnswered(ecsMock: EcsMock) {
  ecsMock.on(UpdateServiceCommand).callsFake((input: { service: string; taskDefinition?: string }) => {
    const family = (input.taskDefinition ?? input.service).replace(/^arn:.*\//, '').replace(/:\d+$/, '');
    const revision = /:(\d+)$/.exec(input.taskDefinition ?? '')?.[1] ?? '12';
    return serviceUpdated(tdArn(family, Number(revision)), `ecs-svc/${input.service}`);
  });
}

/** The UpdateService inputs ECS received, in order. */
export const updates = (ecsMock: EcsMock) =>
  sentCommands(ecsMock)
    .filter((c) => c.command === 'UpdateServiceCommand')
    .map((c) => c.input as { service: string; taskDefinition?: string });
