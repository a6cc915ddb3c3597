/**
 * Reads a SecureString with Powertools Parameters (decrypted, cached per container).
 * Loaded only when the Slack webhook comes from SSM.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';

/** Cache the webhook for five minutes: a rotated secret is picked up without a cold start. */
const WEBHOOK_MAX_AGE_SECONDS = 300;

export async function readSecureString(name: string): Promise<string> {
  const value = await getParameter(name, { decrypt: true, maxAge: WEBHOOK_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value === '') throw new Error(`parameter ${name} is empty`);
  return value;
}
