import yauzl from "yauzl";

export interface ZipEntryInfo {
  name: string;
  method: number;
  size: number;
  /** The CRC-32 the central directory gives. */
  crc32: number;
}

/** Lists entries with yauzl, a reader independent of the writer. */
export function listZip(path: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: ZipEntryInfo[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        entries.push({ name: entry.fileName, method: entry.compressionMethod, size: entry.uncompressedSize, crc32: entry.crc32 });
        zip.readEntry();
      });
      zip.on("end", () => resolve(entries));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}
