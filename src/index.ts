/**
 * The Lambda entry point (`index.handler`). Importing it loads nothing but a recogniser of an
 * event's shape: configuration, logging, metrics and middy load with the first event, and each
 * route then loads only the SDK client it uses. The cost of a cold start is paid for what the event
 * needs, not up front. Slack's requests to the Function URL go to src/entry/interactions.ts, which
 * loads no deployment code before it answers; every other event, the clicks it hands off included,
 * to src/entry/handler.ts.
 */
import type { Context } from 'aws-lambda';
import { isFunctionUrlEvent } from './interactions/functionUrlEvent.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

let loading: Promise<Handler> | undefined;
let loadingInteractions: Promise<Handler> | undefined;

export async function handler(event: unknown, context: Context): Promise<unknown> {
  if (isFunctionUrlEvent(event)) {
    loadingInteractions ??= import('./entry/interactions.js').then((module) => module.handler as Handler);
    return (await loadingInteractions)(event, context);
  }
  loading ??= import('./entry/handler.js').then((module) => module.handler as Handler);
  return (await loading)(event, context);
}
