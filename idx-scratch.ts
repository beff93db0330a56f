// bun idx.ts DB LIMIT THREADS [stmt]: builds one index as pending-indexes does; prints peak RSS (VmHWM)
import { DuckDBInstance } from "@duckdb/node-api";
import { readFileSync } from "node:fs";
const [db, limit, threads, which] = process.argv.slice(2);
const inst = await DuckDBInstance.create(db!, { threads: threads! });
const c = await inst.connect();
const hwm = () => /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
const rss = () => /VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
console.log("open rss", Number(rss()) >> 10);
await c.run("SET checkpoint_threshold = '0b'"); await c.run("SET max_vacuum_tasks = 0"); await c.run("SET allocator_background_threads = true");
await c.run(`SET memory_limit = '${limit}'`);
const stmt = which ?? "CREATE INDEX IF NOT EXISTS idx_metrics_name_service_timestamp ON otel_metrics(MetricName, ServiceName, Timestamp)";
const t = performance.now();
await c.run("BEGIN TRANSACTION");
try { await c.run(stmt); } catch (e) { console.log("ERR", String(e).slice(0, 120)); }
const mem = await c.runAndReadAll("SELECT tag, memory_usage_bytes>>20 FROM duckdb_memory() WHERE memory_usage_bytes > 1000000"); console.log(mem.getRows().map(r=>r.join(":")).join(" "));
console.log("built rss", Number(rss()) >> 10, "hwm", Number(hwm()) >> 10, (performance.now() - t).toFixed(0), "ms");
await c.run("SET memory_limit = '4GB'");
await c.run("ROLLBACK");
console.log("committed hwm", Number(hwm()) >> 10, (performance.now() - t).toFixed(0), "ms");
c.closeSync(); inst.closeSync();
