/**
 * Slack's secrets (the webhook URL, the bot token, the signing secret): each given as a value, or
 * as the name of an SSM SecureString read at run time. Loading this loads no AWS SDK: the
 * parameter is read, and its client loaded, on first use.
 */

/** A secret given as a value, or as the name of an SSM SecureString read on first use (a value wins over a parameter). */
export type SlackSecret = { value: string } | { parameter: string };

/**
 * The secret configured by a value or a parameter; undefined when neither is set.
 *
 * @example
 * secretOf(undefined, '/deploybridge/myproject/dev/slack-signing-secret'); // { parameter: '/deploybridge/myproject/dev/slack-signing-secret' }
 */
export function secretOf(value: string | undefined, parameter: string | undefined): SlackSecret | undefined {
  if (value !== undefined) return { value };
  if (parameter !== undefined) return { parameter };
  return undefined;
}

/**
 * Reads a secret: its value, or its SSM parameter (decrypted, cached per container).
 *
 * @example
 * const token = secretSource({ parameter: '/deploybridge/myproject/dev/slack-bot-token' });
 * await token(); // 'xoxb-…'
 */
export function secretSource(secret: SlackSecret): () => Promise<string> {
  if ('value' in secret) return async () => secret.value;
  const parameter = secret.parameter;
  return async () => (await import('../aws/ssmParameter.js')).readSecureString(parameter);
}
