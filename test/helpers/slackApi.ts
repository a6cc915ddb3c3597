import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { recordSuiteOutput } from './suiteOutput.js';

/** The bot token the tests use; the suite-wide secret scan looks for it (see suiteOutput.ts). */
export const TEST_BOT_TOKEN = 'xoxb-000-SECRETBOTTOKEN456';

/** The users of the workspace `users.info` knows. */
export const WORKSPACE_USERS: Record<string, { name: string; real_name: string; deleted?: boolean; is_bot?: boolean }> = {
  U0APPROVER: { name: 'alice', real_name: 'Alice Approver' },
  W0GRIDUSER: { name: 'bob', real_name: 'Bob Grid' },
  U0LEFTCORP: { name: 'carol', real_name: 'Carol Gone', deleted: true },
  U0RELEASEBOT: { name: 'releasebot', real_name: '', is_bot: true },
};

export interface ApiCall {
  method: string;
  body: {
    channel?: string;
    ts?: string;
    thread_ts?: string;
    text?: string;
    /** users.info: the user id looked up. */
    user?: string;
    /** A reply through a response_url: `ephemeral` is shown to the person who clicked only. */
    response_type?: string;
    replace_original?: boolean;
    attachments?: Array<{ color: string; blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }> }> }>;
  };
  authorization: string | undefined;
}

/** A message as the channel shows it. */
export interface ChannelMessage {
  ts: string;
  colour: string;
  title: string;
  replies: Array<{ colour: string; title: string }>;
}

export type ApiResponder = (call: ApiCall, res: ServerResponse, answer: (body: Record<string, unknown>) => void) => void;

const titleOf = (body: ApiCall['body']) => body.attachments?.[0]?.blocks.find((b) => b.type === 'header')?.text?.text ?? '';

/**
 * A Slack-compatible Web API on 127.0.0.1: `chat.postMessage` (top level or in a thread) and
 * `chat.update`, checking the bearer token, answering `{"ok": true, "channel", "ts"}`. It keeps the
 * channel as Slack would show it. `respond` may answer otherwise (an error, a 429). Close it in afterEach.
 */
export async function startSlackApi(respond?: ApiResponder) {
  const calls: ApiCall[] = [];
  const messages: ChannelMessage[] = [];
  /** Replies by their ts: Slack updates a reply in a thread as it updates a message. */
  const replies = new Map<string, ChannelMessage['replies'][number]>();
  let next = 1;
  const handle = (call: ApiCall, answer: (body: Record<string, unknown>) => void) => {
    // A response_url (Slack gives one per interaction): no token, the reply goes to whoever clicked.
    if (call.method.startsWith('actions/')) return answer({ ok: true });
    if (call.method === 'users.info') {
      if (call.authorization !== `Bearer ${TEST_BOT_TOKEN}`) return answer({ ok: false, error: 'invalid_auth' });
      const user = WORKSPACE_USERS[call.body.user ?? ''];
      return answer(user === undefined ? { ok: false, error: 'user_not_found' } : { ok: true, user: { id: call.body.user, ...user } });
    }
    if (call.authorization !== `Bearer ${TEST_BOT_TOKEN}`) return answer({ ok: false, error: 'invalid_auth' });
    const { body } = call;
    const colour = body.attachments?.[0]?.color ?? '';
    if (call.method === 'chat.update') {
      const message = messages.find((m) => m.ts === body.ts) ?? replies.get(body.ts ?? '');
      if (message === undefined) return answer({ ok: false, error: 'message_not_found' });
      Object.assign(message, { colour, title: titleOf(body) });
      return answer({ ok: true, channel: body.channel, ts: body.ts, text: body.text });
    }
    if (call.method !== 'chat.postMessage') return answer({ ok: false, error: 'unknown_method' });
    if (body.channel !== 'C0DEPLOYS') return answer({ ok: false, error: 'channel_not_found' });
    const ts = `1717405200.${String(next++).padStart(6, '0')}`;
    if (body.thread_ts !== undefined) {
      const parent = messages.find((m) => m.ts === body.thread_ts);
      if (parent === undefined) return answer({ ok: false, error: 'thread_not_found' });
      const reply = { colour, title: titleOf(body) };
      parent.replies.push(reply);
      replies.set(ts, reply);
    } else {
      messages.push({ ts, colour, title: titleOf(body), replies: [] });
    }
    return answer({ ok: true, channel: body.channel, ts, message: { text: body.text } });
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      recordSuiteOutput(text);
      const call: ApiCall = {
        method: (req.url ?? '').replace(/^\/(api\/)?/, ''),
        body: (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
          ? Object.fromEntries(new URLSearchParams(text))
          : JSON.parse(text)) as ApiCall['body'],
        authorization: req.headers.authorization,
      };
      calls.push(call);
      const answer = (body: Record<string, unknown>) => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body));
      };
      if (respond !== undefined) respond(call, res, answer);
      else handle(call, answer);
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return {
    apiUrl: `${baseUrl}/api`,
    calls,
    /** The channel: top-level messages in their current state, with their replies. */
    messages,
    /** Lets a custom `respond` fall back to the normal answer. */
    handle,
    close,
  };
}
