import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync, statfsSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeZip } from "../../src/export/zip.ts";
import { tempDir } from "../helpers/temp.ts";
import { listZip } from "../helpers/zip-read.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

const BIG = 4 * 1024 ** 3 + 300 * 1024 ** 2; // past the 4 GiB limit of plain ZIP
const dir = tempDir("zip64-");
const { bavail, bsize } = statfsSync(dir);
const freeBytes = bavail * bsize;
const enoughDisk = freeBytes > BIG * 2;
if (!enoughDisk) console.log(`zip64 test skipped: needs ${(BIG * 2) / 1e9} GB free in ${dir}, has ${(freeBytes / 1e9).toFixed(1)} GB`);

describe("ZIP64", () => {
  test.if(enoughDisk)("an archive past 4 GiB is valid, with entries after the 4 GiB mark readable", async () => {
    const small = join(dir, "small.bin");
    const big = join(dir, "big.bin");
    writeFileSync(small, "small entry");
    writeFileSync(big, "");
    truncateSync(big, BIG); // sparse: costs no disk to read
    const zip = join(dir, "big.zip");
    try {
      await writeZip(zip, [
        { path: small, name: "first.bin" },
        { path: big, name: "big.bin" },
        { path: small, name: "after-4gib.bin" },
      ]);
      const entries = (await listZip(zip)).map(({ name, method, size }) => ({ name, method, size }));
      expect(entries).toEqual([
        { name: "first.bin", method: 0, size: 11 },
        { name: "big.bin", method: 0, size: BIG },
        { name: "after-4gib.bin", method: 0, size: 11 },
      ]);
      const check = Bun.spawnSync(["unzip", "-p", zip, "after-4gib.bin"]);
      expect(check.stdout.toString()).toBe("small entry");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
