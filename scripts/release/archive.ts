/**
 * Release archives: `.tar.gz` (system `tar` + gzip) for Linux and macOS, `.zip` (yazl, deflate)
 * for Windows. Entries sit at the archive's top level, owned by root, stamped with `mtime`.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

export interface ArchiveEntry {
  /** Name in the staging folder and inside the archive. */
  name: string;
  executable: boolean;
}

/** Needs GNU tar (the build runs on Linux). */
export async function writeTarGz(outfile: string, stagingDir: string, entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
  const result = Bun.spawnSync(
    [
      "tar",
      "--create",
      "--use-compress-program=gzip -n",
      "--file",
      outfile,
      "--directory",
      stagingDir,
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      `--mtime=@${Math.floor(mtime.getTime() / 1000)}`,
      "--sort=name",
      ...entries.map((entry) => entry.name),
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`tar failed for ${outfile}: ${result.stderr.toString().trim()}`);
}

export async function writeZip(outfile: string, stagingDir: string, entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    zip.addFile(join(stagingDir, entry.name), entry.name, { compress: true, mtime, mode: entry.executable ? 0o100755 : 0o100644 });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outfile));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
