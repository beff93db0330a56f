import { rmSync } from "node:fs";
import type { ColumnBuilder } from "../parquet/column-builder.ts";
import type { EncodedChunk } from "../parquet/encode-row-group.ts";
import { ParquetWriter } from "../parquet/parquet-writer.ts";
import { MemoryGovernor } from "../sources/memory-governor.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { EventColumn, type EventColumns, type EventTexts, fillRun, RowGroupFiller, shapeOf, TextBytes } from "./row-group-fill.ts";
import type { RowShape } from "./row-shape.ts";
import type { StagedColumns } from "./staged-columns.ts";
import type { FragmentPlace, StagedRows, StagedTableKey } from "./staged-rows.ts";
import { SEQ_PER_FILE } from "./staged-file.ts";
import { type ExtraBytes, RowGroupPlanner } from "./row-group-plan.ts";
import type { RowGroupJob, TableLayout } from "./table-protocol.ts";
import type { TableWorkers } from "./table-workers.ts";
import type { ChosenRows } from "./chosen-events.ts";

/** The tables whose rows are staged, each with its key among the staged rows (the traces are not staged). */
const STAGED_TABLES: readonly { table: TelemetryTable; key: StagedTableKey }[] = [
  { table: "otel_logs", key: "logs" },
  { table: "otel_metrics", key: "metrics" },
];

/** The key of `table`'s staged rows; null for a table none are staged for. */
function stagedKey(table: TelemetryTable): StagedTableKey | null {
  return STAGED_TABLES.find((staged) => staged.table === table)?.key ?? null;
}

/**
 * Row group limits: a row group ends with the event that reaches either (DuckDB's default row count, or 4 MB in a
 * column). A row group's columns are filled while the one before is compressed, and then filled again: their memory
 * is the row group's size twice, fresh pages the first time. With 16 MB the 400 MB usage export wrote its 19 MB of
 * metric attributes into ~22 MB of fresh pages; with 4 MB, 0.700 against 0.735 s (medians of 16), 2,500 fewer page
 * faults, 9 MB less, and DuckDB's filters on the files as fast (bench/parquet-filters.ts: 0.76-1.05x the database
 * export's files).
 */
export const STAGED_ROW_GROUP = { rows: 122_880, bytes: 4 << 20 };

/**
 * An export's row group limits for `table` when it writes `rows` (rowTotals): STAGED_ROW_GROUP, except that more metric
 * rows than one row group holds (rows with no texts: ~240 bytes of attributes each) may fill 12 MB of a column, for
 * about as many row groups as DuckDB's COPY writes for them. DuckDB reads the statistics of every row group, also for a
 * filter no row group matches: the 2 GB tree's 416,880 metric rows in 24 row groups (4 MB) took 1.17-1.31x the database
 * export's 8 for `ServiceName = 'codex_cli_rs'`, in 8 (12 MB) 0.92-0.99x; the export's time within the VM's noise
 * (paired medians +45 ms over 16 runs, -50 ms over 8, of ~1.8 s; up to ~6,000 more page faults). Fewer rows keep 4 MB:
 * the 400 MB tree's 79,430 in 5 row groups filter within 1.06x of the database export's one, and with 12 MB the export
 * took 0.55 against 0.54 s (~2,400 more page faults).
 */
export function exportRowGroup(table: TelemetryTable, rows: { metrics: number }): RowGroupLimits {
  return table === "otel_metrics" && rows.metrics > STAGED_ROW_GROUP.rows ? { rows: STAGED_ROW_GROUP.rows, bytes: 12 << 20 } : STAGED_ROW_GROUP;
}

/** When a row group ends: at `rows` rows, or once a column holds `bytes` bytes (RowGroupPlanner). */
export interface RowGroupLimits {
  rows: number;
  bytes: number;
}

/** How the rows to write fill the columns a fragment does not carry: the service and the unit. */
interface Layout {
  /** The services of the rows to write (one: a constant column); null: not known ahead (a value per row). */
  services: ReadonlySet<string> | null;
  /** Whether some row has a unit (else the column is NULL throughout). */
  someUnit: boolean;
  /** Per column of the table, room for how many bytes of values (see ParquetWriter). */
  capacities: readonly (number | undefined)[];
}

/**
 * A ZSTD Parquet file of a table's staged rows with the table's columns, taken a fragment at a time: runs of chosen
 * events are copied as they were encoded. `rows`: the staged rows (their ResourceAttributes); null: none.
 */
export class StagedTableWriter {
  readonly #shape: RowShape<never>;
  readonly #writer: ParquetWriter;
  readonly #perRowService: number | null;
  readonly #perRowUnit: number | null;
  readonly #texts = new TextBytes();
  readonly #planner: RowGroupPlanner;
  /** Fills row groups planned for table workers here, once one is gone. */
  #filler: RowGroupFiller | null = null;
  // Each row group leaves its compressed pages behind, memory outside the heap that JavaScriptCore is slow to take
  // back: writing the 613,703 log rows of 1 GB of Gemini sessions grew the process by ~270 MB without this.
  readonly #governor = new MemoryGovernor();

  constructor(
    readonly table: TelemetryTable,
    rows: StagedRows | null,
    readonly path: string,
    layout: Layout,
    limits = STAGED_ROW_GROUP,
    /** Compress large pages on Bun's thread pool (not when a run keeps to one thread). */
    readonly threadPool = true,
  ) {
    const shape = shapeOf(table);
    this.#shape = shape;
    const constants = [...shape.constants];
    if (shape.resource !== null && rows !== null) constants[shape.resource] = rows.resourceAttributes;
    const { services } = layout;
    this.#perRowService = shape.service !== null && (services === null || services.size > 1) ? shape.service : null;
    if (shape.service !== null && this.#perRowService === null) constants[shape.service] = this.#texts.of(services?.values().next().value ?? "");
    // The unit column: NULL throughout unless some row has a unit (Claude's active time, in seconds).
    this.#perRowUnit = shape.unit !== null && layout.someUnit ? shape.unit : null;
    if (shape.unit !== null && this.#perRowUnit === null) constants[shape.unit] = null;
    this.#writer = new ParquetWriter(path, tableColumns(table), constants, limits, layout.capacities, threadPool);
    const emptyIsNull = shape.live.findIndex(({ index }) => index === shape.emptyIsNull);
    this.#planner = new RowGroupPlanner(shape.live.length, limits, emptyIsNull, extraColumns(this.#perRowUnit, this.#perRowService));
  }

  /**
   * The rows of the events of `fragment` that `rowOf` gives an index in `chosen` (-1: not written), in order: runs of
   * such events, each as long as the row group has room for it (RowGroupPlanner). `governed`: this thread's garbage
   * collected as the rows are written (MemoryGovernor); not while files are parsed (LogStream), where the process is
   * large with the parse workers' memory, which this thread's collections do not reach (1 GB of Gemini sessions: 15.5
   * against 17.1 s, 445 against 424 MB).
   */
  async append(fragment: StagedColumns, rowOf: Int32Array, chosen: ChosenRows, governed = true): Promise<void> {
    const writer = this.#writer;
    this.#check(fragment);
    const columns = this.#eventColumns(rowOf, chosen);
    for (const run of this.#planner.plan(fragment, rowOf, extraBytesOf(fragment, columns))) {
      const bytes = fillRun(writer.row, this.#shape, fragment, run, columns);
      writer.addRows(run.rows);
      if (run.endsGroup) await writer.endRowGroup();
      if (governed) this.#governor.afterWork(bytes);
    }
  }

  /**
   * The rows of the events of `fragments` (the table's, in order, all in the staged file `file`) that `rowsOf` gives an
   * index in `chosen`, their row groups filled and encoded on `workers` (table-worker.ts) from the staged file, and
   * written here in order as they come back: the same runs and row groups as `append`, so the same file. At most twice
   * as many row groups are out as there are workers. Once a worker is gone (it could not load, or died), the row
   * groups it or the others no longer take are filled and encoded here, as parse workers' files are parsed here.
   */
  async appendInWorkers(fragments: Iterable<StagedColumns>, file: StagedTableFile, rowsOf: (fragment: StagedColumns) => Int32Array, chosen: ChosenRows, workers: TableWorkers): Promise<void> {
    const writer = this.#writer;
    const layout: TableLayout = { table: this.table, constants: writer.constants, capacities: writer.capacities, unit: this.#perRowUnit, service: this.#perRowService };
    const out: { job: RowGroupJob; chunks: Promise<EncodedChunk[]> }[] = [];
    const writeOldest = async () => {
      const { job, chunks } = out.shift() as (typeof out)[number];
      let encoded: EncodedChunk[];
      try {
        encoded = await chunks;
      } catch (error) {
        if (!workers.failed) throw error; // the row group itself could not be written
        await this.#writeHere(job);
        return;
      }
      await writer.writeEncoded(job.rows, encoded);
    };
    let job = emptyJob(layout, file.path);
    const send = async (last: boolean) => {
      const planned: RowGroupJob = { ...job, options: { threadPool: this.threadPool, last } };
      const chunks = workers.encode(planned);
      chunks.catch(() => undefined); // seen when its turn to be written comes
      out.push({ job: planned, chunks });
      job = emptyJob(layout, file.path);
      while (out.length > 2 * workers.size) await writeOldest();
    };
    let index = 0;
    for (const fragment of fragments) {
      this.#check(fragment);
      const rowOf = rowsOf(fragment);
      const columns = this.#eventColumns(rowOf, chosen);
      for (const run of this.#planner.plan(fragment, rowOf, extraBytesOf(fragment, columns))) {
        if (job.fragments.at(-1) !== file.places[index]) job.fragments.push(file.places[index] as FragmentPlace);
        job.runs.push({ fragment: job.fragments.length - 1, start: run.start, end: run.end, rows: run.rows });
        for (let e = run.start; e < run.end; e++) {
          job.units?.push(chosen.unit(rowOf[e] as number));
          job.services?.push(chosen.service(rowOf[e] as number));
        }
        job.rows += run.rows;
        if (run.endsGroup) await send(false);
      }
      index++;
    }
    if (job.rows > 0) await send(true);
    while (out.length > 0) await writeOldest();
  }

  /** A planned row group filled and encoded here (a table worker is gone): the same bytes as a worker's. */
  async #writeHere(job: RowGroupJob): Promise<void> {
    this.#filler ??= new RowGroupFiller();
    this.#filler.fill(job, this.#writer.row);
    this.#writer.addRows(job.rows);
    await this.#writer.endRowGroup();
  }

  #check(fragment: StagedColumns): void {
    const live = this.#shape.live.length;
    if (fragment.columns !== live) throw new Error(`${this.table}: a staged fragment has ${fragment.columns} columns, not ${live}`);
  }

  /** The unit and service of the chosen events, for the columns that take them per row. */
  #eventColumns(rowOf: Int32Array, chosen: ChosenRows): EventColumns {
    const unit = this.#perRowUnit;
    const service = this.#perRowService;
    return {
      unit: unit === null ? null : new EventColumn(unit, this.#texts, true, new ChosenTexts(chosen, rowOf, true)),
      service: service === null ? null : new EventColumn(service, this.#texts, false, new ChosenTexts(chosen, rowOf, false)),
    };
  }

  /** A full collection when the process has grown large (MemoryGovernor). */
  collectIfLarge(): void {
    this.#governor.collectIfLarge();
  }

  /** Writes what is pending and the footer; the number of rows written. */
  close(): Promise<number> {
    return this.#writer.close();
  }

  /** After a failure: no file is left. */
  abandon(): void {
    this.#writer.abandon();
    rmSync(this.path, { force: true });
  }
}

/**
 * Writes the rows of the `chosen` events (ChosenRows) of `table` from `rows` (null, or a table nothing is staged
 * for, such as traces: no rows) as a ZSTD Parquet file with the table's columns (StagedTableWriter); the service
 * column is one constant when the chosen events with rows here share their service. Returns the number of rows
 * written. A failure leaves no file.
 */
export async function writeStagedTable(
  table: TelemetryTable,
  rows: StagedRows | null,
  chosen: ChosenRows,
  path: string,
  limits = STAGED_ROW_GROUP,
  /** Compress large pages on Bun's thread pool (not when a run keeps to one thread). */
  threadPool = true,
  /** Fill and encode the row groups on these workers (when the staged rows all lie in their files); null: here. */
  workers: TableWorkers | null = null,
): Promise<number> {
  const writer = openStagedTable(table, rows, chosen, path, limits, threadPool);
  try {
    await appendChosen(writer, rows, chosen, workers);
    return await writer.close();
  } catch (error) {
    writer.abandon();
    throw error;
  }
}

/** A StagedTableWriter for the rows of the `chosen` events of `table` in `rows` (its layout and room taken from them). */
function openStagedTable(table: TelemetryTable, rows: StagedRows | null, chosen: ChosenRows, path: string, limits = STAGED_ROW_GROUP, threadPool = true): StagedTableWriter {
  const key = stagedKey(table);
  const logs = key === "logs";
  const services = new Set<string>();
  let someUnit = false;
  const capacities: (number | undefined)[] = [];
  if (key !== null && rows !== null) {
    for (let i = 0; i < chosen.size; i++) {
      if ((logs ? chosen.logs(i) : chosen.metrics(i)) === 0) continue;
      services.add(chosen.service(i));
      someUnit ||= chosen.unit(i) !== "";
    }
    // Room for a row group's values at once, up to the limit (the buffers would otherwise grow by copying).
    const bytes = rows.columnBytes(key);
    shapeOf(table).live.forEach(({ index }, c) => {
      capacities[index] = Math.min(bytes[c] ?? 0, limits.bytes) + (64 << 10);
    });
  }
  return new StagedTableWriter(table, rows, path, { services, someUnit, capacities }, limits, threadPool);
}

/** About how many row groups an export of the staged tables' rows takes (all of them chosen: `totals`, rowTotals), by rows or bytes. */
export function stagedRowGroups(rows: StagedRows, totals: { logs: number; metrics: number }): number {
  let groups = 0;
  for (const { table, key } of STAGED_TABLES) {
    const limits = exportRowGroup(table, totals);
    groups += Math.max(Math.ceil(totals[key] / limits.rows), Math.ceil(Math.max(0, ...rows.columnBytes(key)) / limits.bytes));
  }
  return groups;
}

/** Appends to `writer` the staged rows of its table of the `chosen` events (none for a table nothing is staged for). */
export async function appendChosen(writer: StagedTableWriter, rows: StagedRows | null, chosen: ChosenRows, workers: TableWorkers | null = null): Promise<void> {
  const key = stagedKey(writer.table);
  if (key === null || rows === null) return;
  // The parse's garbage first (1 GB of Gemini sessions with transcripts: the export peaked at 609 MB on it).
  writer.collectIfLarge();
  const byFile = new ChosenByFile(chosen);
  const rowsOf = (fragment: StagedColumns) => byFile.rowsOf(fragment.ordinal, fragment.events);
  const file = workers !== null && workers.size > 0 ? rows.stagedFile(key) : null;
  if (file !== null && workers !== null) await writer.appendInWorkers(rows.fragments(key), file, rowsOf, chosen, workers);
  else for (const fragment of rows.fragments(key)) await writer.append(fragment, rowsOf(fragment), chosen);
}

/** The units or services of a fragment's events, from the chosen copies (`rowOf`: each event's row among them). */
export class ChosenTexts implements EventTexts {
  constructor(
    private readonly chosen: ChosenRows,
    private readonly rowOf: Int32Array,
    private readonly unit: boolean,
  ) {}

  text(event: number): string {
    const row = this.rowOf[event] as number;
    return this.unit ? this.chosen.unit(row) : this.chosen.service(row);
  }
}

/**
 * The chosen events of each staged file, found by the file's ordinal (StagedEvent.seq is `ordinal × SEQ_PER_FILE + the
 * event's index in the file`): for each ordinal, its chosen events' indexes in the file and in `chosen`, in typed
 * arrays. A `Map` from seq to index took ~30 MB for the 613,703 events of 1 GB of Gemini sessions, made again for
 * each table.
 */
export class ChosenByFile {
  /** Where each ordinal's entries start in `#events` and `#rows` (the next ordinal's start ends them). */
  readonly #starts: Int32Array;
  readonly #events: Int32Array;
  readonly #rows: Int32Array;
  #scratch = new Int32Array(1024);

  constructor(chosen: ChosenRows) {
    let ordinals = 0;
    for (let i = 0; i < chosen.size; i++) ordinals = Math.max(ordinals, Math.floor(chosen.seq(i) / SEQ_PER_FILE) + 1);
    const starts = new Int32Array(ordinals + 1);
    for (let i = 0; i < chosen.size; i++) (starts[Math.floor(chosen.seq(i) / SEQ_PER_FILE) + 1] as number)++;
    for (let o = 0; o < ordinals; o++) starts[o + 1] = (starts[o + 1] as number) + (starts[o] as number);
    const next = starts.slice(0, ordinals);
    this.#events = new Int32Array(chosen.size);
    this.#rows = new Int32Array(chosen.size);
    for (let i = 0; i < chosen.size; i++) {
      const seq = chosen.seq(i);
      const ordinal = Math.floor(seq / SEQ_PER_FILE);
      const at = (next[ordinal] as number)++;
      this.#events[at] = seq - ordinal * SEQ_PER_FILE;
      this.#rows[at] = i;
    }
    this.#starts = starts;
  }

  /** For the `events` events of file `ordinal`: each one's index in `chosen`, or -1 (valid until the next call). */
  rowsOf(ordinal: number, events: number): Int32Array {
    if (this.#scratch.length < events) this.#scratch = new Int32Array(Math.max(events, this.#scratch.length * 2));
    const rows = this.#scratch.subarray(0, events);
    rows.fill(-1);
    if (ordinal + 1 >= this.#starts.length) return rows;
    for (let at = this.#starts[ordinal] as number; at < (this.#starts[ordinal + 1] as number); at++) rows[this.#events[at] as number] = this.#rows[at] as number;
    return rows;
  }
}

/** A table's staged file, and where its fragments lie in it (StagedRows.stagedFile). */
interface StagedTableFile {
  path: string;
  places: readonly FragmentPlace[];
}

/** A row group with no runs yet, for a table of `layout` staged in `path`. */
function emptyJob(layout: TableLayout, path: string): Omit<RowGroupJob, "options"> {
  return { layout, path, fragments: [], runs: [], units: layout.unit === null ? null : [], services: layout.service === null ? null : [], rows: 0 };
}

/** The bytes the unit and service columns take for events `start..end` of `fragment` (RowGroupPlanner's extras). */
function extraBytesOf(fragment: StagedColumns, columns: EventColumns): ExtraBytes | null {
  const extras = [columns.unit, columns.service].filter((column) => column !== null);
  if (extras.length === 0) return null;
  return (start, end) =>
    extras.map((column) => {
      let bytes = 0;
      for (let e = start; e < end; e++) {
        const value = column.of(e);
        if (value !== null) bytes += (fragment.rowStart(e + 1) - fragment.rowStart(e)) * (4 + value.length);
      }
      return bytes;
    });
}

/** The number of extra columns `extraBytesOf` counts for a writer with these per-row columns. */
const extraColumns = (unit: number | null, service: number | null): number => (unit === null ? 0 : 1) + (service === null ? 0 : 1);

