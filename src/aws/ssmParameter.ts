/**
 * Reads a SecureString with Powertools Parameters (decrypted, cached per container).
 * Loaded only when a notification secret (a webhook URL, the bot token, a signing secret) comes from SSM.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { NOTIFICATION_DEFAULTS } from '../config/constants.js';

export async function readSecureString(name: string): Promise<string> {
  const value = await getParameter(name, { decrypt: true, maxAge: NOTIFICATION_DEFAULTS.secretMaxAgeSeconds });
  if (typeof value !== 'string' || value === '') throw new Error(`parameter ${name} is empty`);
  return value;
}
