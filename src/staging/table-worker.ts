/**
 * Worker entry point of TableWorkers (table-workers.ts): fills one row group of a staged table from the staged file
 * (the runs RowGroupPlanner chose), encodes and compresses it, and sends the chunks back; the writer's thread writes
 * them in order. A compiled executable must list this file as a build entry point.
 */
import { tableColumns } from "../db/table-columns.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { ColumnBuilder } from "../parquet/column-builder.ts";
import { type ConstantValue, type EncodedChunk, encodeRowGroup } from "../parquet/encode-row-group.ts";
import { keepHotPathsOffTopTier } from "./hot-paths.ts";
import { RowGroupFiller } from "./row-group-fill.ts";
import { asBuffer, type RowGroupJob, type RowGroupReply, type TableLayout } from "./table-protocol.ts";

declare var self: Worker;

keepHotPathsOffTopTier();

/** Each table's builders, emptied after each row group and filled again (fresh memory costs a page fault per 4 KB). */
const builders = new Map<TelemetryTable, ColumnBuilder[]>();

function buildersOf(layout: TableLayout): ColumnBuilder[] {
  let row = builders.get(layout.table);
  if (!row) {
    row = tableColumns(layout.table).map((spec, i) => new ColumnBuilder(spec, layout.capacities[i]));
    builders.set(layout.table, row);
  }
  return row;
}

/** Fills each row group from the staged file. */
const filler = new RowGroupFiller();

/** Text constants arrive as plain Uint8Arrays (structured clone): the encoder tells them from numbers as Buffers. */
function constantOf(value: ConstantValue | Uint8Array | undefined): ConstantValue | undefined {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? asBuffer(value) : value;
}

/** The compressed pages, transferred rather than copied: whole ArrayBuffers, each once. */
function transferables(chunks: readonly EncodedChunk[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const chunk of chunks) {
    for (const page of [chunk.dictionary, chunk.data]) {
      const body = page?.body;
      if (body && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) buffers.add(body.buffer as ArrayBuffer);
    }
  }
  return [...buffers];
}

async function encodeJob(job: RowGroupJob): Promise<EncodedChunk[]> {
  const { layout } = job;
  const row = buildersOf(layout);
  try {
    filler.fill(job, row);
    return await encodeRowGroup(tableColumns(layout.table), layout.constants.map(constantOf), row, job.rows, job.options);
  } finally {
    for (const builder of row) builder.reset(); // also after a failure: the next row group starts empty
  }
}

/**
 * A few small row groups encoded as soon as the worker starts, while the export counts its rows and plans the first
 * row group: its first row groups otherwise wait longer for the compiler (the 400 MB usage export on one worker: its
 * first two 31 and 38-42 ms without this, 25-26 and 37-38 ms with it; later ones 6-12 ms).
 */
async function warmUp(): Promise<void> {
  const columns = [
    { name: "name", kind: "VARCHAR" },
    { name: "attributes", kind: "JSON" },
    { name: "time", kind: "TIMESTAMP" },
    { name: "value", kind: "DOUBLE" },
  ] as const;
  const source = columns.map((spec) => new ColumnBuilder(spec));
  const [name, attributes, time, value] = source as [ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder];
  for (let row = 0; row < 2048; row++) {
    name.pushText(`metric.${row % 7}`);
    attributes.pushText(`{"session.id":"${row}","type":"input"}`);
    time.pushNumber(1_700_000_000_000_000 + row);
    value.pushNumber(row / 2);
  }
  for (let round = 0; round < 4; round++) {
    const row = columns.map((spec) => new ColumnBuilder(spec));
    row.forEach((builder, i) => {
      const values = (source[i] as ColumnBuilder).values();
      builder.appendPlain(values, 0, values.length, 2048);
    });
    await encodeRowGroup(columns, [], row, 2048, { threadPool: false, last: false });
  }
}
const warm = warmUp().catch(() => undefined);

self.onmessage = async (event: MessageEvent<RowGroupJob>) => {
  try {
    await warm;
    const chunks = await encodeJob(event.data);
    self.postMessage({ chunks } satisfies RowGroupReply, transferables(chunks));
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies RowGroupReply);
  }
};
