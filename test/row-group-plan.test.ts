import { expect, test } from "bun:test";
import { tableColumns } from "../src/db/table-columns.ts";
import { ColumnBuilder } from "../src/parquet/column-builder.ts";
import { logRow } from "../src/sources/shared/rows.ts";
import type { UsageEvent } from "../src/sources/types.ts";
import { parsedFile } from "./helpers/parsed-file.ts";
import { RowGroupPlanner } from "../src/staging/row-group-plan.ts";
import { stageFile } from "../src/staging/staged-file.ts";
import { fillRun, shapeOf } from "../src/staging/row-group-fill.ts";
import { StagedRows } from "../src/staging/staged-rows.ts";

/** Event `i`: one log row, its body empty (NULL in the column) three times in four, else 75-360 bytes. */
function event(f: number, i: number): UsageEvent {
  const timestamp = `2026-03-1${i % 10} 10:00:${String(i % 60).padStart(2, "0")}.000000`;
  const body = i % 4 === 0 ? `tool output ${i} `.repeat(5 + ((i * 7) % 20)) : "";
  return { key: `k:${f}:${i}`, rank: 1, timestamp, logs: [logRow("svc", timestamp, body, {})], metrics: [], model: "m", unpriced: false };
}

test("a row group ends exactly when the builders reach a limit, counting what they hold (no bytes for a NULL body)", () => {
  const shape = shapeOf("otel_logs");
  const rows = new StagedRows(64 << 20);
  try {
    for (const [ordinal, file] of [parsedFile(0, 70, event), parsedFile(1, 45, event), parsedFile(2, 90, event)].entries()) rows.add(stageFile(file, ordinal));
    rows.close();
    for (const limits of [
      { rows: 17, bytes: 1 << 20 },
      { rows: 100_000, bytes: 600 },
    ]) {
      const builders = tableColumns("otel_logs").map((spec) => new ColumnBuilder(spec));
      const planner = new RowGroupPlanner(shape.live.length, limits, shape.live.findIndex(({ index }) => index === shape.emptyIsNull), 0);
      let pending = 0;
      let groups = 0;
      let nulls = 0;
      for (const fragment of rows.fragments("logs")) {
        const rowOf = new Int32Array(fragment.events).map((_, e) => (e % 11 === 5 ? -1 : e)); // some events not chosen
        for (const run of planner.plan(fragment, rowOf, null)) {
          fillRun(builders, shape, fragment, run, { unit: null, service: null });
          pending += run.rows;
          const held = Math.max(...builders.map((builder) => builder.bytes));
          if (run.endsGroup) {
            expect(pending >= limits.rows || held >= limits.bytes).toBe(true);
            nulls += builders.reduce((sum, builder) => sum + builder.nulls, 0);
            for (const builder of builders) builder.reset();
            pending = 0;
            groups++;
          } else {
            expect({ pending: pending < limits.rows, held: held < limits.bytes }).toEqual({ pending: true, held: true });
          }
        }
      }
      expect(groups).toBeGreaterThan(5);
      expect(nulls).toBeGreaterThan(0); // empty bodies were NULLs, held as no bytes
    }
  } finally {
    rows.dispose();
  }
});
