/**
 * The Lambda bundle's credentials: build.mjs puts this module in place of
 * `@aws-sdk/credential-provider-node` (the SDK's default chain) in the Lambda build only, so every
 * SDK client of the function, Powertools' included, takes its credentials from the environment.
 * Lambda always sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the
 * function's execution role; the other links of the chain (SSO, shared config files, a credential
 * process, web identity, the container and instance metadata endpoints) never answer there, and
 * bundling them costs about 80 KB and their loading on every cold start. The local run and
 * `npm run verify` run from source and keep the full default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { CredentialsProviderError } from '@smithy/core/config';
import type { AwsCredentialIdentityProvider, Logger } from '@smithy/types';

/** Why there are no credentials, said where the SDK call fails. */
export const NO_ENVIRONMENT_CREDENTIALS =
  "no AWS credentials in the environment: deploybridge's Lambda bundle takes them from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY " +
  "and AWS_SESSION_TOKEN, which Lambda sets from the function's execution role (the local run and `npm run verify` use the SDK's full default chain)";

/**
 * The SDK's `credentialDefaultProvider`, environment only: it has the default chain's name and
 * signature (what a client's runtime configuration imports); the client memoizes what it returns.
 *
 * @example
 * // build.mjs: `@aws-sdk/credential-provider-node` → src/aws/lambdaCredentials.ts, Lambda build only
 * const credentials = await defaultProvider()(); // { accessKeyId, secretAccessKey, sessionToken }
 */
export function defaultProvider(init: { logger?: Logger } = {}): AwsCredentialIdentityProvider {
  const environment = fromEnv(init);
  return async () => {
    try {
      return await environment();
    } catch (error) {
      throw Object.assign(new CredentialsProviderError(NO_ENVIRONMENT_CREDENTIALS, { logger: init.logger, tryNextLink: false }), {
        cause: error,
      });
    }
  };
}
