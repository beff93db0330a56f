import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Staging } from "../src/export/staging.ts";
import { FragmentMemory } from "../src/staging/fragment-memory.ts";
import { removeTree } from "../src/shared/remove-tree.ts";
import { tempDir } from "./helpers/temp.ts";

/** `chattr +i` makes a file that even root cannot remove (ext4 and most Linux file systems; not tmpfs or overlayfs). */
function makeImmutable(path: string): boolean {
  return Bun.which("chattr") !== null && Bun.spawnSync(["chattr", "+i", path], { stderr: "pipe" }).exitCode === 0;
}

function makeMutable(path: string): void {
  Bun.spawnSync(["chattr", "-i", path], { stderr: "pipe" });
}

describe("removeTree", () => {
  test("removes a folder with nested folders and files; a missing path is no error", () => {
    const root = join(tempDir(), "tree");
    mkdirSync(join(root, "a", "b", "c"), { recursive: true });
    writeFileSync(join(root, "a", "one.parquet"), "1");
    writeFileSync(join(root, "a", "b", "c", "two.duckdb"), "2");
    writeFileSync(join(root, "top"), "");
    removeTree(root);
    expect(existsSync(root)).toBe(false);
    expect(() => removeTree(root)).not.toThrow();
    const file = join(tempDir(), "plain-file");
    writeFileSync(file, "x");
    removeTree(file);
    expect(existsSync(file)).toBe(false);
  });

  test("a symbolic link inside is removed, never followed", () => {
    const outside = tempDir("outside-");
    writeFileSync(join(outside, "keep.txt"), "keep");
    const root = join(tempDir(), "tree");
    mkdirSync(root);
    symlinkSync(outside, join(root, "link-to-folder"));
    symlinkSync(join(outside, "keep.txt"), join(root, "link-to-file"));
    removeTree(root);
    expect(existsSync(root)).toBe(false);
    expect(readdirSync(outside)).toEqual(["keep.txt"]);
  });
});

const immutableProbe = join(tempDir("probe-"), "f");
writeFileSync(immutableProbe, "");
const canPin = makeImmutable(immutableProbe);
makeMutable(immutableProbe);
if (!canPin) console.log("staging cleanup failure test skipped: `chattr +i` is not available or not permitted here (needs root on ext4 or similar)");

describe("Staging", () => {
  test("discard removes the staging folder and the lock, and an output folder it made that stayed empty", async () => {
    const output = join(tempDir(), "new-output");
    const staging = await Staging.create(output);
    writeFileSync(staging.file("logs.parquet"), "x");
    expect(readdirSync(output).sort()).toEqual([".ai-observer.lock", staging.dir.slice(output.length + 1)].sort());
    expect(staging.discard()).toBeNull();
    expect(existsSync(output)).toBe(false);
  });

  test.if(canPin)("a staging folder that cannot be removed: the lock is released all the same, and the failure is reported with its path", async () => {
    const output = tempDir();
    const staging = await Staging.create(output);
    const pinned = staging.file("traces.parquet");
    writeFileSync(pinned, "x");
    expect(makeImmutable(pinned)).toBe(true);
    try {
      const problem = staging.discard();
      expect(problem).toBe(`the temporary folder ${staging.dir} could not be removed (permission denied); the next export into ${output} removes it`);
      expect(existsSync(join(output, ".ai-observer.lock"))).toBe(false);
      // The next export into the folder is not blocked: it takes the lock at once.
      const next = await Staging.create(output, 0);
      expect(next.discard()).toBeNull();
    } finally {
      makeMutable(pinned);
    }
    removeTree(staging.dir);
  });
});

describe("FragmentMemory", () => {
  test("gives the smallest buffer large enough, keeps at most its bound (the largest first), and lets go of what it gave", () => {
    const memory = new FragmentMemory(100);
    memory.give([new ArrayBuffer(40), new ArrayBuffer(10), new ArrayBuffer(0), new ArrayBuffer(500), new ArrayBuffer(30)]);
    expect(memory.heldBytes).toBe(80);
    expect(memory.take(20)?.byteLength).toBe(30);
    expect(memory.take(41)).toBeUndefined();
    memory.give([new ArrayBuffer(60), new ArrayBuffer(50)]);
    // 40 + 10 + 60 + 50 = 160 > 100: the smallest go until it fits (10, 40, then 50).
    expect(memory.heldBytes).toBe(60);
    expect(memory.take(1)?.byteLength).toBe(60);
    expect(memory.take(1)).toBeUndefined();
    expect(memory.heldBytes).toBe(0);
  });

  test("a thread that made a fragment larger than its bound keeps up to that much, at most MAX_LARGE_BYTES", () => {
    const memory = new FragmentMemory(100);
    memory.give([new ArrayBuffer(300)]);
    expect(memory.heldBytes).toBe(0); // past the bound, and no fragment that large was made here
    expect(memory.take(250)).toBeUndefined(); // a fragment of 250 bytes, made in fresh memory
    memory.give([new ArrayBuffer(250), new ArrayBuffer(60)]);
    expect(memory.heldBytes).toBe(250); // 310 > 250: the smallest goes
    expect(memory.take(200)?.byteLength).toBe(250);
    const capped = new FragmentMemory(16 << 20);
    expect(capped.take(100 << 20)).toBeUndefined();
    capped.give([new ArrayBuffer(48 << 20), new ArrayBuffer(30 << 20)]);
    expect(FragmentMemory.MAX_LARGE_BYTES).toBe(32 << 20);
    expect(capped.heldBytes).toBe(30 << 20);
  });

  test("gives no buffer more than twice the size asked for (and 64 KB): a small fragment would pin all of it", () => {
    const memory = new FragmentMemory(16 << 20);
    memory.give([new ArrayBuffer(4 << 20)]);
    expect(memory.take(100 << 10)).toBeUndefined();
    expect(memory.take((2 << 20) - (32 << 10))?.byteLength).toBe(4 << 20);
    memory.give([new ArrayBuffer(200 << 10)]);
    expect(memory.take(68 << 10)?.byteLength).toBe(200 << 10);
  });
});
