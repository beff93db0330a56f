import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { isLake, LAKE_VIEWS_FILE } from "./lake-files.ts";
import { EXPORT_TABLES } from "./tables.ts";

/**
 * What a path given to `query`, `report` or `import --from-export` holds:
 * - `database`: a DuckDB file with AI Observer's tables (ours or the Go server's);
 * - `folder`: an export folder (`traces.parquet`, `logs.parquet`, `metrics.parquet`), also when the path is the
 *   views database inside one;
 * - `zip`: an export ZIP (ours or the Go original's: flat, the three Parquet files at its top);
 * - `lake`: a folder of Hive partitions that `export --layout hive` grows (lake-files.ts), also when the path is its
 *   views database.
 */
type ArchiveKind = "database" | "folder" | "zip" | "lake";

export interface ArchiveLocation {
  kind: ArchiveKind;
  /** Absolute: the database file, the export folder or the ZIP. */
  path: string;
}

function leadingBytes(path: string, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const bytes = Buffer.alloc(length);
    return bytes.subarray(0, readSync(fd, bytes, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The export's Parquet files that `folder` lacks. */
function missingExportFiles(folder: string): string[] {
  return EXPORT_TABLES.map((table) => table.file).filter((file) => !existsSync(join(folder, file)));
}

function exportFolder(folder: string, shown: string): ArchiveLocation {
  const missing = missingExportFiles(folder);
  if (missing.length === EXPORT_TABLES.length) {
    throw new CliError(`not an export folder or lake (no traces.parquet, logs.parquet or metrics.parquet, no partitions in it): ${shown}`);
  }
  if (missing.length > 0) throw new CliError(`incomplete export folder (${missing.join(", ")} missing): ${shown}`);
  return { kind: "folder", path: folder };
}

/**
 * Finds out what `path` (absolute) holds from its kind and first bytes; `shown` is the path as the user gave it, for
 * messages. A DuckDB file is a database unless it lies beside an export's Parquet files and is named as our and the
 * Go original's views databases are (`ai-observer-export-*.duckdb`): then its folder is read, whatever the current
 * folder (its views name the files by relative path).
 */
export function locateArchive(path: string, shown: string): ArchiveLocation {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CliError(`no such file or folder: ${shown}`);
    throw new CliError(`cannot read ${shown}: ${fsReason(error)}`);
  }
  if (stats.isDirectory()) return isLake(path) ? { kind: "lake", path } : exportFolder(path, shown);
  if (!stats.isFile()) throw new CliError(`not a file or folder: ${shown}`);
  let head: Buffer;
  try {
    head = leadingBytes(path, 12);
  } catch (error) {
    throw new CliError(`cannot read ${shown}: ${fsReason(error)}`);
  }
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return { kind: "zip", path };
  if (head.length === 12 && head.toString("latin1", 8, 12) === "DUCK") {
    const folder = dirname(path);
    const name = path.slice(folder.length + 1);
    if (name.startsWith("ai-observer-export-") && missingExportFiles(folder).length === 0) return { kind: "folder", path: folder };
    if (name === LAKE_VIEWS_FILE && isLake(folder)) return { kind: "lake", path: folder };
    return { kind: "database", path };
  }
  throw new CliError(`not an AI Observer database, export folder or export ZIP: ${shown}`);
}
