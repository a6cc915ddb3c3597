import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { recordSuiteOutput } from './suiteOutput.js';

export type Responder = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/**
 * A Slack-compatible webhook receiver on 127.0.0.1. It records every JSON body it receives;
 * `respond` decides the answer (default 200 "ok"). Close it in afterEach.
 */
export async function startSlackServer(respond: Responder = (_req, res) => res.end('ok')) {
  const received: Array<{ path: string; body: unknown }> = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts++;
      const text = Buffer.concat(chunks).toString('utf8');
      recordSuiteOutput(text);
      received.push({ path: req.url ?? '', body: JSON.parse(text) });
      respond(req, res, attempts);
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { url: `${baseUrl}/services/T000/B000/SECRETTOKEN123`, received, attempts: () => attempts, close };
}
