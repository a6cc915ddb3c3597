/**
 * Masking secrets in text people read. AWS error messages can echo values (Lambda's
 * environment-size error quotes every variable; a pull error can quote a registry URL with its
 * password), so every error text that reaches a log line or a notification goes through
 * {@link redact}: the values of the target functions' environments deploybridge has read, the
 * notification secrets it has read (webhook URLs, tokens, the signing secret), and anything shaped
 * like a credential, are replaced by `[redacted]`.
 */
import { LAMBDA_DEFAULTS } from '../config/constants.js';

const MASK = '[redacted]';

/** Values of target functions' environments, and notification secrets, read in this container. */
const knownValues = new Set<string>();

/**
 * Remembers secret values (a function's environment values, a webhook URL) so that {@link redact} masks them
 * wherever they appear. Values shorter than `LAMBDA_DEFAULTS.minMaskedSecretLength` are not kept:
 * "1" or "true" would mask half of any text and hide nothing.
 */
export function rememberSecretValues(values: Iterable<string>): void {
  for (const value of values) if (value.length >= LAMBDA_DEFAULTS.minMaskedSecretLength) knownValues.add(value);
}

/** The secret values remembered so far. */
export function knownSecretValues(): string[] {
  return [...knownValues];
}

/** Shapes of credentials, each with what replaces it (the name of a key=value pair is kept). */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, MASK],
  // A webhook URL is a secret as a whole: Slack's, Google Chat's (its key and token are in the
  // query), an Office 365 connector's, and a Teams Workflows (Power Automate) URL, signed by `sig=`.
  [/https?:\/\/hooks\.slack\.com\/[^\s"'<>]*/gi, MASK],
  [/https?:\/\/chat\.googleapis\.com\/[^\s"'<>]*/gi, MASK],
  [/https?:\/\/[\w.-]*webhook\.office\.com\/[^\s"'<>]*/gi, MASK],
  [/https?:\/\/[^\s"'<>?]*\?[^\s"'<>]*\bsig=[^\s"'<>]*/gi, MASK],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, MASK],
  // Credentials in a URL: scheme://user:password@host.
  [/\/\/[^\s/@:"']+:[^\s/@"']+@/g, `//${MASK}@`],
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, MASK],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${MASK}`],
  // key=value, key: value, "key":"value" where the key names a secret.
  [
    /\b([\w.-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|private[_-]?key|credential|authori[sz]ation|session[_-]?key)[\w.-]*)(["']?\s*[:=]\s*["']?)(?!\[redacted\])([^\s"',;&)}\]]+)/gi,
    `$1$2${MASK}`,
  ],
];

/**
 * `text` with every remembered secret value and every credential-looking string masked.
 *
 * @example
 * redact('connect to https://admin:hunter2@db.example.com'); // 'connect to https://[redacted]@db.example.com'
 */
export function redact(text: string): string {
  let masked = text;
  // Longest first, so a value that contains another is masked whole.
  for (const value of [...knownValues].sort((a, b) => b.length - a.length)) masked = masked.replaceAll(value, MASK);
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked;
}
