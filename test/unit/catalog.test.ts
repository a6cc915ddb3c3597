import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { adapt } from '../helpers/fixtures.js';
import { configProblems, serviceUpdated, testApp, UpdateServiceCommand } from '../helpers/app.js';

const minimal = { PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', SERVICE_CONFIG: '{}' };
const env = { bucket: 'myproject-config-dev', key: 'shared/.env' };

describe('the service catalog', () => {
  it('refuses two SERVICE_CONFIG keys that name one service (the backend and BACKEND_SERVICE_NAME), which would deploy it twice', () => {
    expect(
      configProblems({ ...minimal, BACKEND_SERVICE_NAME: 'web', SERVICE_CONFIG: JSON.stringify({ backend: [env], web: [env] }) }),
    ).toEqual(['SERVICE_CONFIG: "backend" and "web" name the same service (the backend, BACKEND_SERVICE_NAME=web); use one name']);
  });

  it('refuses one service spelt two ways across SERVICE_CONFIG and LAMBDA_CONFIG', () => {
    expect(
      configProblems({
        ...minimal,
        BACKEND_SERVICE_NAME: 'web',
        SERVICE_CONFIG: JSON.stringify({ backend: [env] }),
        LAMBDA_CONFIG: '{"web":{}}',
      }),
    ).toEqual([
      'SERVICE_CONFIG and LAMBDA_CONFIG: "backend" and "web" name the same service (the backend, BACKEND_SERVICE_NAME=web); use one name',
    ]);
  });

  it('refuses two LAMBDA_CONFIG services that deploy one function', () => {
    expect(
      configProblems({ ...minimal, LAMBDA_CONFIG: JSON.stringify({ a: { function_name: 'fn' }, b: { function_name: 'fn' } }) }),
    ).toEqual(['LAMBDA_CONFIG: "a" and "b" both deploy the function fn; one event would deploy it twice']);
  });

  it('reports the ambiguities together with every other problem', () => {
    const problems = configProblems({
      ...minimal,
      DRY_RUN: 'maybe',
      SERVICE_CONFIG: JSON.stringify({ backend: [env], web: [env] }),
      BACKEND_SERVICE_NAME: 'web',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^DRY_RUN/);
    expect(problems[1]).toMatch(/name the same service/);
  });

  it('a service listed in both variables under one name is a Lambda function with env files', () => {
    const config = loadConfig({
      ...minimal,
      SERVICE_CONFIG: JSON.stringify({ thumbnailer: [env] }),
      LAMBDA_CONFIG: '{"thumbnailer":{"alias":"live"}}',
    });
    expect(config.catalog.service('thumbnailer')).toMatchObject({
      kind: 'lambda',
      lambda: { functionName: 'myproject_lambda_thumbnailer_dev', alias: 'live' },
      envFiles: [env],
    });
    expect(config.catalog.forObject(env.bucket, env.key).envFileOf.map((s) => s.name)).toEqual(['thumbnailer']);
  });

  it('answers for repositories, parameters, objects and ECS services with typed services', () => {
    const { catalog } = loadConfig({
      ...minimal,
      SERVICE_CONFIG: JSON.stringify({ api: [env], backend: [env] }),
      LAMBDA_CONFIG: JSON.stringify({ renderer: { artifact: { bucket: 'art', key: 'r.zip' } } }),
    });
    expect(catalog.forRepository('myproject_service_api')).toEqual({
      kind: 'ecs',
      name: 'api',
      ecs: { cluster: 'myproject_cluster_dev', service: 'myproject_service_api_dev', family: 'myproject_service_api_dev' },
      envFiles: [env],
    });
    expect(catalog.forRepository('myproject_backend')?.name).toBe('backend');
    expect(catalog.forRepository('other_service_api')).toBeUndefined();
    expect(catalog.forParameter('/dev/myproject/renderer/KEY')).toMatchObject({
      service: { kind: 'lambda', name: 'renderer' },
      parameter: 'KEY',
    });
    expect(catalog.forParameter('/prod/myproject/api/KEY')).toBeUndefined();
    expect(catalog.forObject('art', 'r.zip')).toMatchObject({ envFileOf: [], artifactOf: [{ name: 'renderer' }] });
    expect(catalog.forObject(env.bucket, env.key).envFileOf.map((s) => s.name)).toEqual(['api', 'backend']);
    expect(catalog.forEcsService('myproject_service_dev')?.name).toBe('backend');
    expect(catalog.configured().map((s) => `${s.kind}:${s.name}`)).toEqual(['lambda:renderer', 'ecs:api', 'ecs:backend']);
  });

  it('an env file change deploys a service once, whichever way its name is written', async () => {
    const { app, ecsMock } = testApp({ SERVICE_CONFIG: JSON.stringify({ backend: [env] }) });
    ecsMock.on(UpdateServiceCommand).resolves(serviceUpdated('arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_dev:3'));
    await app.handle(adapt('s3/eventbridge-object-created.json', { bucket: { name: env.bucket }, object: { key: env.key } }));
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });
});
