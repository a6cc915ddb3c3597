/**
 * A dry run's planned calls in words for people. The targets describe each call as the API would
 * get it (`lambda:UpdateAlias {"FunctionName":…}`, what the local run and the log show); a message
 * names the API and says what it would do, numbered in order, without the request's JSON (nor the
 * values of a function's environment).
 */

/** The JSON object at the start of `text` (after its command), and what follows it; undefined when there is none. */
function leadingJson(text: string): { input: Record<string, unknown>; rest: string } | undefined {
  if (!text.startsWith('{')) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        return { input: JSON.parse(text.slice(0, i + 1)) as Record<string, unknown>, rest: text.slice(i + 1).trim() };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A request's value as text: a string as it is, anything else as JSON. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value);
}

/** A version as the call names it: a placeholder for one yet to be published reads "the new version". */
function versionWords(version: unknown): string {
  return version === '(new version)' ? 'the new version' : `version ${text(version)}`;
}

/** What one API call would do, from its request; undefined for an API these words do not know. */
function callWords(command: string, input: Record<string, unknown>, rest: string): string | undefined {
  switch (command) {
    case 'UpdateFunctionCode':
      return typeof input.ImageUri === 'string'
        ? `update the code to ${input.ImageUri}`
        : `update the code to s3://${text(input.S3Bucket)}/${text(input.S3Key)}${input.S3ObjectVersion === undefined ? '' : ` (version ${text(input.S3ObjectVersion)})`}`;
    case 'UpdateFunctionConfiguration': {
      const variables = Object.keys((input.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      const set = variables.filter((name) => !name.startsWith('('));
      return `set ${set.join(', ')}${set.length < variables.length ? ' (the other variables kept)' : ''}`;
    }
    case 'PublishVersion':
      return 'publish a new version';
    case 'Invoke':
      return `smoke test of ${versionWords(input.Qualifier)}${rest === '' ? '' : `, ${rest}`}`;
    case 'UpdateAlias':
      return `move alias ${text(input.Name)} to ${versionWords(input.FunctionVersion)}`;
    default:
      return undefined;
  }
}

/** One planned call in words, `API: what it would do` (a call these words do not know, as the target described it). */
function describePlannedCall(call: string): string {
  const wait = /^wait: (\w+) (.*)$/.exec(call);
  if (wait) return `${wait[1]}: wait ${wait[2]}`;
  const api = /^\w+:(\w+) /.exec(call);
  const parsed = api === null ? undefined : leadingJson(call.slice(api[0].length));
  const words = api === null || parsed === undefined ? undefined : callWords(api[1] as string, parsed.input, parsed.rest);
  return words === undefined ? call : `${api?.[1]}: ${words}`;
}

/**
 * Planned calls in words, numbered in order, one a line.
 *
 * @example
 * describePlannedCalls(['lambda:PublishVersion {"FunctionName":"f"}', 'lambda:UpdateAlias {"FunctionName":"f","Name":"live","FunctionVersion":"5"}']);
 * // '1. PublishVersion: publish a new version\n2. UpdateAlias: move alias live to version 5'
 */
export function describePlannedCalls(calls: readonly string[]): string {
  return calls.map((call, index) => `${index + 1}. ${describePlannedCall(call)}`).join('\n');
}
