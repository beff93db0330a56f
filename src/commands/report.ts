import { parseRangeFlags } from "../shared/dates.ts";
import { parseReportName, reportQuery, reportTotals } from "../query/reports.ts";
import { runQuery } from "../query/run-query.ts";
import type { Json } from "../db/duckdb.ts";
import { renderCsvHeader, renderCsvRows } from "../render/rows-csv.ts";
import { objectKeys, rowObjects } from "../render/rows-json.ts";
import { renderTable } from "../render/rows-table.ts";
import { JSON_SCHEMA_VERSION } from "../render/json.ts";
import { ExitCode } from "../shared/errors.ts";
import { readRunSettings } from "../shared/run-settings.ts";
import { parseService } from "../shared/service-flag.ts";
import { type Output, processOutput } from "../ui/terminal.ts";
import { openReadInput, outputFormat, type ReadFlags } from "./read-input.ts";

export interface ReportFlags extends ReadFlags {
  from?: string;
  to?: string;
  month?: string;
  service?: string;
  threads?: string | boolean;
}

export async function reportCommand(nameArg: string | undefined, flags: ReportFlags, io: Output = processOutput): Promise<ExitCode> {
  const name = parseReportName(nameArg);
  const format = outputFormat(flags);
  const range = parseRangeFlags(flags);
  const { serviceName } = parseService(flags.service);
  const settings = readRunSettings(flags.threads);
  await using archive = await openReadInput(flags, settings.threads);
  const { sql, params } = reportQuery(name, { range, serviceName });
  const { columns, chunks } = await runQuery(archive.connection, sql, params);
  const rows: Json[][] = [];
  for await (const chunk of chunks) rows.push(...chunk);
  const totals = reportTotals(columns, rows);
  if (format === "table") {
    io.out(renderTable(columns, rows, { nullText: "", amounts: true, maxCell: Number.POSITIVE_INFINITY }, ["Total", ...totals.slice(1)]));
  } else if (format === "csv") {
    io.out(renderCsvHeader(columns) + renderCsvRows(rows));
  } else {
    const keys = objectKeys(columns);
    const [total = {}] = rowObjects(columns, keys, [totals]);
    const amounts = Object.fromEntries(Object.entries(total).filter(([, value]) => value !== null));
    io.out(
      `${JSON.stringify({
        schemaVersion: JSON_SCHEMA_VERSION,
        command: "report",
        report: name,
        input: { kind: archive.location.kind, path: archive.location.path },
        range: { from: range.from ?? null, to: range.to ?? null },
        service: serviceName,
        rows: rowObjects(columns, keys, rows),
        totals: amounts,
      })}\n`,
    );
  }
  return ExitCode.Ok;
}
