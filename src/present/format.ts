/**
 * Small formats every message family shares: lists of names ("A, B, … (2 more)"), line numbers as
 * ranges ("1–3, 7"), sizes as registries show them ("182 MB"), times ("2026-11-22 09:41 UTC"),
 * durations ("3 min 5 s") and short image digests ("sha256:3f9c1e2…"). Values in, words out; no
 * family of its own.
 */

/** "1–3, 7, 9": line numbers with consecutive runs as ranges, at most `max` items. */
export function lineList(lines: number[], max = 12): string {
  const runs: string[] = [];
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    runs.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return nameList(runs, max);
}

/** Names in a message: the first `max`, then how many more. */
export function nameList(names: readonly string[], max = 30): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;
}

/** "182 MB": a size as registries show it (powers of 1000). */
export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e7) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

/** "2026-11-22 09:41 UTC". */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export const shortDigest = (digest: string) => (digest.startsWith('sha256:') ? `${digest.slice(0, 'sha256:'.length + 7)}…` : digest);

/** "42 s", "3 min 5 s": how long a deployment took. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
