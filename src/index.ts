/**
 * The Lambda entry point (`index.handler`). Importing it loads nothing: configuration, logging,
 * metrics and middy load with the first event (src/entry/handler.ts), and each route then loads only the
 * SDK client it uses. The cost of a cold start is paid for what the event needs, not up front.
 */
import type { Context } from 'aws-lambda';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

let loading: Promise<Handler> | undefined;

export async function handler(event: unknown, context: Context): Promise<unknown> {
  loading ??= import('./entry/handler.js').then((module) => module.handler as Handler);
  return (await loading)(event, context);
}
