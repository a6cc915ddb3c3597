import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { recordSuiteOutput } from './suiteOutput.js';

/** One request a receiver got: its path and query, headers, raw body and the body parsed. */
export interface Received {
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

export type ReceiverResponder = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/**
 * A webhook receiver on 127.0.0.1 (Teams, Google Chat, the signed webhook): it records every
 * request; `respond` decides the answer (default 200). What it receives is recorded for the
 * suite-wide secret scan. Close it in afterEach.
 */
export async function startReceiver(respond: ReceiverResponder = (_req, res) => res.end('ok')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      recordSuiteOutput(raw);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      received.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw, body: JSON.parse(raw) });
      respond(req, res, received.length);
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { baseUrl, received, close };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
