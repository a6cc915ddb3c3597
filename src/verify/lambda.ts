/**
 * One Lambda target: the function exists, has the configured alias, its artifact exists (and it
 * is a zip function, since an artifact deploys a zip), and an image function's image exists and
 * is reached by pushes. Only the package type and image are read from GetFunction: it also
 * returns the function's environment and a code URL, which are never printed.
 */
import type { LambdaService } from '../config/catalog.js';
import { GetAliasCommand, GetFunctionCommand } from '../aws/lambda.js';
import { awsFailure } from './clients.js';
import { accountOf, couldNotCheck, type VerifyContext } from './context.js';
import { checkImage, pushReach } from './images.js';
import { deniedFix, headObject, s3Uri } from './objects.js';
import { ok, problem, type CheckResult } from './result.js';

async function readFunction(
  ctx: VerifyContext,
  service: LambdaService,
): Promise<{ result: CheckResult; packageType?: string; imageUri?: string; account?: string }> {
  const { name, lambda } = service;
  try {
    const { Configuration, Code } = await ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: lambda.functionName }));
    const packageType = Configuration?.PackageType ?? 'Zip';
    const runtime = Configuration?.Runtime === undefined ? '' : `, ${Configuration.Runtime}`;
    return {
      result: ok('lambda-function', { service: name, message: `Lambda function ${lambda.functionName} exists (${packageType}${runtime})` }),
      packageType,
      ...(Code?.ImageUri === undefined ? {} : { imageUri: Code.ImageUri }),
      ...(accountOf(Configuration?.FunctionArn) === undefined ? {} : { account: accountOf(Configuration?.FunctionArn) }),
    };
  } catch (error) {
    const failure = awsFailure(error);
    if (failure.name === 'ResourceNotFoundException') {
      return {
        result: problem('lambda-function', {
          service: name,
          message: `Lambda function ${lambda.functionName} not found in ${ctx.config.region}`,
          fix: `create it, or correct LAMBDA_CONFIG.${name}.function_name (without one, LAMBDA_FUNCTION_PATTERN renders ${ctx.config.catalog.naming.lambdaFunctionName(name)})`,
        }),
      };
    }
    return { result: couldNotCheck('lambda-function', name, `Lambda function ${lambda.functionName}`, 'lambda:GetFunction', failure) };
  }
}

async function checkAlias(ctx: VerifyContext, service: LambdaService, alias: string): Promise<CheckResult> {
  const { name, lambda } = service;
  try {
    const { FunctionVersion } = await ctx.clients.lambda.send(new GetAliasCommand({ FunctionName: lambda.functionName, Name: alias }));
    return ok('lambda-alias', {
      service: name,
      message: `alias ${alias} of ${lambda.functionName} points to version ${FunctionVersion ?? '?'}`,
    });
  } catch (error) {
    const failure = awsFailure(error);
    if (failure.name === 'ResourceNotFoundException') {
      return problem('lambda-alias', {
        service: name,
        message: `alias ${alias} of ${lambda.functionName} does not exist: every deploy of ${name} would fail`,
        fix: `create it (aws lambda create-alias --function-name ${lambda.functionName} --name ${alias} --function-version VERSION), or remove alias from LAMBDA_CONFIG.${name}`,
      });
    }
    return couldNotCheck('lambda-alias', name, `alias ${alias} of ${lambda.functionName}`, 'lambda:GetAlias', failure);
  }
}

/**
 * Every line about one Lambda target.
 *
 * @example
 * const lines = await checkLambdaService(ctx, service);
 */
export async function checkLambdaService(ctx: VerifyContext, service: LambdaService): Promise<CheckResult[]> {
  const { name, lambda, artifact } = service;
  const fn = await readFunction(ctx, service);
  const results = [fn.result];
  const exists = fn.packageType !== undefined;
  if (exists && lambda.alias !== undefined) results.push(await checkAlias(ctx, service, lambda.alias));
  if (artifact !== undefined) {
    const uri = s3Uri(artifact);
    if (fn.packageType === 'Image') {
      results.push(
        problem('lambda-artifact', {
          service: name,
          message: `${lambda.functionName} is an image function, but LAMBDA_CONFIG.${name}.artifact ${uri} would deploy a zip to it, which Lambda refuses`,
          fix: `remove artifact from LAMBDA_CONFIG.${name} (pushes of its image deploy it)`,
        }),
      );
    }
    const head = await headObject(ctx, artifact);
    if (head.state === 'exists') results.push(ok('lambda-artifact', { service: name, message: `artifact ${uri} exists` }));
    else if (head.state === 'missing')
      results.push(
        problem('lambda-artifact', {
          service: name,
          message: `artifact ${uri} does not exist`,
          fix: `upload it, or correct LAMBDA_CONFIG.${name}.artifact`,
        }),
      );
    else if (head.state === 'denied')
      results.push(
        problem('lambda-artifact', {
          service: name,
          message: `artifact ${uri}: access denied (${head.failure.name})`,
          fix: deniedFix(artifact),
        }),
      );
    else results.push(couldNotCheck('lambda-artifact', name, `artifact ${uri}`, 's3:GetObject', head.failure));
  }
  if (fn.imageUri !== undefined) {
    // Without a cluster the account is the function's.
    const scoped = ctx.account === undefined ? { ...ctx, account: fn.account } : ctx;
    const use = { where: `function ${lambda.functionName}`, image: fn.imageUri };
    results.push(...(await checkImage(scoped, service, use)), pushReach(scoped, service, [use], lambda.functionName));
  }
  return results;
}
