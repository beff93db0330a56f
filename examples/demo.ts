/**
 * `bun run demo`: builds the demo database, exports the first week of it with the real CLI,
 * then queries the export through its views database, as a user would.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { buildDemoDatabase } from "./build-demo-db.ts";

const here = import.meta.dir;
const db = join(here, "demo.duckdb");
const out = join(here, "out");
await buildDemoDatabase(db);

const args = ["export", "all", "--db", db, "--from", "2025-06-02", "--to", "2025-06-08", "--output", out, "--yes"];
console.log(`$ ai-observer ${args.join(" ")}`);
const run = Bun.spawnSync(["bun", join(here, "..", "src", "cli.ts"), ...args], { stdout: "inherit", stderr: "inherit" });
if (run.exitCode !== 0) process.exit(run.exitCode ?? 1);

process.chdir(out);
const views = await DuckDBInstance.create("ai-observer-export-all-2025-06-02-2025-06-08.duckdb", { access_mode: "READ_ONLY" });
const connection = await views.connect();
const reader = await connection.runAndReadAll(`
  SELECT ServiceName AS service,
         -- each token once: Codex's and Gemini's input rows include their cached tokens, Codex's output its reasoning
         sum(Value) FILTER (WHERE MetricName LIKE '%.token.usage'
                              AND json_extract_string(Attributes, '$.type') IN ('input', 'output', 'cacheCreation', 'cacheRead', 'thoughts', 'tool'))::BIGINT AS tokens,
         round(sum(Value) FILTER (WHERE MetricName LIKE '%.cost.usage'), 2) AS cost_usd
  FROM metrics GROUP BY ALL ORDER BY service`);
console.log("\nQuerying the export's views database (tokens and cost per agent):");
console.table(reader.getRowObjectsJson());
connection.closeSync();
views.closeSync();

const report = ["report", "models", "--in", out];
console.log(`\n$ ai-observer ${report.join(" ")}`);
const reported = Bun.spawnSync(["bun", join(here, "..", "src", "cli.ts"), ...report], { stdout: "inherit", stderr: "inherit" });
if (reported.exitCode !== 0) process.exit(reported.exitCode ?? 1);
