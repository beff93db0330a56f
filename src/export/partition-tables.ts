import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EXPORT_TABLES, type TableCounts } from "../archive/tables.ts";
import { DuckDBMemory } from "../db/duckdb-memory.ts";
import { removeTree } from "../shared/remove-tree.ts";
import { openMemoryDatabase } from "../db/open.ts";
import { DELETED_ROWS_PARQUET_KEY } from "./archive-mark.ts";
import { type PartitionFile, partitionFiles } from "../archive/lake-files.ts";
import { countParquetRows } from "./count-rows.ts";
import partitionSql from "./partition-table.sql" with { type: "text" };
import { copyShape } from "./copy-shape.ts";

export interface StagedPartitions {
  /** In the staging folder, laid out as in the lake (beside the flat files: `logs/` beside `logs.parquet`). */
  files: PartitionFile[];
  /** The rows the partition files hold, read back. */
  rows: TableCounts;
}

/**
 * Writes the staged flat Parquet files of `stagingDir` (the export's, with the tables' files names) again as Hive
 * partitions, with DuckDB (which also gives them dictionary encoding and statistics), and reads their row counts back.
 * `markDeleted`: the files say their rows are deleted from the database afterwards.
 */
export async function partitionTables(stagingDir: string, threads: number | null, markDeleted: boolean, memoryLimit: string | null): Promise<StagedPartitions> {
  const root = stagingDir;
  const db = await openMemoryDatabase(":memory:", threads);
  try {
    const memory = new DuckDBMemory(db.connection, memoryLimit);
    await memory.bound("export");
    const mark = markDeleted ? `, KV_METADATA {${DELETED_ROWS_PARQUET_KEY}: 'true'}` : "";
    for (const table of EXPORT_TABLES) {
      const target = join(root, table.key);
      const shape = copyShape(table);
      // DuckDB buffers rows across the open partitions until this many (default 524,288): with every day of three
      // months open, 5 million metric rows ran out of 192 MB. One row group's worth keeps it at 370-390 MB (a partition
      // may then be written as more than one file, which the lake allows); rows that may be large, far fewer.
      await db.connection.run(`SET partitioned_write_flush_threshold = ${shape.partitionFlushRows}`);
      const sql = partitionSql.replace("{{kv_metadata}}", mark).replace("{{row_group_bytes}}", shape.rowGroupBytes);
      const write = async () => {
        mkdirSync(target, { recursive: true });
        await db.connection.run(sql, { source: join(stagingDir, table.file), target });
      };
      const partition = () => memory.retryWithMoreMemory(write, () => removeTree(target));
      await memory.onRowsOf(table.table, partition);
    }
    const files = partitionFiles(root);
    return { files, rows: await countParquetRows(db.connection, root, files) };
  } finally {
    db.close();
  }
}
