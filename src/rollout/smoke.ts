/**
 * The smoke check of the lifecycle hook: a GET of the URL the operator configured (loopback and
 * private addresses included: test listeners are often internal), in bounded time and reading a
 * bounded body. Redirects are followed on the same scheme, host and port only: a redirect elsewhere
 * is the answer. Not `fetch`, for the reason src/shared/post.ts gives.
 */
import type { IncomingMessage } from 'node:http';
import { ROLLOUT_DEFAULTS } from '../config/constants.js';
import type { SmokeCheck } from '../config/rollout.js';
import { describeError, errorName } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { truncate } from '../shared/text.js';

/** What one smoke URL answered, as a failed check reports it. */
export interface SmokeReading {
  /** The URL as configured (credentials masked). */
  url: string;
  passed: boolean;
  /** Why it failed, in words; `undefined` when it passed. */
  problem: string | undefined;
  /** The status of the last answer, when there was one. */
  status: number | undefined;
  /** The first characters of the body, masked like errors. */
  body: string | undefined;
  durationMs: number;
}

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

/** One GET; resolves once the body is read (or its first {@link ROLLOUT_DEFAULTS.maxSmokeBodyBytes} bytes). */
async function get(url: URL, signal: AbortSignal): Promise<Answer> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', headers: { accept: '*/*', 'user-agent': 'deploybridge-smoke-check' }, signal },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const location = res.headers.location;
          resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8') });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= ROLLOUT_DEFAULTS.maxSmokeBodyBytes) {
            // Enough to judge: the rest is not downloaded.
            finish();
            res.destroy();
          }
        });
        res.on('error', reject);
        res.on('end', finish);
        res.on('close', () => {
          if (!res.complete && size < ROLLOUT_DEFAULTS.maxSmokeBodyBytes)
            reject(signal.aborted ? (signal.reason as Error) : new Error('the response ended early'));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sameOrigin = (a: URL, b: URL) => a.protocol === b.protocol && a.host === b.host;

/** Why a request failed, in words: a timeout says how long it waited. */
function requestProblem(error: unknown, timeoutMs: number): string {
  if (['TimeoutError', 'AbortError'].includes(errorName(error))) return `no answer within ${timeoutMs / 1000} s`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `could not connect (${code})` : `request failed (${describeError(error)})`;
}

/**
 * Requests the smoke URL; it passes with the expected status and, when set, the expected text in
 * the body. `signal` ends the request (the check's timeout or the invocation's deadline, whichever
 * comes first: `timeoutMs` says how long that is).
 *
 * @example
 * await runSmokeCheck(check, { signal: AbortSignal.timeout(5000), timeoutMs: 5000, now: Date.now });
 * // { url: 'https://test.api.example.com/health', passed: true, problem: undefined, status: 200, body: 'ok', durationMs: 42 }
 */
export async function runSmokeCheck(
  check: SmokeCheck,
  options: { signal: AbortSignal; timeoutMs: number; now: () => number },
): Promise<SmokeReading> {
  const started = options.now();
  const reading = (problem: string | undefined, answer?: Answer): SmokeReading => ({
    url: redact(check.url),
    passed: problem === undefined,
    problem,
    status: answer?.status,
    body: answer === undefined ? undefined : redact(truncate(answer.body, ROLLOUT_DEFAULTS.smokeBodyExcerpt)),
    durationMs: options.now() - started,
  });
  let url = new URL(check.url);
  let answer: Answer;
  try {
    answer = await get(url, options.signal);
    for (let redirects = 0; answer.status >= 300 && answer.status < 400 && answer.location !== undefined; redirects++) {
      const next = new URL(answer.location, url);
      if (!sameOrigin(next, url) || redirects >= ROLLOUT_DEFAULTS.maxSmokeRedirects) break;
      url = next;
      answer = await get(url, options.signal);
    }
  } catch (error) {
    return reading(requestProblem(error, options.timeoutMs));
  }
  if (answer.status !== check.expectStatus) {
    const elsewhere = answer.location === undefined ? '' : ` (redirect to ${redact(truncate(answer.location, 200))} not followed)`;
    return reading(`status ${answer.status}, expected ${check.expectStatus}${elsewhere}`, answer);
  }
  if (check.expectBody !== undefined && !answer.body.includes(check.expectBody)) {
    return reading(`the body does not contain ${JSON.stringify(check.expectBody)}`, answer);
  }
  return reading(undefined, answer);
}
