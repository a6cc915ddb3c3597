/**
 * Recognises a request to the function's Lambda Function URL, loading nothing: src/index.ts asks
 * before it loads any other code. A module of its own, which only the entry point (and the local
 * run) imports, so the Lambda bundle keeps it in the entry file instead of a chunk of its own shared
 * with the Function URL handler (./http.ts reads the request): each file a cold start loads costs
 * CPU besides its bytes (build.mjs).
 */

/** The part of an event that tells: `undefined` along any path that is not there, or not an object. */
type Shape = { version?: unknown; requestContext?: { http?: { method?: unknown } | null } | null } | null | undefined;

/**
 * Whether an invocation's event is a Function URL request: payload format 2.0 with an HTTP method.
 * Nothing else (an EventBridge event, an SQS batch, a hand-off) has that shape.
 *
 * @example
 * isFunctionUrlEvent({ version: '2.0', requestContext: { http: { method: 'POST', path: '/slack/interactions' } } }); // true
 */
export function isFunctionUrlEvent(event: unknown): boolean {
  const shape = event as Shape;
  return shape?.version === '2.0' && typeof shape.requestContext?.http?.method === 'string';
}
