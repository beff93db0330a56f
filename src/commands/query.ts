import { runQuery } from "../query/run-query.ts";
import { renderCsvHeader, renderCsvRows } from "../render/rows-csv.ts";
import { objectKeys, renderJsonRows } from "../render/rows-json.ts";
import { renderTable } from "../render/rows-table.ts";
import { JSON_SCHEMA_VERSION } from "../render/json.ts";
import type { Json } from "../db/duckdb.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { formatCount, plural } from "../shared/format.ts";
import { readRunSettings } from "../shared/run-settings.ts";
import { type Output, processOutput } from "../ui/terminal.ts";
import { openReadInput, outputFormat, type ReadFlags } from "./read-input.ts";

export interface QueryFlags extends ReadFlags {
  threads?: string | boolean;
}

async function readSql(arg: string | undefined, stdin: () => Promise<string>): Promise<string> {
  const sql = arg === "-" ? await stdin() : arg;
  if (sql === undefined || sql.trim() === "") {
    throw new UsageError('SQL is required: ai-observer query "SELECT … FROM logs|metrics|traces" (or - to read it from stdin)');
  }
  return sql;
}

export async function queryCommand(sqlArg: string | undefined, flags: QueryFlags, io: Output = processOutput, stdin = () => Bun.stdin.text()): Promise<ExitCode> {
  const format = outputFormat(flags);
  const sql = await readSql(sqlArg, stdin);
  const settings = readRunSettings(flags.threads);
  await using archive = await openReadInput(flags, settings.threads);
  const { columns, chunks } = await runQuery(archive.connection, sql);
  let count = 0;
  if (format === "table") {
    const rows: Json[][] = [];
    for await (const chunk of chunks) rows.push(...chunk);
    io.out(renderTable(columns, rows, { nullText: "NULL", amounts: false, maxCell: 60 }));
    io.out(`(${formatCount(rows.length)} ${plural(rows.length, "row", "rows")})\n`);
  } else if (format === "csv") {
    io.out(renderCsvHeader(columns));
    for await (const chunk of chunks) io.out(renderCsvRows(chunk));
  } else {
    const keys = objectKeys(columns);
    const head = { schemaVersion: JSON_SCHEMA_VERSION, command: "query", input: { kind: archive.location.kind, path: archive.location.path }, columns: columns.map(({ name, type }) => ({ name, type })) };
    io.out(`${JSON.stringify(head).slice(0, -1)},"rows":[`);
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      io.out(`${count > 0 ? "," : ""}${renderJsonRows(columns, keys, chunk)}`);
      count += chunk.length;
    }
    io.out(`],"rowCount":${count}}\n`);
  }
  return ExitCode.Ok;
}
