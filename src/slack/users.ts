/**
 * Who a Slack user id is (Web API `users.info`, scope `users:read`): the preflight checks with it
 * that every approver is a person of the workspace.
 */
import { NOTIFICATION_DEFAULTS } from '../config/constants.js';
import { postJson } from '../shared/post.js';

/** What Slack says of a user id: who it is, or Slack's error code (`user_not_found`, `missing_scope`, …). */
export type SlackUser = { found: true; name: string; deleted: boolean; bot: boolean } | { found: false; error: string };

interface UsersInfoAnswer {
  ok?: unknown;
  error?: unknown;
  user?: { name?: unknown; real_name?: unknown; deleted?: unknown; is_bot?: unknown };
}

/**
 * Looks a user id up. One attempt; the token travels in the Authorization header only.
 *
 * @example
 * await lookUpUser('https://slack.com/api', token, 'U0123ABCDE'); // { found: true, name: 'alice', deleted: false, bot: false }
 */
export async function lookUpUser(apiUrl: string, token: string, userId: string): Promise<SlackUser> {
  // users.info reads form fields, not JSON.
  const response = await postJson(
    `${apiUrl}/users.info`,
    new URLSearchParams({ user: userId }).toString(),
    AbortSignal.timeout(NOTIFICATION_DEFAULTS.attemptTimeoutMs),
    { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
  );
  if (response.status < 200 || response.status >= 300) return { found: false, error: `HTTP ${response.status}` };
  let answer: UsersInfoAnswer;
  try {
    answer = JSON.parse(response.body) as UsersInfoAnswer;
  } catch {
    return { found: false, error: 'the answer is not JSON' };
  }
  if (answer.ok !== true || answer.user === undefined) {
    return {
      found: false,
      error: typeof answer.error === 'string' && /^[a-z0-9_]{1,64}$/.test(answer.error) ? answer.error : 'unknown_error',
    };
  }
  const { name, real_name: realName, deleted, is_bot: bot } = answer.user;
  return {
    found: true,
    name: typeof realName === 'string' && realName !== '' ? realName : typeof name === 'string' ? name : userId,
    deleted: deleted === true,
    bot: bot === true,
  };
}
