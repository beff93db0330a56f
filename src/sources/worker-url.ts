import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The URL of a worker entry point of `src/sources/` (`name`: its file name without `.ts`). From source: next to
 * this module. In a compiled executable (`bun build --compile`), `import.meta.url` is the executable's entry inside
 * its embedded file system (`/$bunfs/root/…`, `B:/~BUN/root/…`) and the worker is there only when the build listed
 * `src/sources/<name>.ts` as an entry point, at its path relative to the entry points' common folder (`sources/`
 * when the entries are `src/cli.ts` and it). `null`: absent.
 */
export function workerUrl(name: string): string | null {
  const here = import.meta.url;
  if (!here.includes("/$bunfs/") && !here.includes("/~BUN/")) return new URL(`./${name}.ts`, here).href;
  for (const path of [`sources/${name}.js`, `src/sources/${name}.js`, `${name}.js`]) {
    const url = new URL(path, new URL(".", here));
    try {
      if (existsSync(fileURLToPath(url))) return url.href;
    } catch {
      // not a file URL on this platform: try the next
    }
  }
  return null;
}
