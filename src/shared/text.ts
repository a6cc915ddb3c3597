/** Cuts `text` to at most `max` characters, marking the cut with "…" (Slack blocks, AWS descriptions). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A count and its noun, in the plural where it applies.
 *
 * @example
 * plural(1, 'service');           // '1 service'
 * plural(3, 'reply', 'replies');  // '3 replies'
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Longer words are not compared: a typo of a field name is short, and the comparison grows with the length. */
const SUGGESTION_MAX_LENGTH = 64;

/**
 * The candidate a misspelt `word` most likely meant: the closest by edit distance, ignoring case,
 * when at most two edits (or a third of the word) away; `undefined` when none is that close.
 *
 * @example
 * closest('taskDefinition', ['service', 'task_definition']); // 'task_definition'
 * closest('ticket', ['service', 'task_definition']);         // undefined
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > SUGGESTION_MAX_LENGTH) return undefined;
  const lower = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}
