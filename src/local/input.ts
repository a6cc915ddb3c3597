/**
 * What the local run reads: one EventBridge event, a sequence of them (a JSON array, handled in
 * order; it may hold Slack's clicks as Function URL requests), a `put-events` entries file (each
 * entry as EventBridge would deliver it), or an SQS batch (as the coalescing queue delivers a burst). A file that is none of these is refused with one line
 * naming the file and the problem, before anything runs.
 */
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { isSqsBatch } from '../deploy/batch/sqs.js';
import { isFunctionUrlEvent } from '../interactions/functionUrlEvent.js';

export type RawEvent = Record<string, unknown>;

/** A problem with the runner's input: printed as one line, exit code 2. */
export class LocalInputError extends Error {
  override readonly name = 'LocalInputError';
}

export type LocalInput =
  | {
      /** `event`: one event; `sequence`: an array of events; `entries`: a put-events entries array. */
      kind: 'event' | 'sequence' | 'entries';
      events: RawEvent[];
      /** For entries: the bus each names (`EventBusName`), `default` when it names none. */
      buses: string[];
    }
  | {
      /** An SQS batch: handled in one invocation, as the function handles the coalescing queue's. */
      kind: 'batch';
      batch: SQSEvent;
      /** The records' bodies that are JSON objects (the events the batch carries). */
      events: RawEvent[];
      buses: [];
    };

const EXPECTED = 'an EventBridge event, a JSON array of events, a put-events entries array, or an SQS batch';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An EventBridge event, or a request to the Function URL (a Slack click, handled as the function handles it). */
function isEvent(value: Record<string, unknown>): boolean {
  return 'detail-type' in value || isFunctionUrlEvent(value);
}

function isEntry(value: Record<string, unknown>): boolean {
  return 'DetailType' in value || 'Detail' in value || 'Source' in value || 'EventBusName' in value;
}

/** Why a file cannot be read, in words (the error codes Node gives). */
function unreadable(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a JSON file';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  return `cannot be read (${typeof code === 'string' ? code : (error as Error).message})`;
}

/** JSON.parse's message, with the line and column of the position it names (Node 22 adds its own; Node 20 does not). */
function where(message: string, text: string): string {
  const position = /at position (\d+)/.exec(message);
  if (position === null) return message;
  const before = text.slice(0, Number(position[1])).split('\n');
  return `${message.replace(/ \(line \d+ column \d+\)$/, '')}: line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Where `put-events` is run: the sender's account and region (EventBridge stamps both on the event). */
export interface Origin {
  region: string;
  account: string;
}

/** What `PutEvents` takes (its API reference): an entry it refuses is never delivered, so it is refused here. */
const PUT_EVENTS = {
  /** Entries in one request; more, and the whole request is refused. */
  maxEntries: 10,
  maxDetailTypeLength: 128,
  /** An entry's size: its Source, DetailType, Detail and Resources, in UTF-8 bytes (Time counts 14). */
  maxEntryBytes: 262_144,
} as const;

/** An entry's size as PutEvents counts it. */
function entryBytes(entry: Record<string, unknown>): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((total: number, resource) => total + bytes(resource), 0)
  );
}

/** Refuses an entry PutEvents fails: without Source, DetailType or Detail, of a source of AWS, too long or too large. */
function checkEntry(entry: Record<string, unknown>, n: number): void {
  const missing = (['Source', 'DetailType', 'Detail'] as const).filter((key) => entry[key] === undefined);
  if (missing.length > 0)
    throw new LocalInputError(
      `entry ${n} has no ${missing.map((key) => `"${key}"`).join(', ')}: PutEvents fails an entry without Source, DetailType and Detail`,
    );
  for (const key of ['Source', 'DetailType'] as const) {
    if (typeof entry[key] !== 'string') throw new LocalInputError(`entry ${n}: "${key}" must be a string, not ${typeName(entry[key])}`);
  }
  const source = entry.Source as string;
  if (source.startsWith('aws.'))
    throw new LocalInputError(
      `entry ${n}: Source ${JSON.stringify(source.slice(0, 64))} is reserved for AWS services: PutEvents fails the entry (NotAuthorizedForSourceException); manual deploys are sent as action.deploy or action.production`,
    );
  const detailType = entry.DetailType as string;
  if (detailType.length > PUT_EVENTS.maxDetailTypeLength)
    throw new LocalInputError(
      `entry ${n}: "DetailType" is ${detailType.length} characters: PutEvents takes at most ${PUT_EVENTS.maxDetailTypeLength}`,
    );
  const size = entryBytes(entry);
  if (size > PUT_EVENTS.maxEntryBytes)
    throw new LocalInputError(
      `entry ${n} is ${size} bytes (Source, DetailType, Detail and Resources): PutEvents takes at most ${PUT_EVENTS.maxEntryBytes} (256 KB) an entry`,
    );
}

/** The event EventBridge delivers for one `put-events` entry (entry `n`, counted from 1). */
function entryEvent(entry: Record<string, unknown>, n: number, { region, account }: Origin): RawEvent {
  checkEntry(entry, n);
  const detailText = entry.Detail;
  if (typeof detailText !== 'string') {
    throw new LocalInputError(
      `entry ${n}: "Detail" must be a JSON string, as put-events takes it ("Detail": "{\\"service\\":\\"api\\"}"), not ${typeName(detailText)}`,
    );
  }
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch (error) {
    throw new LocalInputError(`entry ${n}: "Detail" is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(detail)) throw new LocalInputError(`entry ${n}: "Detail" must hold a JSON object, not ${typeName(detail)}`);
  return {
    version: '0',
    id: `local-entry-${n}-${Date.now()}`,
    'detail-type': entry.DetailType,
    source: entry.Source,
    account,
    time: new Date().toISOString(),
    region,
    resources: Array.isArray(entry.Resources) ? entry.Resources : [],
    detail,
  };
}

/** An SQS batch, with the events its records carry (a body that is not a JSON object is left to the function to reject). */
function fromBatch(batch: SQSEvent): LocalInput {
  const events = batch.Records.flatMap((record): RawEvent[] => {
    try {
      const body: unknown = JSON.parse(record.body);
      return isObject(body) ? [body] : [];
    } catch {
      return [];
    }
  });
  return { kind: 'batch', batch, events, buses: [] };
}

/** Classifies a parsed array: events, or put-events entries; anything else (or a mix) is refused. */
function fromArray(items: unknown[], origin: Origin): LocalInput {
  if (items.length === 0) throw new LocalInputError('an empty array: no events to run');
  const kinds = items.map((item, i) => {
    if (!isObject(item)) throw new LocalInputError(`item ${i + 1} is ${typeName(item)}, not an event or a put-events entry`);
    if (isEvent(item)) return 'event';
    if (isEntry(item)) return 'entry';
    throw new LocalInputError(`item ${i + 1} is neither an EventBridge event (no "detail-type") nor a put-events entry (no "DetailType")`);
  });
  const mixed = kinds.findIndex((kind) => kind !== kinds[0]);
  if (mixed !== -1) throw new LocalInputError(`mixes EventBridge events and put-events entries (item ${mixed + 1}); use one or the other`);
  if (kinds[0] === 'event') return { kind: 'sequence', events: items as RawEvent[], buses: [] };
  const entries = items as Array<Record<string, unknown>>;
  if (entries.length > PUT_EVENTS.maxEntries)
    throw new LocalInputError(
      `${entries.length} entries: PutEvents takes 1 to ${PUT_EVENTS.maxEntries} in one request and refuses the whole request (split the file)`,
    );
  return {
    kind: 'entries',
    events: entries.map((entry, i) => entryEvent(entry, i + 1, origin)),
    buses: entries.map((entry) => (typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default')),
  };
}

/**
 * Reads the runner's input file. Throws a {@link LocalInputError} whose message is one line
 * starting with the file name.
 *
 * @example
 * const origin = { region: 'us-east-1', account: '123456789012' };
 * readLocalInput('events/ecr-push-api.json', origin); // { kind: 'event', events: [ … ], buses: [] }
 * readLocalInput('missing.json', origin);             // throws "missing.json: no such file"
 */
export function readLocalInput(file: string, origin: Origin): LocalInput {
  try {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new LocalInputError(unreadable(error));
    }
    if (text.trim() === '') throw new LocalInputError(`the file is empty (expected ${EXPECTED})`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new LocalInputError(`not valid JSON (${where((error as Error).message, text)})`);
    }
    if (Array.isArray(parsed)) return fromArray(parsed, origin);
    if (!isObject(parsed)) throw new LocalInputError(`holds ${typeName(parsed)}, not an event (expected ${EXPECTED})`);
    if (isSqsBatch(parsed)) return fromBatch(parsed);
    if ('Records' in parsed)
      throw new LocalInputError(
        'holds "Records" that are not an SQS batch (each record needs "eventSource": "aws:sqs" and a "body"; other sources do not reach deploybridge)',
      );
    if (!isEvent(parsed) && isEntry(parsed))
      throw new LocalInputError('holds one put-events entry: put-events --entries takes an array, so wrap it in [ ]');
    return { kind: 'event', events: [parsed], buses: [] };
  } catch (error) {
    if (error instanceof LocalInputError) throw new LocalInputError(`${file}: ${error.message.replace(/\s*\n\s*/g, ' ')}`);
    throw error;
  }
}

/**
 * Why an entry sent to `bus` (a name or an ARN) never reaches this install, or `undefined` when it
 * does. The install's rules listen on the default bus and, with the module's
 * `manual_deploy_principals`, on its own bus for manual deploys (`{project}-deploybridge-{env}-manual-deploys`
 * under the module's default name), both in the account and region it runs in.
 *
 * @example
 * otherBus('team-bus', { projectName: 'myproject', projectEnv: 'dev', region: 'us-east-1', account: '123456789012' });
 * // "not this install's (its rules listen on the default bus and on myproject-deploybridge-dev-manual-deploys), so deploybridge never receives it"
 */
export function otherBus(bus: string, install: { projectName: string; projectEnv: string } & Origin): string | undefined {
  const manual = `${install.projectName}-deploybridge-${install.projectEnv}-manual-deploys`;
  const arn = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(bus);
  const here = arn === null || (arn[1] === install.region && arn[2] === install.account);
  const name = arn === null ? bus : arn[3];
  if (here && (name === 'default' || name === manual)) return undefined;
  return `not this install's (its rules listen on the default bus and on ${manual}), so deploybridge never receives it`;
}
