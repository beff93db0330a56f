import * as jsc from "bun:jsc";

type AnyFunction = (...args: never[]) => unknown;
const noFTL = (jsc as { noFTL?: (fn: AnyFunction) => unknown }).noFTL;

/**
 * Keeps JavaScriptCore's top tier (FTL) off the hot functions of a run. A run is short (about a second
 * for 400 MB of history): compiling them with FTL took more CPU than it saved, and on a 2-core machine
 * that compiling competes with the parse and the line prefetch for the second core (docs/performance.md,
 * "Session 3"). They stay in the DFG tier, which compiles several times faster. A no-op where `bun:jsc`
 * has no `noFTL`.
 *
 * The exceptions are the byte loops over transcripts' long texts (`unescapeJson` in sources/shared/large-strings.ts,
 * `GoJsonBytes.ofUtf8` in sources/shared/attributes.ts): small functions that run over hundreds of MB, 1.6x faster
 * in FTL (docs/performance.md, "Session 9").
 */
export function withoutTopTier(...functions: AnyFunction[]): void {
  if (!noFTL) return;
  for (const fn of functions) noFTL(fn);
}
