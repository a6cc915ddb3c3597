/**
 * One HTTP POST of a JSON body (or a form, given its content-type header), on `node:http`/`node:https`.
 *
 * Not `fetch`: on Node 20 and 22 the first `fetch()` of a process loads and compiles undici and its
 * WebAssembly HTTP parser, some 40–60 ms of a Lambda cold start, for one small POST per
 * notification. `node:https` is what the AWS SDK already uses, so on routes that call AWS it costs
 * nothing more, and it is loaded only when a notification is sent.
 *
 * Redirects are not followed (the webhooks answer directly; a 3xx is reported as its status).
 */
export interface PostResponse {
  status: number;
  /** The `Retry-After` header, or null. */
  retryAfter: string | null;
  /** The response body (its first {@link BODY_LIMIT} bytes): Slack's Web API answers errors in it with HTTP 200. */
  body: string;
}

/** More of a response than any answer deploybridge reads. */
const BODY_LIMIT = 64 * 1024;

/**
 * Resolves with the status once the whole response has been read. Rejects on network errors (the
 * error carries Node's `code`, e.g. ECONNREFUSED) and when `signal` aborts (an `AbortError`).
 */
export async function postJson(
  url: string,
  body: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<PostResponse> {
  const target = new URL(url);
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<PostResponse>((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(signal.aborted ? (signal.reason as Error) : new Error('the response ended early'));
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
