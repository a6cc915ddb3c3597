/**
 * Env files of `SERVICE_CONFIG`: each exists and is a valid ECS env file, checked with the parser
 * the S3 trigger uses (src/triggers/envFile.ts), so the preflight refuses exactly what the trigger would.
 * One line per file, naming every service that reads it. Values are never printed: the parser
 * exposes names and line numbers only.
 */
import type { CatalogService, S3ObjectRef } from '../config/catalog.js';
import { mapWithConcurrency } from '../shared/concurrency.js';
import { readEnvFile, type EnvFileProblem } from '../triggers/envFile.js';
import { describeEnvFileProblems } from '../present/envFiles.js';
import { createS3Reads } from '../triggers/reads/s3.js';
import { awsFailure } from './clients.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { deniedFix, s3Uri } from './objects.js';
import { ok, problem, type CheckResult } from './result.js';
import { plural } from '../shared/text.js';

/** S3 requests in flight at once. */
const CONCURRENCY = 4;

/** The current version of an env file, parsed: its variable count and problems; or why it could not be read. */
async function currentEnvFile(
  ctx: VerifyContext,
  ref: S3ObjectRef,
): Promise<
  | { state: 'read'; variables: number; problems: readonly EnvFileProblem[] }
  | { state: 'missing' }
  | { state: 'denied' | 'failed'; failure: ReturnType<typeof awsFailure> }
> {
  let file;
  try {
    file = await readEnvFile(createS3Reads(ctx.clients.s3), { ...ref, versionId: undefined });
  } catch (error) {
    const failure = awsFailure(error);
    if (failure.status === 404) return { state: 'missing' };
    return { state: failure.status === 403 ? 'denied' : 'failed', failure };
  }
  return { state: 'read', variables: file.names.length, problems: file.problems };
}

/**
 * One line per env file the services read.
 *
 * @example
 * await checkEnvFiles(ctx, config.catalog.configured());
 */
export async function checkEnvFiles(ctx: VerifyContext, services: readonly CatalogService[]): Promise<CheckResult[]> {
  const files = new Map<string, { ref: S3ObjectRef; users: CatalogService[] }>();
  for (const service of services) {
    for (const ref of service.envFiles) {
      const entry = files.get(s3Uri(ref)) ?? { ref, users: [] };
      entry.users.push(service);
      files.set(s3Uri(ref), entry);
    }
  }
  return mapWithConcurrency([...files.values()], CONCURRENCY, async ({ ref, users }) => {
    const uri = s3Uri(ref);
    const names = users.map((s) => s.name);
    const scope = users.length === 1 ? { service: names[0] as string } : {};
    const file = users.length === 1 ? `env file ${uri}` : `env file ${uri} (read by ${names.join(', ')})`;
    const read = await currentEnvFile(ctx, ref);
    switch (read.state) {
      case 'read':
        if (read.problems.length === 0)
          return ok('env-file', {
            ...scope,
            message: `${file} exists and is a valid ECS env file (${plural(read.variables, 'variable')})`,
          });
        return problem('env-file', {
          ...scope,
          message: `${file} is not a valid ECS env file: ${describeEnvFileProblems(read.problems).join('; ')}`,
          fix: 'correct it: while it is invalid, a change to it redeploys nothing (ECS would not read it as written)',
        });
      case 'missing':
        return problem('env-file', {
          ...scope,
          message: `${file} does not exist`,
          fix: 'upload it, or correct its bucket and key in SERVICE_CONFIG',
        });
      case 'denied':
        return problem('env-file', { ...scope, message: `${file}: access denied (${read.failure.name})`, fix: deniedFix(ref) });
      case 'failed':
        return couldNotCheck('env-file', scope.service, file, 's3:GetObject', read.failure);
    }
  });
}
