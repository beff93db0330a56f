import { existsSync } from "node:fs";
import type { DatabaseLocation } from "../db/locate.ts";
import { openMemoryDatabase, openOrCreateDatabase, type OpenDatabase } from "../db/open.ts";

/** The database an import writes into, created when missing; a dry run against a database that does not exist yet plans against an empty one in memory. */
export async function openForImport(location: DatabaseLocation, dryRun: boolean, threads: number | null): Promise<OpenDatabase> {
  if (!dryRun || existsSync(location.path)) return openOrCreateDatabase(location.path, threads);
  return openMemoryDatabase(location.path, threads);
}
