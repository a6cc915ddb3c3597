/**
 * Masking secrets in text people read. AWS error messages can echo values (Lambda's
 * environment-size error quotes every variable; a pull error can quote a registry URL with its
 * password), and so can every other text from outside: an ECS event's reason, a stopped task's
 * reason, a service event, a manual request's fields, who changed an object. {@link redact} replaces
 * the values of the target functions' environments deploybridge has read, the notification secrets
 * it has read (webhook URLs, tokens, the signing secret), and anything shaped like a credential, by
 * `[redacted]`; {@link maskText} is the one step every text goes through before it reaches a log
 * line, a message of any channel or the local run's terminal (it also drops control and
 * bidirectional characters); {@link maskValue} applies it to every string of a log line's fields or
 * of a notification.
 */
import { LAMBDA_DEFAULTS } from '../config/constants.js';

const MASK = '[redacted]';

/** Values of target functions' environments, and notification secrets, read in this container. */
const knownValues = new Set<string>();
/** The same, longest first (so a value that contains another is masked whole); rebuilt when one is added. */
let longestFirst: string[] = [];

/**
 * Remembers secret values (a function's environment values, a webhook URL) so that {@link redact} masks them
 * wherever they appear. Values shorter than `LAMBDA_DEFAULTS.minMaskedSecretLength` are not kept:
 * "1" or "true" would mask half of any text and hide nothing.
 */
export function rememberSecretValues(values: Iterable<string>): void {
  for (const value of values) if (value.length >= LAMBDA_DEFAULTS.minMaskedSecretLength) knownValues.add(value);
  longestFirst = [...knownValues].sort((a, b) => b.length - a.length);
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
  // key=value, key: value, "key":"value" where the key names a secret. The name's parts around the
  // secret word are bounded, so a long run of word characters and dots cannot make it slow.
  [
    /\b([\w.-]{0,64}(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|private[_-]?key|credential|authori[sz]ation|session[_-]?key)[\w.-]{0,64})(["']?\s*[:=]\s*["']?)(?!\[redacted\])([^\s"',;&)}\]]+)/gi,
    `$1$2${MASK}`,
  ],
];

/**
 * What each credential shape above cannot match without, in the same case-insensitive terms: a
 * private key's header, a webhook's host or its `sig=`, `xox` (Slack tokens), `@` (credentials in
 * a URL), an access key id's prefix, an authorisation scheme, the secret word of a key=value pair.
 * Text with none of them skips the ten passes. Most text is like that (names, ids, ARNs, console
 * links, sentences); in a cold process the passes cost about 9 µs per string, and compiling them
 * half a millisecond.
 */
const CREDENTIAL_HINT =
  /-----BEGIN|hooks\.slack\.com|chat\.googleapis\.com|webhook\.office\.com|sig=|xox|@|AKIA|ASIA|AROA|AIDA|Bearer|Basic|passw|pwd|secret|token|api[_-]?key|private[_-]?key|credential|authori[sz]ation|session[_-]?key/i;

/**
 * `text` with every remembered secret value and every credential-looking string masked.
 *
 * @example
 * redact('connect to https://admin:hunter2@db.example.com'); // 'connect to https://[redacted]@db.example.com'
 */
export function redact(text: string): string {
  let masked = text;
  for (const value of longestFirst) masked = masked.replaceAll(value, MASK);
  if (!CREDENTIAL_HINT.test(masked)) return masked;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked;
}

/**
 * Control characters (but tab and line feed, which messages use) and Unicode format characters
 * (bidirectional overrides and isolates, zero-width spaces; not the zero-width joiner emoji are
 * made with), and the line and paragraph separators: they can reorder, hide or forge what people
 * read ("exe.gnp" shown as "png.exe"), or split a secret so that its shape is not recognised.
 */
const UNSAFE_CHARACTERS = /(?![\t\n\u200d])[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Printable ASCII, tab and line feed: text made only of these holds no unsafe character. */
const ONLY_SAFE_ASCII = /^[\t\n\x20-\x7e]*$/;

/**
 * The one step text from outside goes through before people read it: control and bidirectional
 * characters dropped, then secrets masked ({@link redact}).
 *
 * @example
 * maskText('by alice\u202Egnp.exe token=xoxb-1-abc'); // 'by alicegnp.exe token=[redacted]'
 */
export function maskText(text: string): string {
  return redact(ONLY_SAFE_ASCII.test(text) ? text : text.replace(UNSAFE_CHARACTERS, ''));
}

/**
 * `value` with {@link maskText} applied to every string in it, keys included: plain objects and
 * arrays are copied, anything else (numbers, dates, errors) is kept as it is.
 *
 * @example
 * maskValue({ reason: 'pull https://u:pw@registry/x', tasks: 2 }); // { reason: 'pull https://[redacted]@registry/x', tasks: 2 }
 */
export function maskValue<T>(value: T): T {
  const seen = new WeakSet<object>();
  const mask = (inner: unknown): unknown => {
    if (typeof inner === 'string') return maskText(inner);
    if (typeof inner !== 'object' || inner === null || seen.has(inner)) return inner;
    if (Array.isArray(inner)) {
      seen.add(inner);
      return inner.map(mask);
    }
    const prototype: unknown = Object.getPrototypeOf(inner);
    if (prototype !== Object.prototype && prototype !== null) return inner;
    seen.add(inner);
    return Object.fromEntries(Object.entries(inner).map(([key, entry]) => [maskText(key), mask(entry)]));
  };
  return mask(value) as T;
}
