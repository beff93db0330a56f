import { existsSync } from "node:fs";
import type { ArchiveLocation } from "../../archive/locate-archive.ts";
import { type ExportFiles, exportFiles } from "../../archive/open-archive.ts";
import { EXPORT_TABLES, type TableCounts, type TableKey } from "../../archive/tables.ts";
import type { DuckDBConnection } from "../../db/duckdb.ts";
import { DuckDBMemory, type ImportSize, onFewerThreads, telemetryRowCount } from "../../db/duckdb-memory.ts";
import type { DatabaseLocation } from "../../db/locate.ts";
import type { OpenDatabase } from "../../db/open.ts";
import { filterParams, type RowFilter } from "../../db/row-filter.ts";
import { paramsOf, sqlStatements, sqlString, withRowFilter } from "../../db/sql-template.ts";
import { columnList, tableColumns } from "../../db/table-columns.ts";
import type { ColumnSpec } from "../../parquet/column-builder.ts";
import type { TelemetryTable } from "../../db/schema.ts";
import { CliError, errorMessage, firstLine } from "../../shared/errors.ts";
import { onInterrupt } from "../../shared/interrupts.ts";
import type { RunSettings } from "../../shared/run-settings.ts";
import { SERVICE_NAMES, TOOL_IDS } from "../../shared/sources.ts";
import { type Committer, commitWork } from "../commit-parts.ts";
import { GO_IMPORT_SOURCES, goRowKind } from "../go-rows.ts";
import { addPendingIndexes, addPendingIndexesAfresh, importFailure, openForImport, removeNewDatabase, reopenForImport } from "../open-for-import.ts";
import { prepareIndexesForImport } from "../../db/pending-indexes.ts";
import { queryNumber } from "../../db/query-number.ts";
import addRowsSql from "./archive-add-rows.sql" with { type: "text" };
import goRowsSql from "./archive-go-rows.sql" with { type: "text" };
import bookkeepingSql from "./archive-bookkeeping.sql" with { type: "text" };
import keysSql from "./archive-keys.sql" with { type: "text" };
import logEventsSql from "./archive-log-events.sql" with { type: "text" };
import rowsSql from "./archive-rows.sql" with { type: "text" };
import unkeyedSql from "./archive-unkeyed.sql" with { type: "text" };
import goDeleteSql from "./archive-go-delete.sql" with { type: "text" };
import goMatchSql from "./archive-go-match.sql" with { type: "text" };
import goSkipSql from "./archive-go-skip.sql" with { type: "text" };

export interface ArchiveImportOptions {
  /** An export folder or ZIP (locate-archive.ts), and the path as the user gave it. */
  archive: ArchiveLocation;
  shown: string;
  location: DatabaseLocation;
  /** Only the archive's rows in this range and of this service. */
  filter: RowFilter;
  dryRun: boolean;
  yes: boolean;
  settings: RunSettings;
}

export interface ArchiveImportPreview {
  database: string;
  archive: ArchiveLocation;
  filter: RowFilter;
  /** The archive's rows in the range. */
  inArchive: TableCounts;
  /** Of those, the rows the database lacks: what the import adds. */
  add: TableCounts;
  /** Usage events (rows with our key): those the database lacks, and those it holds. */
  events: { new: number; present: number };
  /** The Go importer's rows of the session-file lines whose keyed rows this import adds: removed. */
  goRows: { logs: number; metrics: number };
}

type ArchiveImportStatus = "imported" | "nothing" | "dry-run" | "aborted";

export interface ArchiveImportResult {
  status: ArchiveImportStatus;
  preview: ArchiveImportPreview;
  inserted: TableCounts;
}

export interface ArchiveImportHooks {
  onPreview?(preview: ArchiveImportPreview): void;
  /** Asked only when neither `--yes` nor `--dry-run` was given; may throw to refuse. */
  confirm(preview: ArchiveImportPreview): Promise<boolean>;
  onApplyStart?(): void;
  onApplyDone?(inserted: TableCounts, ms: number): void;
}

/**
 * Per table: the archive's view, the attribute column that holds `import.key` (our spans carry none: every span is
 * compared whole), and the Go importer's kind of a row.
 */
const TABLES: Record<TableKey, { view: string; attributes: string; keyed: boolean; kind: string }> = {
  traces: { view: "archive_traces", attributes: "SpanAttributes", keyed: false, kind: "NULL::BOOLEAN" },
  logs: { view: "archive_logs", attributes: "LogAttributes", keyed: true, kind: goRowKind("otel_logs") },
  metrics: { view: "archive_metrics", attributes: "Attributes", keyed: true, kind: goRowKind("otel_metrics") },
};

/** The tables whose rows may carry our key. */
const KEYED_TABLES = EXPORT_TABLES.filter((table) => TABLES[table.key].keyed);

/**
 * How long after our row's time the Go importer's row of the same session-file usage may lie, as an SQL interval for
 * the Go row `g` (archive-go-skip.sql, archive-go-delete.sql). An archive holds rows, not the lines' times that an
 * import from files matches by (go-rows.ts): our rows have the time of the line they count, and so do Go's, except for
 * Codex 0.154+, where ours count a response's `token_usage_record` and Go's the `token_count` line that follows it (a
 * millisecond later in the rollouts read). A second covers that, for Codex only; elsewhere the times must be equal.
 */
const GO_LAG = `(CASE WHEN g.service = '${SERVICE_NAMES.codex}' THEN INTERVAL 1 SECOND ELSE INTERVAL 0 SECOND END)`;

/** The templates' shared parts: the row filter, the Go importer's sources and lag; with `table`, its own (its rows' kind). */
function render(template: string, table?: { key: TableKey; table: TelemetryTable }): string {
  let sql = withRowFilter(template)
    .replaceAll("{{go_sources}}", GO_IMPORT_SOURCES)
    .replaceAll("{{go_lag}}", GO_LAG);
  if (table) {
    const columns = tableColumns(table.table);
    sql = sql
      .replaceAll("{{table}}", table.table)
      .replaceAll("{{tbl}}", table.key)
      .replaceAll("{{archive}}", TABLES[table.key].view)
      .replaceAll("{{attributes}}", TABLES[table.key].attributes)
      .replaceAll("{{keyless}}", String(!TABLES[table.key].keyed))
      .replaceAll("{{kind}}", TABLES[table.key].kind)
      .replaceAll("{{columns}}", columnList(table.table))
      .replaceAll("{{archive_columns}}", columns.map((column) => `CAST(${archiveColumn(column)} AS ${column.kind}) AS "${column.name}"`).join(", "))
      .replaceAll("{{archive_row_hash}}", rowHash(columns.map((column) => `CAST(${archiveColumn(column)} AS ${column.kind})`)))
      .replaceAll("{{row_hash}}", rowHash(columns.map((column) => `"${column.name}"`)));
  }
  return sql;
}

const archiveColumn = (column: ColumnSpec) => `a."${column.name}"`;

/**
 * A row's 128-bit hash (archive-unkeyed.sql): its columns' values as text, NULL kept apart from any text, in a JSON
 * array, hashed with MD5. Equal rows of the same types hash the same; two different rows of one archive and database
 * sharing a hash is far less likely than a disk error.
 */
function rowHash(values: string[]): string {
  return `md5_number(to_json([${values.map((value) => `CAST(${value} AS VARCHAR)`).join(", ")}]))`;
}

/** A Go-matching template (archive-go-skip.sql, archive-go-delete.sql) completed by the matching itself over its `ours` relation. */
function goMatching(template: string, ours: string): string {
  return render(template.replace("{{match}}", goMatchSql.replaceAll("{{ours}}", ours)));
}

/** archive-go-rows.sql for one table, counting or removing (`verb`) the Go importer's rows that go_delete names. */
function goRowsStatement(key: "logs" | "metrics", verb: "SELECT count(*) FROM" | "DELETE FROM"): string {
  return render(goRowsSql, { key, table: GO_TABLES[key] }).replaceAll("{{verb}}", verb);
}

const GO_TABLES = { logs: "otel_logs", metrics: "otel_metrics" } as const;

/** Every column of each table must be in the archive's file (more are ignored): a foreign Parquet file is refused here. */
async function checkColumns(connection: DuckDBConnection, shown: string): Promise<void> {
  for (const table of EXPORT_TABLES) {
    const reader = await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${TABLES[table.key].view})`);
    const present = new Set(reader.getRows().map((row) => String(row[0])));
    const missing = tableColumns(table.table).filter((column) => !present.has(column.name));
    if (missing.length > 0) {
      const names = missing.slice(0, 3).map((column) => column.name).join(", ") + (missing.length > 3 ? ", …" : "");
      throw new CliError(`not an AI Observer export (${table.file} has no column ${names}): ${shown}`);
    }
  }
}

/** Whether `relation` (archive_rows or database_rows, archive-rows.sql) holds rows the Go importer wrote. */
async function holdsGoRows(connection: DuckDBConnection, relation: "archive_rows" | "database_rows"): Promise<boolean> {
  return (await queryNumber(connection, `SELECT EXISTS (SELECT 1 FROM ${relation} WHERE go)`)) === 1;
}

/**
 * The rows, of the archive or of the database, per bucket of events (archive-keys.sql): at a million, the sets of an
 * export of 5 million metric rows and of the database holding them stay within DuckDB's 192 MB, where one set of all
 * of them ran out (docs/performance.md [S10, S16]).
 */
const ROWS_PER_BUCKET = 1_000_000;

const WHERE_TIMES = "(tbl VARCHAR, service VARCHAR, transcript BOOLEAN, ts TIMESTAMP)";

/** The database's rows of `tbl` that the plan compares: those of the archive's services in that table. */
const SERVICES_OF = (tbl: TableKey) => `ServiceName IN (SELECT service FROM archive_services WHERE tbl = '${tbl}')`;

/**
 * Builds the temporary tables and views of what the import adds, in the caller's transaction, and counts them. The
 * tables that match the Go importer's rows to ours are built only where there are such rows (they scan every keyed
 * row), and are empty otherwise.
 */
async function plan(memory: DuckDBMemory, filter: RowFilter, rowsBefore: number): Promise<Omit<ArchiveImportPreview, "database" | "archive" | "filter">> {
  const { connection } = memory;
  const params = filterParams(filter);
  for (const name of ["archive_services", "archive_rows", "database_rows", "archive_keys", "present_keys", "new_keys", "go_skip", "go_delete", "unkeyed_add"]) await connection.run(`DROP TABLE IF EXISTS temp.${name}`);
  const run = async (sql: string, values: Record<string, string | number | null> = params) => {
    for (const statement of sqlStatements(sql)) await connection.run(statement, paramsOf(statement, values));
  };
  // The archive's services, once: as a subquery over the archive's files, DuckDB ran out of memory joining it to the
  // scan of millions of database rows (it pinned both at once).
  await connection.run(
    "CREATE TEMP TABLE archive_services AS SELECT DISTINCT 'logs' AS tbl, ServiceName AS service FROM archive_logs UNION SELECT DISTINCT 'metrics', ServiceName FROM archive_metrics",
  );
  for (const rows of ["archive_rows", "database_rows"]) {
    await connection.run(`CREATE TEMP TABLE ${rows} (tbl VARCHAR, service VARCHAR, transcript BOOLEAN, ts TIMESTAMP, h UHUGEINT, go BOOLEAN)`);
    for (const table of KEYED_TABLES) {
      const [source, where] = rows === "archive_rows" ? [TABLES[table.key].view, "{{filter}}"] : [table.table, SERVICES_OF(table.key)];
      const sql = rowsSql.replaceAll("{{rows}}", rows).replaceAll("{{source}}", source).replaceAll("{{where}}", where);
      await memory.onRowsOf(table.table, () => run(render(sql, table)));
    }
  }
  await connection.run("CREATE TEMP TABLE archive_keys (tbl VARCHAR, h UHUGEINT)");
  await connection.run("CREATE TEMP TABLE new_keys (tbl VARCHAR, h UHUGEINT)");
  await connection.run("CREATE TEMP TABLE present_keys (tbl VARCHAR, h UHUGEINT)");
  const inArchive: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) inArchive[table.key] = await queryNumber(connection, withRowFilter(`SELECT count(*) FROM ${TABLES[table.key].view} WHERE {{filter}}`), params);
  const buckets = Math.max(1, Math.ceil(Math.max(inArchive.logs + inArchive.metrics, rowsBefore) / ROWS_PER_BUCKET));
  for (let bucket = 0; bucket < buckets; bucket++) await run(render(keysSql), { ...params, buckets, bucket });
  const goInArchive = await holdsGoRows(connection, "archive_rows");
  await connection.run(`CREATE TEMP TABLE go_skip ${WHERE_TIMES}`);
  if (goInArchive) for (let bucket = 0; bucket < buckets; bucket++) await run(goMatching(goSkipSql, "ours"), { ...params, buckets, bucket });
  const goInDatabase = await holdsGoRows(connection, "database_rows");
  await connection.run(`CREATE TEMP TABLE go_delete ${WHERE_TIMES}`);
  if (goInDatabase) for (let bucket = 0; bucket < buckets; bucket++) await run(goMatching(goDeleteSql, "added"), { ...params, buckets, bucket });

  const newEvents = await queryNumber(connection, "SELECT count(DISTINCT h) FROM new_keys");
  const allEvents = await queryNumber(connection, "SELECT count(DISTINCT h) FROM archive_keys");
  const allNew = await everyEventNew(connection);
  // The rows each view adds are counted from what the plan holds, not by reading the archive through the view: the
  // keyed rows of the new events (archive_rows) and the copies of rows without a key (unkeyed_add). The INSERTs that
  // read the views check them (apply).
  const add: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) {
    if (!TABLES[table.key].keyed) continue;
    const isNew = allNew ? "true" : "EXISTS (SELECT 1 FROM new_keys k WHERE k.tbl = a.tbl AND k.h = a.h)";
    add[table.key] = await queryNumber(connection, `SELECT count(*) FROM archive_rows a WHERE tbl = '${table.key}' AND h IS NOT NULL AND ${isNew}`);
  }
  // What the steps compared is no longer needed.
  for (const name of ["archive_rows", "database_rows"]) await connection.run(`DROP TABLE temp.${name}`);
  await connection.run("CREATE TEMP TABLE unkeyed_add (tbl VARCHAR, h UHUGEINT, copies BIGINT, partial BOOLEAN)");
  for (const table of EXPORT_TABLES) {
    await memory.onRowsOf(table.table, () => run(withLiterals(render(unkeyedSql, table), params)));
    add[table.key] += await queryNumber(connection, `SELECT coalesce(sum(copies), 0) FROM unkeyed_add WHERE tbl = '${table.key}'`);
    const view = addRowsSql
      .replaceAll("{{new_event}}", await newRows(connection, table.key, allNew))
      .replaceAll("{{whole}}", await anyOf(connection, `unkeyed_add WHERE tbl = '${table.key}' AND NOT partial`))
      .replaceAll("{{partial}}", await anyOf(connection, `unkeyed_add WHERE tbl = '${table.key}' AND partial`));
    await connection.run(withLiterals(render(view, { key: table.key, table: table.table }), params));
  }
  const goRows = { logs: 0, metrics: 0 };
  for (const key of ["logs", "metrics"] as const) {
    if (goInDatabase) goRows[key] = await memory.onRowsOf(GO_TABLES[key], () => queryNumber(connection, goRowsStatement(key, "SELECT count(*) FROM")));
  }
  return { inArchive, add, goRows, events: { new: newEvents, present: allEvents - newEvents } };
}

/**
 * `true` when `rows` (a relation and its condition) holds any row (or `always`), else `false`: an SQL literal that
 * leaves a part of a view (archive-add-rows.sql) out when it can add no row, so that DuckDB does not read the archive
 * for it. Every part read at once took more than DuckDB's 192 MB for an export of 5 million metric rows.
 */
async function anyOf(connection: DuckDBConnection, rows: string, always = false): Promise<"true" | "false"> {
  return always || (await queryNumber(connection, `SELECT EXISTS (SELECT 1 FROM ${rows})`)) === 1 ? "true" : "false";
}

/** The condition on the archive's row `a` of table `key` that it is a row of an event the database lacks (archive-add-rows.sql). */
async function newRows(connection: DuckDBConnection, key: TableKey, allNew: boolean): Promise<string> {
  if (!TABLES[key].keyed) return "false";
  const keyed = `import_key(a.${TABLES[key].attributes})`;
  return `${await anyOf(connection, `new_keys WHERE tbl = '${key}'`, allNew)} AND ${keyed} IS NOT NULL AND ${newEvent(allNew, "a.ServiceName", keyed, key)}`;
}

/** Whether the database lacks every event of the archive (a new database, or one that holds none of them). */
async function everyEventNew(connection: DuckDBConnection): Promise<boolean> {
  return (await queryNumber(connection, "SELECT count(*) FROM new_keys")) === (await queryNumber(connection, "SELECT count(*) FROM archive_keys"));
}

/**
 * Whether the archive's event of `service` and `key` is one the database lacks (archive-add-rows.sql,
 * archive-bookkeeping.sql): its key among new_keys (of `table`, when given), or, when every event of the archive is
 * new (`allNew`), any event, without joining the archive's millions of rows to new_keys. That join was the archive
 * import's largest step: with 5 million metric rows its INSERT ran out of 192 MB on some runs and peaked at 516-584 MB
 * under 256 MB (docs/performance.md [S16]). `IN`, not a correlated `EXISTS`: DuckDB planned that as a join that first
 * groups the archive's rows by the columns the key is read from (every row's whole attributes), and a merge's
 * metrics INSERT ran out of 192 MB once the key was read through a macro (attribute-macro.sql); `IN` is a hash join
 * against new_keys alone.
 */
function newEvent(allNew: boolean, service: string, key: string, table?: TableKey): string {
  if (allNew) return "true";
  return `md5_number(${service} || chr(0) || ${key}) IN (SELECT h FROM new_keys k${table ? ` WHERE k.tbl = '${table}'` : ""})`;
}

/** `sql` with its `$name` parameters written in as literals (for a view, which takes no bound parameters). */
function withLiterals(sql: string, params: Record<string, string | null>): string {
  return sql.replace(/\$(\w+)\b/g, (whole, name: string) => {
    if (!Object.hasOwn(params, name)) return whole;
    const value = params[name];
    return value === null || value === undefined ? "NULL" : sqlString(value);
  });
}

/** The tool whose bookkeeping an event of `service` goes into, as an SQL CASE. */
const TOOL_OF_SERVICE = `CASE service ${TOOL_IDS.map((tool) => `WHEN '${SERVICE_NAMES[tool]}' THEN '${tool}'`).join(" ")} END`;

/**
 * Adds the planned rows, removes the Go importer's rows they stand for, and records the new events in our bookkeeping
 * (archive-bookkeeping.sql), with DuckDB's memory for each step as an import from files has it.
 */
async function apply(memory: DuckDBMemory, options: ArchiveImportOptions, size: ImportSize): Promise<TableCounts> {
  const { connection } = memory;
  // Each table's rows first: its view compares with the table as it was (the Go importer's rows removed next are
  // never among those it adds: go_skip keeps out every Go row at the times of keyed rows).
  const inserted: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  const allNew = await everyEventNew(connection);
  // Where the views join the archive's rows to new_keys, on one of DuckDB's threads: each thread also builds a row
  // group of its own to write ahead. Merging 2.8 million rows into a database of 2.85 million, the metrics' INSERT on
  // two threads ran out of the 192 MB in one run of three ("failed to allocate data of size 16.0 MiB (180.5 MiB/183.1
  // MiB used)", then retried under twice that, the process at 626 MB), and out of 150 MB in every run; on one it held
  // in 150 MB, in 31 against 20 s (docs/performance.md, "Archives").
  // Rows that may be large (holdsLargeRows) on one thread under onLargeRows' bound: the logs of an export with
  // transcripts ran two threads out of 263 MB (docs/performance.md, "Rows that may be large").
  for (const table of EXPORT_TABLES) {
    const columns = columnList(table.table);
    const insert = async () => {
      inserted[table.key] = await queryNumber(connection, `INSERT INTO ${table.table} (${columns}) SELECT ${columns} FROM add_${table.key}`);
    };
    await memory.onRowsOf(table.table, allNew ? insert : () => onFewerThreads(connection, 1, insert));
  }
  for (const key of ["logs", "metrics"] as const) {
    await memory.onRowsOf(GO_TABLES[key], () => connection.run(goRowsStatement(key, "DELETE FROM")));
  }
  await memory.step("bookkeeping", size);
  const newKey = newEvent(allNew, "a.service", "a.key");
  const params = { ...filterParams(options.filter), file: `export:${options.archive.path}` };
  const logEvents = render(logEventsSql);
  await memory.onRowsOf("otel_logs", () => connection.run(logEvents, paramsOf(logEvents, params)));
  const bookkeeping = render(bookkeepingSql.replaceAll("{{new_event}}", newKey)).replaceAll("{{tool}}", TOOL_OF_SERVICE);
  await connection.run(bookkeeping, paramsOf(bookkeeping, params));
  await connection.run("DROP TABLE temp.archive_log_events");
  return inserted;
}

async function planned(connection: DuckDBConnection): Promise<boolean> {
  return (await queryNumber(connection, "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'go_delete'")) === 1;
}

const nothingCounted = (): TableCounts => ({ traces: 0, logs: 0, metrics: 0 });

/**
 * Merges an export (folder or ZIP, ours or the Go original's) into the database in one transaction: all of its rows
 * that the database lacks, or none. Idempotent: a second run finds every row there.
 */
export async function runArchiveImport(options: ArchiveImportOptions, hooks: ArchiveImportHooks): Promise<ArchiveImportResult> {
  const files = await exportFiles(options.archive, options.shown);
  // A run that adds nothing leaves no new, empty database behind.
  const createsDatabase = !options.dryRun && !existsSync(options.location.path);
  let imported = false;
  /** Set when the indexes were dropped for the rows (prepareIndexesForImport): they are pending until made again. */
  let indexesDropped = false;
  let db: OpenDatabase;
  try {
    db = await openForImport(options.location, options.dryRun, options.settings.threads);
  } catch (error) {
    files.dispose();
    throw error;
  }
  const { connection } = db;
  const stopInterrupting = onInterrupt(() => db.connection.interrupt());
  let open = false;
  try {
    await createArchiveViews(files, connection, options.shown);
    const memory = new DuckDBMemory(connection, options.settings.duckdbMemoryLimit);
    await memory.bound("archive");
    await connection.run("BEGIN TRANSACTION");
    open = true;
    const size: ImportSize = { events: 0, rowsBefore: await telemetryRowCount(connection), rowsAdded: 0, indexed: true, wholeIndexes: true };
    const counts = await memory.retryInTransaction(() => plan(memory, options.filter, size.rowsBefore));
    const preview: ArchiveImportPreview = { database: db.path, archive: options.archive, filter: options.filter, ...counts };
    const nothing = counts.add.traces + counts.add.logs + counts.add.metrics + counts.goRows.logs + counts.goRows.metrics === 0;
    if (nothing) {
      if (options.dryRun) return { status: "nothing", preview, inserted: nothingCounted() };
      await connection.run("ROLLBACK");
      open = false;
      // A run killed after its COMMIT left a database we created without its indexes.
      if (!createsDatabase) await addPendingIndexes(connection);
      return { status: "nothing", preview, inserted: nothingCounted() };
    }
    hooks.onPreview?.(preview);
    if (options.dryRun) return { status: "dry-run", preview, inserted: nothingCounted() };
    if (!options.yes && !(await hooks.confirm(preview))) return { status: "aborted", preview, inserted: nothingCounted() };
    hooks.onApplyStart?.();
    const started = performance.now();
    size.events = counts.events.new;
    size.rowsAdded = counts.add.traces + counts.add.logs + counts.add.metrics;
    indexesDropped = await prepareIndexesForImport(connection, size);
    const committer: Committer = {
      raised: 0,
      reopen: async () => {
        db = await reopenForImport(db, options.location, options.settings.threads);
        await createArchiveViews(files, db.connection, options.shown);
        const fresh = new DuckDBMemory(db.connection, options.settings.duckdbMemoryLimit);
        await fresh.bound("archive");
        return fresh;
      },
    };
    const { done: inserted } = await commitWork(memory, size, committer, (on) =>
      on.retryInTransaction(async () => {
        if (!(await planned(on.connection))) await plan(on, options.filter, size.rowsBefore);
        const added = await apply(on, options, size);
        for (const table of EXPORT_TABLES) {
          if (added[table.key] !== counts.add[table.key]) {
            throw new CliError(`import of ${table.key} added ${added[table.key]} rows but ${counts.add[table.key]} were counted; nothing was imported`);
          }
        }
        return added;
      }),
    );
    open = false;
    imported = true;
    await addPendingIndexesAfresh(db, options.location, options.settings.threads, (fresh) => {
      db = fresh;
    });
    hooks.onApplyDone?.(inserted, performance.now() - started);
    return { status: "imported", preview, inserted };
  } catch (error) {
    throw importFailure(error, { indexesDropped: indexesDropped && !imported });
  } finally {
    if (open) await db.connection.run("ROLLBACK").catch(() => undefined);
    stopInterrupting();
    db.close();
    files.dispose();
    if (createsDatabase && !imported) removeNewDatabase(db.path);
  }
}

/** The archive's views (archive_traces, _logs, _metrics) in `connection`; a file that is no export of ours is refused. */
async function createArchiveViews(files: ExportFiles, connection: DuckDBConnection, shown: string): Promise<void> {
  try {
    await files.createViews(connection, "archive_");
    await checkColumns(connection, shown);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the export ${shown}: ${firstLine(errorMessage(error))}`);
  }
}
