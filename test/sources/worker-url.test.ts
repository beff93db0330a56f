import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { embeddedWorkerCandidates, isEmbeddedUrl, workerUrl } from "../../src/sources/worker-url.ts";

// import.meta.url of a compiled executable's entry, as each platform's Bun spells it (Windows: seen under Wine).
const LINUX_MAC = "file:///$bunfs/root/ai-observer-linux-x64";
const WINDOWS = "file:///B:/%7EBUN/root/ai-observer-windows-x64.exe";

describe("worker entry points", () => {
  test("the embedded file system is recognised on every platform, including Windows' percent-encoded ~", () => {
    expect(isEmbeddedUrl(LINUX_MAC)).toBe(true);
    expect(isEmbeddedUrl(WINDOWS)).toBe(true);
    expect(isEmbeddedUrl("file:///B:/~BUN/root/ai-observer.exe")).toBe(true);
    expect(isEmbeddedUrl(import.meta.url)).toBe(false);
    expect(isEmbeddedUrl("file:///home/me/%7EBUN/root/x.js")).toBe(false);
  });

  test("in an executable, the workers are looked for beside the entry, where the build puts them", () => {
    expect(embeddedWorkerCandidates("staging/parse-worker", WINDOWS)[0]).toBe("file:///B:/%7EBUN/root/staging/parse-worker.js");
    expect(embeddedWorkerCandidates("staging/scan-worker", LINUX_MAC)[0]).toBe("file:///$bunfs/root/staging/scan-worker.js");
  });

  test("from source, the worker is the .ts file beside the module; in an executable without it, null", () => {
    for (const entry of ["staging/parse-worker", "staging/scan-worker"]) {
      const url = workerUrl(entry) as string;
      expect(url.endsWith(`/src/${entry}.ts`)).toBe(true);
      expect(existsSync(fileURLToPath(url))).toBe(true);
      expect(workerUrl(entry, LINUX_MAC)).toBeNull();
    }
  });
});
