/**
 * What a channel hears (`TEAMS_EVENTS`, `GOOGLE_CHAT_EVENTS`, `WEBHOOK_EVENTS`, `SNS_EVENTS`): event
 * types (`deployment.failed`), families (`deployment.*`, `warning.*`) or `*`. An empty filter hears
 * everything Slack hears. src/config/config.ts refuses a pattern that names no event type.
 */
import type { NotificationEventType } from '../config/constants.js';

/**
 * Whether a channel with these patterns hears an event of this type.
 *
 * @example
 * hears(['deployment.failed', 'deployment.rolled_back'], 'deployment.started'); // false
 * hears(['warning.*'], 'warning.env_file_deleted'); // true
 * hears([], 'deployment.started'); // true: no filter
 */
export function hears(patterns: readonly string[], type: NotificationEventType): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
