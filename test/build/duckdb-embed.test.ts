import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, materialize, prepareFolder } from "../../scripts/duckdb-embed/loader.ts";
import { renderLoaderModule } from "../../scripts/duckdb-embed/loader-template.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

function tempDir(): string {
  const base = process.env.AI_OBSERVER_TEST_TMP as string;
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, "embed-"));
}

describe("cache folder", () => {
  test("follows each OS's convention, and AI_OBSERVER_CACHE_DIR overrides it", () => {
    expect(cacheRoot({}, "linux", "/home/u")).toBe("/home/u/.cache/ai-observer");
    expect(cacheRoot({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/ai-observer");
    expect(cacheRoot({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/ai-observer");
    expect(cacheRoot({ LOCALAPPDATA: "/appdata" }, "win32", "/u")).toBe(join("/appdata", "ai-observer", "Cache"));
    expect(cacheRoot({ AI_OBSERVER_CACHE_DIR: "/custom" }, "darwin", "/Users/u")).toBe("/custom");
  });

  test("prepareFolder creates the keyed folder", () => {
    const root = tempDir();
    const folder = prepareFolder("duckdb-1.0.0-linux-x64-abc", root);
    expect(folder).toBe(join(root, "duckdb-1.0.0-linux-x64-abc"));
    expect(statSync(folder).isDirectory()).toBe(true);
  });
});

describe("materialize", () => {
  test("copies once, leaves no temporary file, and keeps a complete file", () => {
    const dir = tempDir();
    const source = join(dir, "source.bin");
    const target = join(dir, "target.bin");
    writeFileSync(source, Buffer.alloc(1000, 7));
    expect(materialize(source, target, 1000)).toBe(true);
    expect(readFileSync(target).equals(Buffer.alloc(1000, 7))).toBe(true);
    const mtime = statSync(target).mtimeMs;
    // A second run finds the complete file and does not touch it, even if the source changed.
    writeFileSync(source, Buffer.alloc(1000, 9));
    expect(materialize(source, target, 1000)).toBe(false);
    expect(statSync(target).mtimeMs).toBe(mtime);
    expect(readdirSync(dir).sort()).toEqual(["source.bin", "target.bin"]);
  });

  test("writes a zstd-compressed asset out decompressed, checked against its decompressed size", () => {
    const dir = tempDir();
    const source = join(dir, "library.so.zst");
    const target = join(dir, "library.so");
    const library = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    writeFileSync(source, Bun.zstdCompressSync(library, { level: 9 }));
    expect(materialize(source, target, library.length, true)).toBe(true);
    expect(readFileSync(target).equals(library)).toBe(true);
    expect(() => materialize(source, join(dir, "other.so"), library.length + 1, true)).toThrow(/expected 5001/);
    expect(existsSync(join(dir, "other.so"))).toBe(false);
  });

  test("replaces a truncated file", () => {
    const dir = tempDir();
    const source = join(dir, "source.bin");
    const target = join(dir, "target.bin");
    writeFileSync(source, Buffer.alloc(1000, 7));
    writeFileSync(target, Buffer.alloc(10, 7));
    materialize(source, target, 1000);
    expect(statSync(target).size).toBe(1000);
  });

  test("refuses an embedded file of the wrong size", () => {
    const dir = tempDir();
    const source = join(dir, "source.bin");
    writeFileSync(source, Buffer.alloc(10));
    expect(() => materialize(source, join(dir, "target.bin"), 11)).toThrow(/expected 11/);
    expect(existsSync(join(dir, "target.bin"))).toBe(false);
  });

  test("concurrent first runs all end with the complete file", async () => {
    const dir = tempDir();
    const source = join(dir, "source.bin");
    const target = join(dir, "target.bin");
    const size = 8 * 1024 * 1024;
    writeFileSync(source, Buffer.alloc(size, 3));
    const script = `import { materialize } from ${JSON.stringify(join(import.meta.dir, "../../scripts/duckdb-embed/loader.ts"))};
materialize(${JSON.stringify(source)}, ${JSON.stringify(target)}, ${size});`;
    const runner = join(dir, "run.ts");
    writeFileSync(runner, script);
    const children = Array.from({ length: 4 }, () => Bun.spawn([process.execPath, runner], { stdout: "ignore", stderr: "pipe" }));
    const codes = await Promise.all(children.map((child) => child.exited));
    const errors = await Promise.all(children.map((child) => new Response(child.stderr).text()));
    // Compared together, so that a failure shows what each process said.
    expect({ codes, errors }).toEqual({ codes: [0, 0, 0, 0], errors: ["", "", "", ""] });
    expect(statSync(target).size).toBe(size);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("virtual module", () => {
  test("embeds both files with type file and loads them through the loader", () => {
    const source = renderLoaderModule(
      {
        addonPath: "/cache/linux-x64/duckdb.node",
        addonSize: 10,
        libraryPath: "/cache/linux-x64/libduckdb.so",
        libraryName: "libduckdb.so",
        librarySize: 20,
        cacheKey: "duckdb-1.5.6-r.1-linux-x64-0123456789ab",
      },
      "/repo/scripts/duckdb-embed/loader.ts",
    );
    expect(source).toContain('import addonFile from "/cache/linux-x64/duckdb.node" with { type: "file" };');
    expect(source).toContain('import libraryFile from "/cache/linux-x64/libduckdb.so" with { type: "file" };');
    expect(source).toContain('import { loadEmbeddedBinding } from "/repo/scripts/duckdb-embed/loader.ts";');
    expect(source).toContain('cacheKey: "duckdb-1.5.6-r.1-linux-x64-0123456789ab"');
    expect(source).toContain('library: { path: libraryFile, name: "libduckdb.so", size: 20 }');
    expect(source).toContain("export default binding;");
  });

  test("a zstd-compressed library is marked so, with its size decompressed", () => {
    const source = renderLoaderModule({
      addonPath: "/cache/linux-x64/duckdb.node",
      addonSize: 10,
      libraryPath: "/cache/linux-x64/libduckdb.so.zst",
      libraryZstd: true,
      libraryName: "libduckdb.so",
      librarySize: 20,
      cacheKey: "k",
    });
    expect(source).toContain('import libraryFile from "/cache/linux-x64/libduckdb.so.zst" with { type: "file" };');
    expect(source).toContain('library: { path: libraryFile, name: "libduckdb.so", size: 20, zstd: true }');
  });

  test("Windows paths are quoted as JSON strings", () => {
    const source = renderLoaderModule({
      addonPath: "C:\\cache\\duckdb.node",
      addonSize: 1,
      libraryPath: "C:\\cache\\duckdb.dll",
      libraryName: "duckdb.dll",
      librarySize: 1,
      cacheKey: "k",
    });
    expect(source).toContain('from "C:\\\\cache\\\\duckdb.node"');
  });
});
