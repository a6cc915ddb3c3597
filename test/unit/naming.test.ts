import { describe, expect, it } from 'vitest';
import { Naming, renderPattern, serviceParameterPrefixes, serviceRepositories, taskDefinitionFamily } from '../../src/config/naming.js';
import { testConfig } from '../helpers/app.js';

describe('renderPattern', () => {
  const values = { project: 'myproject', env: 'dev', name: 'api' };
  it('fills the placeholders', () => {
    expect(renderPattern('{project}_service_{name}_{env}', values)).toBe('myproject_service_api_dev');
  });
  it.each([
    ['{project}_service_{name}_{env}', 'myproject_service_dev'],
    ['{project}-{name}-{env}', 'myproject-dev'],
    ['{name}_{project}_{env}', 'myproject_dev'],
    ['{project}_{env}_{name}', 'myproject_dev'],
    ['{project}{name}{env}', 'myprojectdev'],
  ])('drops an empty {name} with one separator: %s → %s', (pattern, expected) => {
    expect(renderPattern(pattern, { ...values, name: '' })).toBe(expected);
  });
});

describe('Naming', () => {
  const naming = new Naming(testConfig());

  it('resolves ECS names with the default patterns', () => {
    expect(naming.ecsNames('api')).toEqual({
      cluster: 'myproject_cluster_dev',
      service: 'myproject_service_api_dev',
      family: 'myproject_service_api_dev',
    });
    expect(naming.ecsNames('backend')).toEqual({
      cluster: 'myproject_cluster_dev',
      service: 'myproject_service_dev',
      family: 'myproject_service_dev',
    });
  });

  it('uses BACKEND_SERVICE_NAME as the backend {name}', () => {
    const named = new Naming(testConfig({ BACKEND_SERVICE_NAME: 'web' }));
    expect(named.ecsNames('backend').service).toBe('myproject_service_web_dev');
    expect(named.serviceFromRepository('myproject_backend')).toBe('web');
    expect(named.parseParameterName('/dev/myproject/web/KEY')).toEqual({ service: 'web', parameter: 'KEY' });
    expect(named.parseParameterName('/dev/myproject/backend/KEY')).toEqual({ service: 'web', parameter: 'KEY' });
  });

  it('maps ECR repositories to services', () => {
    expect(naming.serviceFromRepository('myproject_backend')).toBe('backend');
    expect(naming.serviceFromRepository('myproject_service_api')).toBe('api');
    expect(naming.serviceFromRepository('otherproject_service_api')).toBeUndefined();
    expect(naming.serviceFromRepository('myproject_api')).toBeUndefined();
    expect(naming.serviceFromRepository('myproject_service_')).toBeUndefined();
    expect(naming.serviceFromRepository('myproject_service_a/b')).toBeUndefined();
  });

  it('parses /{env}/{project}/{service}/NAME parameters and refuses anything else', () => {
    expect(naming.parseParameterName('/dev/myproject/api/DATABASE_URL')).toEqual({ service: 'api', parameter: 'DATABASE_URL' });
    expect(naming.parseParameterName('/dev/myproject/backend/db/URL')).toEqual({ service: 'backend', parameter: 'db/URL' });
    for (const name of [
      '/prod/myproject/api/X',
      '/dev/other/api/X',
      'dev/myproject/api/X',
      '/dev/myproject/api',
      '/dev/myproject/api/',
      '/dev/myproject/../X',
      '/dev/myproject/api/../X',
      'MyExampleParameter',
    ]) {
      expect(naming.parseParameterName(name), name).toBeUndefined();
    }
  });

  it("recognises this project's ECS services and nothing else", () => {
    expect(naming.serviceFromEcsServiceName('myproject_service_api_dev')).toBe('api');
    expect(naming.serviceFromEcsServiceName('myproject_service_dev')).toBe('backend');
    expect(naming.serviceFromEcsServiceName('myproject_service_api_prod')).toBeUndefined();
    expect(naming.serviceFromEcsServiceName('servicetest')).toBeUndefined();
  });

  it('names the repositories and SSM paths of a service, each of which maps back to it', () => {
    expect(serviceRepositories(naming, 'api')).toEqual(['myproject_service_api']);
    expect(serviceParameterPrefixes(naming, 'api')).toEqual(['/dev/myproject/api/']);
    expect(serviceRepositories(naming, 'backend')).toEqual(['myproject_backend']);
    expect(serviceParameterPrefixes(naming, 'backend')).toEqual(['/dev/myproject/backend/']);
    const named = new Naming(testConfig({ BACKEND_SERVICE_NAME: 'web' }));
    expect(serviceRepositories(named, 'web')).toEqual(['myproject_backend', 'myproject_service_web']);
    expect(serviceParameterPrefixes(named, 'backend')).toEqual(['/dev/myproject/backend/', '/dev/myproject/web/']);
    for (const [rules, service] of [
      [naming, 'api'],
      [naming, 'backend'],
      [named, 'web'],
      [named, 'api'],
    ] as const) {
      for (const repository of serviceRepositories(rules, service))
        expect(rules.serviceFromRepository(repository), repository).toBe(rules.canonical(service));
      for (const prefix of serviceParameterPrefixes(rules, service))
        expect(rules.parseParameterName(`${prefix}KEY`)?.service, prefix).toBe(rules.canonical(service));
    }
  });

  it('maps "" and "backend" to the backend', () => {
    expect(naming.canonical('')).toBe('backend');
    expect(naming.canonical('backend')).toBe('backend');
    expect(naming.canonical('api')).toBe('api');
    for (const bad of ['a/b', '..', '*', ' api', 'api\n', 'a'.repeat(65)]) expect(naming.canonical(bad), bad).toBeUndefined();
  });
});

describe('taskDefinitionFamily', () => {
  it.each([
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/myproject_service_api_dev:7', 'myproject_service_api_dev'],
    ['myproject_service_api_dev:7', 'myproject_service_api_dev'],
    ['myproject_service_api_dev', 'myproject_service_api_dev'],
  ])('%s → %s', (input, family) => expect(taskDefinitionFamily(input)).toBe(family));
});
