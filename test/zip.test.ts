import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeZip } from "../src/export/zip.ts";
import { tempDir } from "./helpers/temp.ts";
import { listZip } from "./helpers/zip-read.ts";

/** CRC-32 (IEEE, as ZIP has it), bit by bit: independent of the writer's (Bun's native one). */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("writeZip", () => {
  test("each entry's CRC-32 is its data's, also for files read in many chunks; unzip -t agrees", async () => {
    const dir = tempDir("zip-");
    let seed = 5;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed & 0xff;
    };
    const files = [
      { name: "empty.bin", bytes: new Uint8Array(0) },
      { name: "small.bin", bytes: Uint8Array.from({ length: 1000 }, random) },
      { name: "large.bin", bytes: Uint8Array.from({ length: (3 << 20) + 17 }, random) }, // dozens of stream chunks
    ];
    for (const file of files) writeFileSync(join(dir, file.name), file.bytes);
    const zip = join(dir, "out.zip");
    await writeZip(zip, files.map((file) => ({ path: join(dir, file.name), name: file.name })));
    const entries = await listZip(zip);
    expect(entries.map((entry) => [entry.name, entry.size, entry.crc32])).toEqual(files.map((file) => [file.name, file.bytes.length, referenceCrc32(file.bytes)]));
    expect(Bun.spawnSync(["unzip", "-tq", zip]).exitCode).toBe(0);
    expect(readFileSync(zip).length).toBeGreaterThan(files[2]?.bytes.length ?? 0);
  });

  test("ZIP64 records for every entry and the directory (forced here; past 4 GiB they come by themselves: test/slow/zip64.slow.ts), and the archive's comment", async () => {
    const dir = tempDir("zip64-records-");
    const files = [
      { name: "a.parquet", bytes: Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff) },
      { name: "b.duckdb", bytes: Buffer.from("b") },
    ];
    for (const file of files) writeFileSync(join(dir, file.name), file.bytes);
    const zip = join(dir, "forced.zip");
    const comment = "rows of this archive were deleted from the database";
    await writeZip(zip, files.map((file) => ({ path: join(dir, file.name), name: file.name })), comment, true);
    const bytes = readFileSync(zip);
    expect([0x06064b50, 0x07064b50].map((signature) => bytes.indexOf(Buffer.from(new Uint32Array([signature]).buffer)) > 0)).toEqual([true, true]);
    expect((await listZip(zip)).map((entry) => [entry.name, entry.size, entry.crc32])).toEqual(files.map((file) => [file.name, file.bytes.length, referenceCrc32(file.bytes)]));
    expect(Bun.spawnSync(["unzip", "-tq", zip]).exitCode).toBe(0);
    expect(Bun.spawnSync(["unzip", "-z", zip]).stdout.toString()).toContain(comment);
    for (const file of files) expect(Buffer.from(Bun.spawnSync(["unzip", "-p", zip, file.name]).stdout).equals(Buffer.from(file.bytes))).toBe(true);
  });
});
