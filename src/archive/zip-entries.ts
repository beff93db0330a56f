import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { EXPORT_TABLES } from "./tables.ts";

/**
 * Copies an export ZIP's Parquet entries (`traces.parquet`, `logs.parquet`, `metrics.parquet`, at its top) into
 * `into`, through yauzl, a reader independent of the writer. Returns the names found; other entries are skipped.
 */
export async function extractParquetEntries(zipPath: string, into: string): Promise<Set<string>> {
  const wanted = new Set(EXPORT_TABLES.map((table) => table.file));
  const found = new Set<string>();
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (error, file) => (error || !file ? reject(error) : resolve(file))),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      if (!wanted.has(entry.fileName) || found.has(entry.fileName)) return zip.readEntry();
      found.add(entry.fileName);
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error);
        pipeline(stream, createWriteStream(join(into, entry.fileName))).then(() => zip.readEntry(), reject);
      });
    });
    zip.readEntry();
  });
  return found;
}
