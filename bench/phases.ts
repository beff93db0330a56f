/**
 * Phase timings of `export --from-files` and of a fresh `import`, in process: the same functions the CLI calls,
 * timed one by one, with every DuckDB statement timed separately (a proxy around the connection), so that
 * JavaScript work (parsing, NDJSON writing, hashing) and native DuckDB work (read_json ingest, COPY,
 * checkpoint) are told apart. A CPU profile cannot do that: DuckDB works on its own threads.
 *
 *   bun bench/phases.ts [--size-mb 400] [--seed 1] [--ref HEAD]
 *
 * Diagnostic: it calls internal functions of src/ (as of commit 7c97912); adapt it when they change.
 */
import { flagValue } from "./args.ts";
import { readdirSync, rmSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkoutRef } from "./run.ts";

const startedAt = performance.now(); // Bun start-up until here is in performance.timeOrigin..now
const REPO = resolve(import.meta.dir, "..");
const argv = process.argv.slice(2);
const value = (flag: string, fallback: string) => flagValue(flag, fallback, argv);
const sizeMb = Number(value("--size-mb", "400"));
const seed = Number(value("--seed", "1"));
const ref = argv.includes("--ref") ? value("--ref", "HEAD") : null;
const srcRoot = ref ? checkoutRef(ref).dir : REPO;
const root = join(REPO, "bench", ".data", `tree-${sizeMb}mb-s${seed}`);
const work = join(REPO, "bench", ".data", "phases");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
process.env["AI_OBSERVER_CLAUDE_PATH"] = join(root, "projects");

// Internal modules of the version under test (untyped on purpose: their signatures may change).
const mod = async (path: string): Promise<any> => import(join(srcRoot, "src", path));

interface Phase {
  name: string;
  ms: number;
  /** RSS after the phase, and the highest RSS seen during it (sampled every 10 ms while the event loop runs). */
  rssMb?: number;
  peakMb?: number;
  heapMb?: number;
}

let peakRss = 0;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10).unref();
const mb = (bytes: number) => bytes / 1024 / 1024;

class Timer {
  readonly phases: Phase[] = [];
  sql = new Map<string, { ms: number; n: number }>();
  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    peakRss = process.memoryUsage.rss();
    const result = await work();
    const ms = performance.now() - started;
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    this.phases.push({ name, ms, rssMb: mb(usage.rss), peakMb: mb(peakRss), heapMb: mb(usage.heapUsed) });
    return result;
  }
  /** A connection whose statements are timed, keyed by their first words. */
  wrap<C extends object>(connection: C): C {
    const sql = this.sql;
    return new Proxy(connection, {
      get(target, property, receiver) {
        const original = Reflect.get(target, property, receiver);
        if (typeof original !== "function" || !["run", "runAndReadAll", "runAndRead", "prepare"].includes(String(property))) {
          return typeof original === "function" ? original.bind(target) : original;
        }
        return async (...args: unknown[]) => {
          const key = String(args[0]).replace(/--[^\n]*\n/g, " ").replace(/\s+/g, " ").trim().slice(0, 70);
          const started = performance.now();
          try {
            return await original.apply(target, args);
          } finally {
            const entry = sql.get(key) ?? { ms: 0, n: 0 };
            entry.ms += performance.now() - started;
            entry.n++;
            sql.set(key, entry);
          }
        };
      },
    });
  }
  print(title: string): void {
    const total = this.phases.reduce((sum, p) => sum + p.ms, 0);
    console.log(`\n=== ${title}: ${(total / 1000).toFixed(2)} s in the phases below ===`);
    for (const p of this.phases) {
      const memory = p.rssMb === undefined ? "" : `   [RSS after ${p.rssMb.toFixed(0)} MB, peak during ${p.peakMb?.toFixed(0)} MB, JS heap ${p.heapMb?.toFixed(0)} MB]`;
      console.log(`  ${(p.ms / 1000).toFixed(3).padStart(7)} s  ${p.name}${memory}`);
    }
    const sqlTotal = [...this.sql.values()].reduce((sum, e) => sum + e.ms, 0);
    console.log(`  DuckDB statements (inside the phases above), ${(sqlTotal / 1000).toFixed(3)} s in all:`);
    for (const [key, e] of [...this.sql].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
      console.log(`  ${(e.ms / 1000).toFixed(3).padStart(7)} s  ×${e.n}  ${key}`);
    }
  }
}

const { loadDuckDB } = await mod("db/duckdb.ts");
const { createSchema } = await mod("db/schema.ts");
const { discoverTools, parseFiles } = await mod("sources/load-sessions.ts");
const { selectEvents } = await mod("sources/shared/merge.ts");
const { insertEventRows } = await mod("db/insert-rows.ts");
const { createViewsDatabase } = await mod("export/views-db.ts");
const { openOrCreateDatabase } = await mod("db/open.ts");
const { planTool } = await mod("import/plan-import.ts");
const { applyPlans } = await mod("import/apply-import.ts");
const { sha256File } = await mod("import/file-hash.ts");
const modulesLoaded = performance.now();
console.log(`phases of ${ref ? `src/ at ${ref} (${srcRoot})` : "the working tree"} on ${root}`);
console.log(`bun start-up ${startedAt.toFixed(0)} ms; loading our modules ${(modulesLoaded - startedAt).toFixed(0)} ms`);

// ---------------------------------------------------------------- export --from-files
{
  const t = new Timer();
  const duckdb = await t.time("load DuckDB (native library)", () => loadDuckDB());
  const instance = await t.time("create :memory: instance + connect", () => duckdb.DuckDBInstance.create(":memory:"));
  const raw = await instance.connect();
  const connection = t.wrap(raw);
  await t.time("create schema", () => createSchema(connection));
  const found = await t.time("discover files", () => discoverTools(["claude-code"]));
  const tool = found[0];
  const parsed = await t.time(`parse ${tool.files.length} files (${(tool.files.reduce((s: number, f: { size: number }) => s + f.size, 0) / 1e6).toFixed(0)} MB)`, () => parseFiles(tool.source, tool.files));
  const events = await t.time("select events (global dedup)", () => selectEvents(parsed.parsed));
  const sqlBefore = [...t.sql.values()].reduce((s, e) => s + e.ms, 0);
  const inserted = await t.time(`insert rows (NDJSON file + read_json)`, () => insertEventRows(connection, events));
  const sqlInsert = [...t.sql.values()].reduce((s, e) => s + e.ms, 0) - sqlBefore;
  const insertPhase = t.phases[t.phases.length - 1] as Phase;
  t.phases.push({ name: `  of which JS (row objects, attribute JSON, NDJSON writing): ${((insertPhase.ms - sqlInsert) / 1000).toFixed(3)} s; DuckDB read_json + INSERT: ${(sqlInsert / 1000).toFixed(3)} s`, ms: 0 });
  const out = join(work, "export");
  mkdirSync(out, { recursive: true });
  for (const [table, file] of [["otel_traces", "traces"], ["otel_logs", "logs"], ["otel_metrics", "metrics"]]) {
    await t.time(`COPY ${table} to ZSTD Parquet`, () => connection.run(`COPY (SELECT * FROM ${table}) TO '${join(out, `${file}.parquet`)}' (FORMAT PARQUET, COMPRESSION 'ZSTD')`));
  }
  await t.time("views database", () => createViewsDatabase(out, "views.duckdb"));
  await t.time("close", () => {
    raw.closeSync();
    instance.closeSync();
  });
  t.print(`export claude-code --from-files (${inserted.logs} logs, ${inserted.metrics} metrics)`);
}

// ---------------------------------------------------------------- import (fresh database)
{
  const t = new Timer();
  const path = join(work, "fresh.duckdb");
  const db = await t.time("open/create database (schema, import tables)", () => openOrCreateDatabase(path));
  const connection = t.wrap(db.connection);
  await connection.run("BEGIN TRANSACTION");
  const found = await t.time("discover files", () => discoverTools(["claude-code"]));
  const plan = await t.time("plan: classify + parse + look up stored events", () => planTool(connection, found[0], { range: {}, force: false }));
  const sqlBefore = [...t.sql.values()].reduce((s, e) => s + e.ms, 0);
  const inserted = await t.time("apply: delete replaced, insert rows, record events and files", () => applyPlans(connection, [plan], new Date().toISOString().replace("T", " ").slice(0, 23)));
  const sqlApply = [...t.sql.values()].reduce((s, e) => s + e.ms, 0) - sqlBefore;
  const applyPhase = t.phases[t.phases.length - 1] as Phase;
  t.phases.push({ name: `  of which JS (rows, NDJSON, SHA-256 of every file): ${((applyPhase.ms - sqlApply) / 1000).toFixed(3)} s; DuckDB statements: ${(sqlApply / 1000).toFixed(3)} s`, ms: 0 });
  await t.time("COMMIT", () => connection.run("COMMIT"));
  await t.time("close (checkpoint to disk)", () => db.close());
  const files = (readdirSync(join(root, "projects"), { recursive: true }) as string[]).filter((name) => name.endsWith(".jsonl")).map((name) => join(root, "projects", name));
  const hashStarted = performance.now();
  for (const file of files) await sha256File(file);
  const hashMs = performance.now() - hashStarted;
  t.print(`import claude-code, fresh (${inserted.logs} logs, ${inserted.metrics} metrics)`);
  console.log(`  (separately: SHA-256 of all ${files.length} files for import_state: ${(hashMs / 1000).toFixed(3)} s — part of "apply" JS above)`);
  console.log(`  database file: ${(statSync(path).size / 1e6).toFixed(1)} MB`);
}
