import { describe, expect, it } from 'vitest';
import { configProblems as problemsOf } from '../helpers/app.js';
import { loadConfig } from '../../src/config/config.js';
import type { CatalogService } from '../../src/config/catalog.js';

/** The function a service deploys to, or `undefined` for an ECS service. */
const functionOf = (service: CatalogService | undefined) => (service?.kind === 'lambda' ? service.lambda.functionName : undefined);

const minimal = { PROJECT_NAME: 'myproject', PROJECT_ENV: 'dev', SERVICE_CONFIG: '{}' };

describe('LAMBDA_CONFIG and LAMBDA_FUNCTION_PATTERN', () => {
  it('are optional: no Lambda targets, the default pattern', () => {
    const config = loadConfig(minimal);
    expect(config.lambdaConfig).toEqual({});
    expect(config.lambdaFunctionPattern).toBe('{project}_lambda_{name}_{env}');
  });

  it("reads the issue's example, snake_case fields exactly", () => {
    const config = loadConfig({
      ...minimal,
      LAMBDA_CONFIG: JSON.stringify({
        thumbnailer: {
          function_name: 'myproject_lambda_thumbnailer_dev',
          alias: 'live',
          artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
          smoke_test: { payload: { ping: true }, expect: { statusCode: 200 } },
        },
        resizer: {},
      }),
    });
    expect(config.lambdaConfig).toEqual({
      thumbnailer: {
        functionName: 'myproject_lambda_thumbnailer_dev',
        alias: 'live',
        artifact: { bucket: 'myproject-artifacts', key: 'thumbnailer/lambda.zip' },
        smokeTest: { payload: { ping: true }, expect: { statusCode: 200 } },
      },
      resizer: { functionName: undefined, alias: undefined, artifact: undefined, smokeTest: undefined },
    });
  });

  it('names functions with LAMBDA_FUNCTION_PATTERN when function_name is absent, the backend by the ECS rule', () => {
    const names = (env: Record<string, string>, service: string) => {
      const config = loadConfig({ ...minimal, LAMBDA_CONFIG: JSON.stringify({ [service]: {} }), ...env });
      return functionOf(config.catalog.service(service));
    };
    expect(names({}, 'resizer')).toBe('myproject_lambda_resizer_dev');
    expect(names({ LAMBDA_FUNCTION_PATTERN: '{env}-{project}-{name}' }, 'resizer')).toBe('dev-myproject-resizer');
    expect(names({}, 'backend')).toBe('myproject_lambda_dev');
    expect(names({ BACKEND_SERVICE_NAME: 'web' }, 'backend')).toBe('myproject_lambda_web_dev');
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:resize';
    const config = loadConfig({ ...minimal, LAMBDA_CONFIG: JSON.stringify({ resizer: { function_name: arn } }) });
    expect(functionOf(config.catalog.service('resizer'))).toBe(arn);
    expect(functionOf(config.catalog.service('api'))).toBeUndefined();
  });

  it('a smoke test without payload sends {}', () => {
    const config = loadConfig({ ...minimal, LAMBDA_CONFIG: '{"resizer":{"smoke_test":{}}}' });
    expect(config.lambdaConfig.resizer?.smokeTest).toEqual({ payload: {}, expect: undefined });
  });

  it('reports every problem, each with its place, in one error together with the others', () => {
    const problems = problemsOf({
      ...minimal,
      LOG_LEVEL: 'loud',
      LAMBDA_FUNCTION_PATTERN: '{project}_{function}',
      LAMBDA_CONFIG: JSON.stringify({
        thumbnailer: {
          functionName: 'x',
          alias: '12',
          artifact: { bucket: 'myproject-artifacts' },
          smoke_test: { payload: 1, expect: [1] },
        },
        '../etc': {},
        resizer: { function_name: 'has spaces' },
      }),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
        'LAMBDA_FUNCTION_PATTERN uses unknown placeholder(s) {function}; use {project}, {env}, {name}',
        'LAMBDA_CONFIG.thumbnailer: unknown field "functionName"',
        'LAMBDA_CONFIG.thumbnailer.alias: alias must use letters, digits, "-" and "_", and not be a version number',
        'LAMBDA_CONFIG.thumbnailer.artifact.key: expected string',
        'LAMBDA_CONFIG.thumbnailer.smoke_test.expect: expected an object',
        'LAMBDA_CONFIG.../etc: service names use letters, digits, "-" and "_" only (at most 64, starting with a letter or digit)',
        expect.stringMatching(/^LAMBDA_CONFIG\.resizer\.function_name: function_name must be a function name/),
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(() => loadConfig({ ...minimal, LAMBDA_CONFIG: '{"a":{"alias":"1"}}', LOG_LEVEL: 'loud' })).toThrowError(
      /^invalid configuration \(2 problems\): LOG_LEVEL must be one of [^\n]*; LAMBDA_CONFIG.a.alias: /,
    );
  });

  it('reports bad JSON', () => {
    expect(problemsOf({ ...minimal, LAMBDA_CONFIG: '{"thumbnailer": ' })).toEqual([
      expect.stringMatching(/^LAMBDA_CONFIG is not valid JSON/),
    ]);
  });

  it('reports a pattern that renders a name Lambda refuses', () => {
    expect(problemsOf({ ...minimal, LAMBDA_FUNCTION_PATTERN: '{project}.{name}.{env}', LAMBDA_CONFIG: '{"resizer":{}}' })).toEqual([
      'LAMBDA_FUNCTION_PATTERN renders "myproject.api.dev", which AWS does not accept as a function name (letters, digits, "-" and "_", at most 64)',
      'LAMBDA_CONFIG.resizer: LAMBDA_FUNCTION_PATTERN renders "myproject.resizer.dev", which is not a valid function name; set function_name',
    ]);
  });
});
