import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The embedded file system's root in a compiled executable (`bun build --compile`): `/$bunfs/root/` on Linux and
 * macOS, `B:/~BUN/root/` on Windows, where the URL spells `~` as `%7E` (`file:///B:/%7EBUN/root/…`).
 */
const EMBEDDED_ROOT = /^file:\/\/(?:\/\$bunfs|\/[A-Za-z]:\/(?:~|%7E)BUN)\//i;

/** Whether `moduleUrl` (an `import.meta.url`) lies inside a compiled executable's embedded file system. */
export function isEmbeddedUrl(moduleUrl: string): boolean {
  return EMBEDDED_ROOT.test(moduleUrl);
}

/**
 * Where a compiled executable holds the worker entry point `entry` (its path under `src/` without `.ts`, e.g.
 * `staging/parse-worker`), for a module at `moduleUrl`: the build lists `src/<entry>.ts` as an entry point, which
 * lands at its path relative to the entry points' common folder (`src/`), beside the bundle that holds `moduleUrl`.
 */
export function embeddedWorkerCandidates(entry: string, moduleUrl: string): string[] {
  const folder = new URL(".", moduleUrl);
  const name = entry.slice(entry.lastIndexOf("/") + 1);
  return [`${entry}.js`, `src/${entry}.js`, `${name}.js`].map((path) => new URL(path, folder).href);
}

/**
 * The URL of a worker entry point (`entry`: its path under `src/` without `.ts`). From source: that file, found from
 * this module's place (`src/sources/`). In a compiled executable: the first of `embeddedWorkerCandidates` that exists
 * there. `null`: absent.
 */
export function workerUrl(entry: string, moduleUrl = import.meta.url): string | null {
  if (!isEmbeddedUrl(moduleUrl)) return new URL(`../${entry}.ts`, moduleUrl).href;
  for (const url of embeddedWorkerCandidates(entry, moduleUrl)) {
    try {
      if (existsSync(fileURLToPath(url))) return url;
    } catch {
      // not a file URL on this platform: try the next
    }
  }
  return null;
}
