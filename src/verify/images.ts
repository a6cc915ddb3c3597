/**
 * Container images: does the tag (or digest) a service runs exist in ECR, and can an ECR push ever
 * redeploy the service? The second follows the ECR trigger's rule: a push redeploys a service when
 * one of its images is, by tag, from its own repository, in the same account and region.
 */
import type { CatalogService } from '../config/catalog.js';
import { DescribeImagesCommand } from '../aws/ecr.js';
import { parseImage, type ImageRef } from '../config/images.js';
import { awsFailure } from './clients.js';
import { couldNotCheck, type VerifyContext } from './context.js';
import { ok, problem, warning, type CheckResult } from './result.js';
import { serviceRepositories } from '../config/naming.js';

/** One container (or a function) and the image it runs. */
export interface ImageUse {
  /** Where it is written, e.g. "container app of myproject_service_api_dev:42". */
  where: string;
  image: string;
}

interface EcrImage {
  ref: ImageRef;
  repository: string;
  account: string;
  region: string;
}

const ECR_REGISTRY_RE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The ECR coordinates of an image, or `undefined` for an image from another registry. */
function ecrImage(image: string): EcrImage | undefined {
  const ref = parseImage(image);
  const match = ref.registry === undefined ? null : ECR_REGISTRY_RE.exec(ref.registry);
  if (match === null) return undefined;
  return { ref, repository: ref.repository, account: match[1] as string, region: match[2] as string };
}

/** Why a push of this image could never reach this deploybridge (another region or account), or `undefined`. */
function elsewhere(ctx: VerifyContext, ecr: EcrImage): string | undefined {
  if (ecr.region !== ctx.config.region)
    return `its registry is in ${ecr.region}; deploybridge runs in ${ctx.config.region} and never sees pushes there`;
  if (ctx.account !== undefined && ecr.account !== ctx.account)
    return `its registry is account ${ecr.account}'s; deploybridge runs in ${ctx.account} and never sees pushes there`;
  return undefined;
}

/**
 * One line per ECR image of the project (a repository that follows the naming rules): the tag or
 * digest exists, or what is missing. Images of other registries and repositories are not checked.
 *
 * @example
 * await checkImage(ctx, service, { where: 'container app of myproject_service_api_dev:42', image: '1234….dkr.ecr.us-east-1.amazonaws.com/myproject_service_api:v1' });
 */
export async function checkImage(ctx: VerifyContext, owner: CatalogService, use: ImageUse): Promise<CheckResult[]> {
  const ecr = ecrImage(use.image);
  if (ecr === undefined) return [];
  const concerns = ctx.config.catalog.forRepository(ecr.repository);
  if (concerns === undefined) return [];
  const service = owner.name;
  const results: CheckResult[] = [];
  if (concerns.name !== owner.name) {
    results.push(
      warning('push', {
        service,
        message: `${use.where} runs ${use.image}, from the repository of ${concerns.name}: a push to ${ecr.repository} redeploys ${concerns.name}, not ${service}`,
        fix: `to redeploy ${service} on a push, build it from ${serviceRepositories(ctx.config.catalog.naming, service)[0] ?? ''}`,
      }),
    );
  }
  const away = elsewhere(ctx, ecr);
  if (away !== undefined) {
    // The client is this region's and account's: the image is not looked up there.
    results.push(
      warning('image', {
        service,
        message: `${use.where} runs ${use.image}: ${away}`,
        fix: 'push the image to this account and region, or run deploybridge where the registry is',
      }),
    );
    return results;
  }
  const { digest, tag } = ecr.ref;
  const id = digest !== undefined ? { imageDigest: digest } : { imageTag: tag ?? 'latest' };
  const shown = digest !== undefined ? `${ecr.repository}@${digest}` : `${ecr.repository}:${tag ?? 'latest'}`;
  try {
    await ctx.clients.ecr.send(new DescribeImagesCommand({ registryId: ecr.account, repositoryName: ecr.repository, imageIds: [id] }));
  } catch (error) {
    const failure = awsFailure(error);
    if (failure.name === 'RepositoryNotFoundException') {
      results.push(
        problem('image', {
          service,
          message: `${use.where} runs ${use.image}, but the repository ${ecr.repository} does not exist`,
          fix: `create it (aws ecr create-repository --repository-name ${ecr.repository}) and push the image`,
        }),
      );
    } else if (failure.name === 'ImageNotFoundException') {
      const what = digest !== undefined ? `digest ${digest}` : `tag ${tag ?? 'latest'}`;
      results.push(
        problem('image', {
          service,
          message: `${use.where} runs ${shown}, but ${ecr.repository} has no image with ${what}: new tasks cannot pull it`,
          fix:
            digest !== undefined
              ? 'point the task definition at an image that exists'
              : `push ${shown}, or point the task definition at a tag that exists`,
        }),
      );
    } else {
      results.push(couldNotCheck('image', service, `image ${shown}`, 'ecr:DescribeImages', failure));
    }
    return results;
  }
  if (digest !== undefined) {
    results.push(
      warning('image', {
        service,
        message: `${use.where} runs ${shown} (exists), pinned by digest: a push never redeploys this`,
        fix: 'run it by tag if pushes should redeploy it',
      }),
    );
  } else {
    results.push(ok('image', { service, message: `${use.where} runs ${shown}, which exists in ECR` }));
  }
  return results;
}

/**
 * Whether an ECR push can redeploy a service: `ok` naming the repository and tag that do, or a
 * warning when none of its images is pushed to its own repository by tag here.
 *
 * @example
 * pushReach(ctx, service, uses, 'myproject_service_api_dev:42'); // ok: "a push of myproject_service_api:latest redeploys api"
 */
export function pushReach(ctx: VerifyContext, owner: CatalogService, uses: readonly ImageUse[], subject: string): CheckResult {
  const service = owner.name;
  const own = uses.flatMap((use) => {
    const ecr = ecrImage(use.image);
    const ours =
      ecr !== undefined && ctx.config.catalog.forRepository(ecr.repository)?.name === service && elsewhere(ctx, ecr) === undefined;
    return ours ? [{ use, ecr }] : [];
  });
  const byTag = own.filter(({ ecr }) => ecr.ref.digest === undefined);
  if (byTag.length > 0) {
    const pushes = [...new Set(byTag.map(({ ecr }) => `${ecr.repository}:${ecr.ref.tag ?? 'latest'}`))];
    return ok('push', { service, message: `an ECR push of ${pushes.join(' or ')} redeploys it` });
  }
  const repositories = serviceRepositories(ctx.config.catalog.naming, service);
  return warning('push', {
    service,
    message:
      own.length > 0
        ? `${subject} runs its images by digest only: an ECR push never redeploys ${service}`
        : `no image of ${subject} is from ${repositories.join(' or ')} in this account and region: an ECR push never redeploys ${service}`,
    fix: `run an image of ${repositories[0] ?? ''} by tag if pushes should redeploy it (SSM, S3 and manual deploys still do)`,
  });
}
