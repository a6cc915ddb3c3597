/** Cuts `text` to at most `max` characters, marking the cut with "…" (Slack blocks, AWS descriptions). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
