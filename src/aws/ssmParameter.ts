/**
 * Reads a SecureString with Powertools Parameters (decrypted, cached per container).
 * Loaded only when a notification secret (a webhook URL, the bot token, a signing secret) comes from SSM.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';

/** Reads `name`, kept in the container's cache for `maxAgeSeconds`. */
export async function readSecureString(name: string, maxAgeSeconds: number): Promise<string> {
  const value = await getParameter(name, { decrypt: true, maxAge: maxAgeSeconds });
  if (typeof value !== 'string' || value === '') throw new Error(`parameter ${name} is empty`);
  return value;
}
