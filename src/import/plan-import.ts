import type { DayRange } from "../shared/dates.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import type { DuckDBMemory } from "../db/duckdb-memory.ts";
import { microsTest } from "../db/row-filter.ts";
import { SERVICE_NAMES, type ToolId } from "../shared/sources.ts";
import type { DiscoveredTool, FileFailure, ParseProgress, ParseRun } from "../staging/parse-run.ts";
import { outranksCopy } from "../sources/shared/merge.ts";
import { madeWithTranscripts } from "../sources/shared/made-with-transcripts.ts";
import type { DiscoveredFile } from "../sources/types.ts";
import { addUnknownUsage, noUnknownUsage, type UnknownUsage } from "../sources/unknown-usage.ts";
import type { FileSummary } from "../staging/staged-file.ts";
import { ChosenEvents, rowTotals } from "../staging/chosen-events.ts";
import { KeyFile } from "../staging/key-file.ts";
import { PlannedEvents } from "./planned-events.ts";
import type { StagedRows } from "../staging/staged-rows.ts";
import { classifyFiles, type ReaderVersions, readerVersions, type RecordedFiles } from "./file-state.ts";
import { countGoRows, type GoFootprints, type GoRows, goMayHaveImported } from "./go-rows.ts";
import { eventsNoLongerMade, type StoredCopy, type StoredEvent, storedCopies } from "./stored-events.ts";

export interface FileCounts {
  total: number;
  new: number;
  modified: number;
  unchanged: number;
  /** Unchanged files read again because of `--force`. */
  forced: number;
  /** Unchanged files read again because an older parser version read them (their rows are repaired). */
  outdated: number;
  /** Unchanged files read again because another price table left some of their events unpriced. */
  repricing: number;
  /** Unchanged files read again for the transcripts this run makes (they were read without). */
  transcripts: number;
}

export interface ToolPlan {
  tool: ToolId;
  /** The parser version and price table that read the files (recorded with them). */
  versions: ReaderVersions;
  files: FileCounts;
  failed: FileFailure[];
  /** Size and mtime of each file read, as discovered before reading. */
  discovered: Map<string, DiscoveredFile>;
  /** Files read with no event outside the range: they count as fully imported (others are read again next time). */
  complete: FileSummary[];
  /** New keys, and keys whose stored copy this run's copy outranks. */
  events: PlannedEvents;
  /** Stored events that an older parser version made from a file read again, and that this version does not make: removed. */
  obsolete: StoredEvent[];
  /** Events already imported as they are (or better). */
  alreadyImported: number;
  outsideRange: number;
  badLines: number;
  unknownUsage: UnknownUsage;
  unpricedModels: string[];
  rows: { logs: number; metrics: number };
  /** Rows the Go importer wrote for usage this run counts (removed when applied; see go-rows.ts), and where they lie. */
  goRows: GoRows & { footprint: GoFootprints };
}

/** What the choice against a stored copy looks at of this run's copy. */
interface Candidate {
  rank: number;
  timestamp: string;
  unpriced: boolean;
}

/** Whether a stored copy stays: this run's copy does not outrank it (merge.ts); with `force`, only a higher rank keeps it. */
function storedWins(stored: StoredCopy, candidate: Candidate, force: boolean): boolean {
  return force ? stored.rank > candidate.rank : !outranksCopy(candidate.rank, candidate.timestamp, stored.rank, stored.timestamp);
}

/** The stored copy, left without cost rows by an older price table, made again with them: prices never rewrite a cost. */
function nowPriced(stored: StoredCopy, candidate: Candidate): boolean {
  return stored.unpriced && !candidate.unpriced && stored.rank === candidate.rank && stored.timestamp === candidate.timestamp;
}

/** A tool's files read for an import (readTool), before the database is asked about their events (planTool). */
export interface ReadTool {
  found: DiscoveredTool;
  versions: ReaderVersions;
  files: FileCounts;
  toRead: DiscoveredFile[];
  /** Files read again because an older parser version read them. */
  outdated: Set<string>;
  /** Every key the files read again for repair make, in the time range or not. */
  remade: Set<string>;
  /** The best copy read of each event in the range, its tag the file it came from (`readPaths`). */
  chosen: ChosenEvents;
  readPaths: string[];
  complete: FileSummary[];
  failed: FileFailure[];
  outsideRange: number;
  badLines: number;
  unknownUsage: UnknownUsage;
  /** Where the usage lies that the Go importer may have imported too (go-rows.ts); null when it imported none of the tool's. */
  footprints: { usage: Set<number>; transcript: Set<number> } | null;
}

/**
 * Reads the new and changed files of one tool, staging their rows in `rows` and keeping the best copy of each event in
 * the range (their keys in the run's scratch folder). Reads the database only to learn whether the Go importer
 * imported the tool's usage.
 */
export async function readTool(
  connection: DuckDBConnection,
  found: DiscoveredTool,
  recorded: RecordedFiles,
  rows: StagedRows,
  run: ParseRun,
  options: { range: DayRange; force: boolean; transcripts: boolean; progress?: ParseProgress; signal?: AbortSignal },
): Promise<ReadTool> {
  const versions = readerVersions(found.source, options.transcripts);
  const classified = classifyFiles(found.files, recorded[found.tool], versions);
  const files: FileCounts = { total: classified.length, new: 0, modified: 0, unchanged: 0, forced: 0, outdated: 0, repricing: 0, transcripts: 0 };
  for (const entry of classified) files[entry.status]++;
  const toRead = classified.filter((entry) => entry.status !== "unchanged" || options.force).map((entry) => entry.file);
  if (options.force) files.forced = files.unchanged;
  const outdated = new Set(classified.filter((entry) => entry.status === "outdated").map((entry) => entry.file.path));
  const remade = new Set<string>();
  // The keys go to the run's scratch folder: the bookkeeping and the lookup of stored copies read them back.
  const chosen = new ChosenEvents(new KeyFile(rows.scratchFile(`keys-${found.tool}`)));
  const readPaths: string[] = [];
  const complete: FileSummary[] = [];
  const microsInRange = microsTest(options.range) ?? (() => true);
  const read = { outsideRange: 0, badLines: 0 };
  const unknownUsage = noUnknownUsage();
  const footprints = (await goMayHaveImported(connection, found.tool)) ? { usage: new Set<number>(), transcript: new Set<number>() } : null;
  const failed = await run.stage(
    found.source,
    toRead,
    rows,
    ({ file, events }) => {
      read.badLines += file.badLines;
      addUnknownUsage(unknownUsage, file);
      if (footprints && file.goFootprint) {
        for (const micros of file.goFootprint.usage) if (microsInRange(micros)) footprints.usage.add(micros);
        for (const micros of file.goFootprint.transcript) if (microsInRange(micros)) footprints.transcript.add(micros);
        delete file.goFootprint;
      }
      let outside = false;
      const repairing = outdated.has(file.path);
      const tag = readPaths.push(file.path) - 1;
      for (let e = 0; e < events.count; e++) {
        if (repairing) remade.add(events.key(e));
        if (!microsInRange(events.micros(e))) {
          read.outsideRange++;
          outside = true;
          continue;
        }
        chosen.offer(events, e, tag);
      }
      if (!outside) complete.push(file);
    },
    { progress: options.progress, signal: options.signal, footprints: footprints !== null, transcripts: options.transcripts },
  );
  return { found, versions, files, toRead, outdated, remade, chosen, readPaths, complete, failed, ...read, unknownUsage, footprints };
}

/**
 * Decides, for a tool's files read (readTool), against what was imported before, which events to add or replace.
 * Reads the database (in the caller's transaction, under `memory`'s bound), writes nothing to it. Holds the events'
 * keys and ranks, not their rows.
 */
export async function planTool(memory: DuckDBMemory, read: ReadTool, rows: StagedRows, options: { force: boolean; transcripts: boolean }): Promise<ToolPlan> {
  const { found, chosen, readPaths, outdated } = read;
  const { connection } = memory;
  const stored = await storedCopies(memory, found.tool, chosen, rows.scratchFile(`keys-${found.tool}.parquet`));
  const events = new PlannedEvents(chosen, readPaths);
  let alreadyImported = 0;
  for (let row = 0; row < chosen.size; row++) {
    const previous = stored.get(row) ?? null;
    if (previous === null) {
      events.add(row, "new", null);
      continue;
    }
    const repairing = outdated.has(readPaths[chosen.tag(row)] as string);
    const candidate = { rank: chosen.rank(row), timestamp: chosen.timestamp(row), unpriced: chosen.unpriced(row) };
    if (storedWins(previous, candidate, options.force || repairing) && !nowPriced(previous, candidate)) {
      alreadyImported++;
      continue;
    }
    const reason = !storedWins(previous, candidate, false) ? "update" : options.force ? "forced" : repairing ? "repaired" : "priced";
    events.add(row, reason, previous);
  }
  // Transcript rows stored by an earlier run with transcripts stay when this one makes none.
  const obsolete = (outdated.size > 0 ? await eventsNoLongerMade(connection, found.tool, outdated, read.remade) : []).filter(
    (event) => options.transcripts || !madeWithTranscripts(event.key),
  );
  const footprint = { usage: Float64Array.from(read.footprints?.usage ?? []), transcript: Float64Array.from(read.footprints?.transcript ?? []) };
  const goRows = { ...(await countGoRows(connection, SERVICE_NAMES[found.tool], footprint)), footprint };
  return {
    tool: found.tool,
    versions: read.versions,
    files: read.files,
    failed: [...found.failed, ...read.failed],
    discovered: new Map(read.toRead.map((file) => [file.path, file])),
    complete: read.complete,
    events,
    obsolete,
    alreadyImported,
    outsideRange: read.outsideRange,
    badLines: read.badLines,
    unknownUsage: read.unknownUsage,
    unpricedModels: events.unpricedModels(),
    rows: rowTotals(events),
    goRows,
  };
}

/** The plan of a tool none of whose files changed since they were imported. */
export function unchangedPlan(found: DiscoveredTool, transcripts: boolean): ToolPlan {
  const total = found.files.length;
  return {
    tool: found.tool,
    versions: readerVersions(found.source, transcripts),
    files: { total, new: 0, modified: 0, unchanged: total, forced: 0, outdated: 0, repricing: 0, transcripts: 0 },
    failed: found.failed,
    discovered: new Map(),
    complete: [],
    events: PlannedEvents.none(),
    obsolete: [],
    alreadyImported: 0,
    outsideRange: 0,
    badLines: 0,
    unknownUsage: noUnknownUsage(),
    unpricedModels: [],
    rows: { logs: 0, metrics: 0 },
    goRows: { logs: 0, metrics: 0, footprint: { usage: new Float64Array(), transcript: new Float64Array() } },
  };
}
