import type { DuckDBConnection } from "../db/duckdb.ts";
import { queryNumber } from "../db/query-number.ts";
import { withTempTable } from "../db/temp-table.ts";
import type { ToolId } from "../shared/sources.ts";
import goRowsSql from "./go-rows.sql" with { type: "text" };

/**
 * Living beside the Go importer. Its rows carry no key of ours, so a response both tools imported would count twice.
 * Each of its rows has the time of the session-file line it came from: the parsers note the times of the lines whose
 * usage a file counts (`ParsedFile.goFootprint`), and an import removes Go's rows of the same service at those
 * times, in its transaction, before adding ours. Go's rows of files we do not read (gone, or outside the range) stay.
 */
export interface GoRows {
  logs: number;
  metrics: number;
}

const TRANSCRIPT = "event_name(LogAttributes) = 'transcript.message'";

/** The kinds of Go's rows we write, each with the kind of line times it is matched at (`transcript`). */
const KINDS = [
  { key: "metrics", table: "otel_metrics", attributes: "Attributes", kind: "(MetricName LIKE '%.token.usage%' OR MetricName LIKE '%.cost.usage%')", transcript: false },
  { key: "logs", table: "otel_logs", attributes: "LogAttributes", kind: `coalesce(${TRANSCRIPT}, false) = false`, transcript: false },
  { key: "logs", table: "otel_logs", attributes: "LogAttributes", kind: TRANSCRIPT, transcript: true },
  // The activity metrics we make with transcripts (sources/claude/activity.ts).
  {
    key: "metrics",
    table: "otel_metrics",
    attributes: "Attributes",
    kind: "MetricName IN ('claude_code.pull_request.count', 'claude_code.active_time.total', 'claude_code.session.count', 'claude_code.lines_of_code.count', 'claude_code.commit.count')",
    transcript: true,
  },
] as const;

/** The `import_source` values of the Go importer's rows (its full import, and its `watch`). */
export const GO_IMPORT_SOURCES = "('local_jsonl', 'file_watcher')";

/**
 * The kind of a row of `table` as the kinds above sort them, as an SQL expression over its columns: false for usage
 * rows, true for transcript rows and activity metrics (matched at transcript lines' times), NULL for rows of no kind.
 */
export function goRowKind(table: "otel_logs" | "otel_metrics"): string {
  const whens = KINDS.filter((kind) => kind.table === table).map((kind) => `WHEN ${kind.kind} THEN ${kind.transcript}`);
  return `(CASE ${whens.join(" ")} END)`;
}

/** Where this run's rows lie: the times of its usage lines and of its transcript lines (microseconds). */
export interface GoFootprints {
  usage: Float64Array;
  transcript: Float64Array;
}

/**
 * Whether the Go importer or its `watch` may have written rows of `tool`: `import_state` names a file of it that our
 * import did not record, or recorded at another time (Go imported it again, or a watcher moved on).
 */
export async function goMayHaveImported(connection: DuckDBConnection, tool: ToolId): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT EXISTS (
       SELECT 1 FROM import_state s
       LEFT JOIN ai_observer_import_files f ON f.tool = s.source AND f.file_path = s.file_path
       WHERE s.source = $tool AND (f.file_path IS NULL OR f.imported_at IS DISTINCT FROM s.imported_at))`,
    { tool },
  );
  return reader.getRows()[0]?.[0] === true;
}

async function eachTable(connection: DuckDBConnection, verb: string, service: string, footprints: GoFootprints): Promise<GoRows> {
  const found: GoRows = { logs: 0, metrics: 0 };
  if (footprints.usage.length + footprints.transcript.length === 0) return found;
  const rows = (function* () {
    for (const us of footprints.usage) yield { us, transcript: false };
    for (const us of footprints.transcript) yield { us, transcript: true };
  })();
  await withTempTable(connection, "go_footprint", { us: "BIGINT", transcript: "BOOLEAN" }, rows, async () => {
    for (const { key, table, attributes, kind, transcript } of KINDS) {
      const sql = goRowsSql
        .replaceAll("{{verb}}", verb)
        .replaceAll("{{table}}", table)
        .replaceAll("{{attributes}}", attributes)
        .replaceAll("{{kind}}", kind)
        .replaceAll("{{go_sources}}", GO_IMPORT_SOURCES)
        .replaceAll("{{transcript}}", String(transcript));
      found[key] += await queryNumber(connection, sql, { service });
    }
  });
  return found;
}

/** How many of Go's rows of `service` lie at the times of this run's rows of their kind. */
export function countGoRows(connection: DuckDBConnection, service: string, footprints: GoFootprints): Promise<GoRows> {
  return eachTable(connection, "SELECT count(*) FROM", service, footprints);
}

/** Removes them, in the caller's transaction. */
export function deleteGoRows(connection: DuckDBConnection, service: string, footprints: GoFootprints): Promise<GoRows> {
  return eachTable(connection, "DELETE FROM", service, footprints);
}
