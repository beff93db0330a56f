/** Past this many line pairs the Go importer gives up on a diff (and so do we). */
const MAX_PAIRS = 4_000_000;

/** A text's lines as Go's reconstruction splits them: one trailing newline removed, an empty text has none. */
export function splitLines(text: string): string[] {
  const trimmed = text.endsWith("\n") ? text.slice(0, -1) : text;
  return trimmed === "" ? [] : trimmed.split("\n");
}

/**
 * Lines added and removed from `before` to `after` (go-reference-2026 §2.1 "line diff"): common leading and trailing
 * lines stripped, then added = new − LCS and removed = old − LCS. `null` when the rest is too large to compare.
 */
export function lineDiff(before: string, after: string): { added: number; removed: number } | null {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const old = a.slice(start, endA);
  const now = b.slice(start, endB);
  if (old.length * now.length > MAX_PAIRS) return null;
  const lcs = longestCommonSubsequence(old, now);
  return { added: now.length - lcs, removed: old.length - lcs };
}

function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, current[j - 1] as number);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}
