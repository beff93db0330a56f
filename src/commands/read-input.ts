import { locateArchive, type ArchiveLocation } from "../archive/locate-archive.ts";
import { openArchive, type OpenArchive } from "../archive/open-archive.ts";
import { locateDatabase } from "../db/locate.ts";
import { UsageError } from "../shared/errors.ts";
import { absolutePath } from "../shared/paths.ts";

export type OutputFormat = "table" | "csv" | "json";

export interface ReadFlags {
  in?: string;
  db?: string;
  format?: string;
  json?: boolean;
}

/** `--in PATH` (a database, an export folder or its views database, an export ZIP), else the database (`--db`, …). */
function archiveLocation(flags: ReadFlags): { location: ArchiveLocation; shown: string } {
  if (flags.in !== undefined && flags.db !== undefined) throw new UsageError("give --in (an archive or database) or --db, not both");
  if (flags.in === "") throw new UsageError("--in needs a path: a database, an export folder, its views database or an export ZIP");
  if (flags.in !== undefined) return { location: locateArchive(absolutePath(flags.in, "--in"), flags.in), shown: flags.in };
  const database = locateDatabase(flags.db);
  return { location: { kind: "database", path: database.path }, shown: database.path };
}

/** Opens what `query` and `report` read; `threads`: the run's setting. */
export async function openReadInput(flags: ReadFlags, threads: number | null): Promise<OpenArchive> {
  const { location, shown } = archiveLocation(flags);
  return openArchive(location, threads, shown);
}

export function outputFormat(flags: ReadFlags): OutputFormat {
  const format = flags.format?.toLowerCase();
  if (format !== undefined && !["table", "csv", "json"].includes(format)) throw new UsageError(`invalid --format: ${flags.format} (valid: table, csv, json)`);
  if (flags.json && format !== undefined && format !== "json") throw new UsageError(`--json and --format ${flags.format} contradict each other`);
  return flags.json ? "json" : ((format as OutputFormat | undefined) ?? "table");
}
