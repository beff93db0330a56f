import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

export interface ZipEntry {
  /** File on disk. */
  path: string;
  /** Name inside the archive; flat, no folders. */
  name: string;
}

/**
 * Streams the files into one archive with the STORE method (Parquet is already ZSTD), in
 * bounded memory. yazl switches to ZIP64 records for entries and archives past 4 GiB. `comment`: the archive's
 * comment (ASCII).
 */
export async function writeZip(zipPath: string, entries: readonly ZipEntry[], comment?: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addFile(entry.path, entry.name, { compress: false });
  zip.end({ forceZip64Format: false, comment: comment ?? "" });
  await pipeline(zip.outputStream, createWriteStream(zipPath));
}
