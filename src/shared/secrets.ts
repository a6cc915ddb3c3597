/**
 * Notification secrets (webhook URLs, the Slack bot token, the signing secret): each given as a
 * value, or as the name of an SSM SecureString read at run time. Once read, a secret is remembered
 * by {@link rememberSecretValues}, so {@link redact} masks it wherever it would appear.
 */
import { NOTIFICATION_DEFAULTS } from '../config/constants.js';
import { rememberSecretValues } from './redact.js';

/** A secret given as a value, or as the name of an SSM SecureString read on first use. */
export type Secret = { value: string } | { parameter: string };

/**
 * The secret of a value or a parameter variable (a value wins; configuration refuses both at once).
 *
 * @example
 * secretOf(undefined, '/deploybridge/myproject/dev/teams-webhook-url'); // { parameter: '/deploybridge/myproject/dev/teams-webhook-url' }
 */
export function secretOf(value: string | undefined, parameter: string | undefined): Secret | undefined {
  if (value !== undefined) return { value };
  if (parameter !== undefined) return { parameter };
  return undefined;
}

/**
 * Reads a secret: its value, or its SSM parameter (decrypted, cached; the SSM client is loaded on
 * first use only; reads asked for at once are one). Rejects with the SDK's error, whose name is all
 * a caller may report.
 *
 * @example
 * const url = await secretSource({ parameter: '/deploybridge/myproject/dev/slack-webhook-url' })();
 */
export function secretSource(secret: Secret): () => Promise<string> {
  if ('value' in secret) {
    rememberSecretValues([secret.value]);
    return async () => secret.value;
  }
  const parameter = secret.parameter;
  // Messages sent together wait for one read; Powertools caches the value for the next ones.
  let reading: Promise<string> | undefined;
  const read = async () => {
    const value = await (await import('../aws/ssmParameter.js')).readSecureString(parameter, NOTIFICATION_DEFAULTS.secretMaxAgeSeconds);
    rememberSecretValues([value]);
    return value;
  };
  return () => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
}
