/**
 * Reads a SecureString with Powertools Parameters (decrypted, cached per container).
 * Loaded only when the Slack webhook comes from SSM.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { SLACK_DEFAULTS } from '../config/constants.js';

export async function readSecureString(name: string): Promise<string> {
  const value = await getParameter(name, { decrypt: true, maxAge: SLACK_DEFAULTS.webhookMaxAgeSeconds });
  if (typeof value !== 'string' || value === '') throw new Error(`parameter ${name} is empty`);
  return value;
}
