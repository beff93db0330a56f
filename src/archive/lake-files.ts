import { readdirSync, rmdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DayRange } from "../shared/dates.ts";
import { EXPORT_TABLES, type TableKey } from "./tables.ts";

/**
 * The partitioned lake that `export --layout hive` grows: per table a folder of Hive partitions,
 * `<table>/service=<ServiceName>/date=<YYYY-MM-DD>/<file>.parquet`, each file with the table's columns (the partition
 * values are in the path only), and a views database beside them (LAKE_VIEWS_FILE).
 */
export const LAKE_VIEWS_FILE = "ai-observer-lake.duckdb";

export interface PartitionFile {
  table: TableKey;
  service: string;
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  /** Relative to the lake's folder, with `/`. */
  name: string;
}

/** A partition folder's value as DuckDB writes it (characters a path cannot hold are %-escaped). */
function partitionValue(folder: string, key: string): string | null {
  if (!folder.startsWith(`${key}=`)) return null;
  const raw = folder.slice(key.length + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function entries(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** The partition files under `root` (a lake, or the lake a run wrote into its staging folder). */
export function partitionFiles(root: string): PartitionFile[] {
  const files: PartitionFile[] = [];
  for (const table of EXPORT_TABLES) {
    for (const serviceFolder of entries(join(root, table.key))) {
      const service = partitionValue(serviceFolder, "service");
      if (service === null) continue;
      for (const dateFolder of entries(join(root, table.key, serviceFolder))) {
        const date = partitionValue(dateFolder, "date");
        if (date === null) continue;
        for (const file of entries(join(root, table.key, serviceFolder, dateFolder))) {
          if (file.endsWith(".parquet")) files.push({ table: table.key, service, date, name: `${table.key}/${serviceFolder}/${dateFolder}/${file}` });
        }
      }
    }
  }
  return files;
}

/** The files an export of `range` and `serviceName` (null: every service) covers: it replaces or removes them. */
export function coveredFiles(files: readonly PartitionFile[], range: DayRange, serviceName: string | null): PartitionFile[] {
  return files.filter(
    (file) => (serviceName === null || file.service === serviceName) && (range.from === undefined || file.date >= range.from) && (range.to === undefined || file.date <= range.to),
  );
}

/** Whether a folder looks like such a lake: a table folder holding a `service=` partition. */
export function isLake(folder: string): boolean {
  return EXPORT_TABLES.some((table) => entries(join(folder, table.key)).some((name) => name.startsWith("service=")));
}

/** After files were removed from the lake: their partition folders, and service folders, that are empty now (best effort). */
export function removeEmptyPartitionFolders(lakeDir: string, removed: readonly string[]): void {
  for (const name of removed) {
    for (let folder = dirname(join(lakeDir, name)), depth = 0; depth < 2; folder = dirname(folder), depth++) {
      try {
        rmdirSync(folder);
      } catch {
        break; // not empty, or gone
      }
    }
  }
}
