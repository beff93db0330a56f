import { type DuckDBMemory, type ImportSize, isOutOfMemory } from "../db/duckdb-memory.ts";
import type { ToolPlan } from "./plan-import.ts";

/**
 * The most rows an import commits at once into tables that keep their indexes (RunSettings.commitRows,
 * `AI_OBSERVER_COMMIT_ROWS`, overrides). Such a COMMIT appends the rows again in memory with the index nodes their
 * keys change, and its checkpoint writes those: 1 GB of Gemini sessions (3.35 million rows) into a database of 10
 * million metric rows peaked at 723-739 MB in one COMMIT (44-49 s); in parts of at most 1 million rows at 656 MB
 * (80 s), 400,000 at 510 MB (92 s), 300,000 at 476-517 MB (88-102 s), 200,000 at 434-470 MB (97-100 s); 2 GB of
 * Claude sessions with transcripts (579,205 rows) at 558 MB in one, 404 MB in parts of 300,000 (80 s both), 422 MB
 * in parts of 200,000 (111 s). Since each part's rows go to row groups of their own (open.ts, IMPORT_ROW_GROUP_ROWS):
 * the 1 GB into 10 million rows at 447 MB (68 s); 700 MB of Gemini sessions into a database of 3.35 million rows
 * our import had made at 448 MB (62 s) in parts of 200,000, 529 MB (49 s) of 400,000. docs/performance.md, "Imports".
 */
export const COMMIT_ROWS = 200_000;

/** How far an import that commits in parts has come: `committed` parts of `of`, holding `rows` of its `total` rows. */
export interface CommitProgress {
  committed: number;
  of: number;
  rows: number;
  total: number;
}

/** Whether the plans delete stored rows: rows they replace, obsolete events', or the Go importer's of the same usage. */
function deletesRows(plans: readonly ToolPlan[]): boolean {
  return plans.some((plan) => plan.obsolete.length > 0 || plan.goRows.logs + plan.goRows.metrics > 0 || plan.events.replaced().length > 0);
}

/**
 * Whether an import that adds `rowsAdded` rows as `plans` say would commit them in parts, were the tables to keep their
 * indexes in our storage format (commitParts): more rows than `commitRows`, and only added.
 */
export function mayCommitInParts(rowsAdded: number, plans: readonly ToolPlan[], commitRows: number): boolean {
  return rowsAdded > commitRows && !deletesRows(plans);
}

/**
 * In how many transactions an import of `size` commits its rows, each with its events' bookkeeping (at most `commitRows`
 * rows each): one, the whole import or nothing, unless it adds more rows than that, and only adds (`mayBeInParts`:
 * mayCommitInParts), to tables that keep their indexes (`size.indexed`) in our storage format: a part that deleted what
 * a later one replaces could leave usage out between two runs. The files read are recorded with the last part, so a
 * run that fails after some parts reads its files again next time, finds those parts' events stored, and adds the
 * rest. In the older storage format (`size.wholeIndexes`) every COMMIT loads the indexes whole: parts would only repeat
 * that.
 */
export function commitParts(size: ImportSize, mayBeInParts: boolean, commitRows: number): number {
  if (!size.indexed || size.wholeIndexes || !mayBeInParts) return 1;
  return Math.ceil(size.rowsAdded / commitRows);
}

/** How an import commits its work: under DuckDB's bound for the COMMIT, or above it once one ran out of memory. */
export interface Committer {
  /** 0: COMMITs under their bound; 1: under twice it; 2: without one (one ran out of memory at each level below). */
  raised: number;
  /** The database opened again (the old one closed), DuckDB's bound set, no transaction begun. */
  reopen: () => Promise<DuckDBMemory>;
}

/**
 * Does `work` in the transaction open on `memory` and commits it, under the COMMIT's bound for `size`. Should DuckDB
 * run out of memory at the COMMIT, it may not roll back either ("FATAL Error: Failed to rollback transaction"), and the
 * database is as it was before the transaction: it is opened again and `work` done anew and committed under twice the
 * bound, then, should that run out too, without one; every later COMMIT of the run starts at the level that held. A
 * part of 200,000 rows into a database of 3.35 million rows whose indexes our import had made after the rows ran out of
 * 173.5 MiB so (docs/performance.md, "Committing in parts"). Returns what `work` gave and the memory over the database
 * as it now is.
 */
export async function commitWork<T>(first: DuckDBMemory, size: ImportSize, committer: Committer, work: (memory: DuckDBMemory) => Promise<T>): Promise<{ done: T; memory: DuckDBMemory }> {
  let memory = first;
  let done = await work(memory);
  for (;;) {
    try {
      await commitOn(memory, size, committer.raised);
      return { done, memory };
    } catch (error) {
      if (committer.raised >= 2 || !isOutOfMemory(error)) throw error;
    }
    committer.raised++;
    memory = await committer.reopen();
    await memory.connection.run("BEGIN TRANSACTION");
    done = await work(memory);
  }
}

async function commitOn(memory: DuckDBMemory, size: ImportSize, raised: number): Promise<void> {
  if (raised >= 2) await memory.lift();
  else {
    await memory.step("commit", size);
    if (raised === 1) await memory.double();
  }
  await memory.connection.run("COMMIT");
}
