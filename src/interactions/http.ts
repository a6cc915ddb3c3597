/**
 * Requests to the function's Lambda Function URL (payload format 2.0) and the answers Lambda turns
 * into HTTP responses. Whether an event is such a request is ./functionUrlEvent.ts, which the entry
 * point asks before it loads any other code.
 */

/** A Function URL request, as far as deploybridge reads it. Header names are lower case, as Lambda gives them. */
export interface FunctionUrlRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The body as sent (decoded when Lambda base64-encoded it); undefined when there is none. */
  body: string | undefined;
  /** Bytes of the body as sent: checked before it is decoded or read. */
  bodyBytes: number;
  sourceIp: string | undefined;
  /** Lambda's id of the request (`requestContext.requestId`). */
  requestId: string | undefined;
}

/** The answer Lambda sends back as the HTTP response. */
export interface FunctionUrlAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const text = (value: unknown, max = 200): string | undefined => (typeof value === 'string' ? value.slice(0, max) : undefined);

/**
 * The request a Function URL event carries. The body's size is measured as sent, before any
 * decoding: a body over `maxBodyBytes` is not decoded (`body` undefined, `bodyBytes` its size).
 *
 * @example
 * readFunctionUrlRequest(event, 131_072); // { method: 'POST', path: '/slack/interactions', headers: {…}, body: 'payload=…', … }
 */
export function readFunctionUrlRequest(event: unknown, maxBodyBytes: number): FunctionUrlRequest {
  const raw = isObject(event) ? event : {};
  const context = isObject(raw.requestContext) ? raw.requestContext : {};
  const http = isObject(context.http) ? context.http : {};
  const headers: Record<string, string> = {};
  if (isObject(raw.headers)) {
    for (const [name, value] of Object.entries(raw.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  const sent = typeof raw.body === 'string' ? raw.body : undefined;
  const base64 = raw.isBase64Encoded === true;
  // Base64 holds 3 bytes in 4 characters: the decoded size is known without decoding.
  const bodyBytes = sent === undefined ? 0 : base64 ? Math.floor((sent.length * 3) / 4) : Buffer.byteLength(sent, 'utf8');
  const body = sent === undefined || bodyBytes > maxBodyBytes ? undefined : base64 ? Buffer.from(sent, 'base64').toString('utf8') : sent;
  return {
    method: (text(http.method, 16) ?? '').toUpperCase(),
    path: text(http.path) ?? text(raw.rawPath) ?? '/',
    headers,
    body,
    bodyBytes,
    sourceIp: text(http.sourceIp, 64),
    requestId: text(context.requestId, 100),
  };
}

/**
 * An answer with a short plain-text body. Nothing of the request is echoed: the body says what
 * anyone may know.
 *
 * @example
 * answer(405, 'method not allowed', { allow: 'POST' });
 */
export function answer(statusCode: number, body = '', headers: Record<string, string> = {}): FunctionUrlAnswer {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}
