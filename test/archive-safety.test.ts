import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { holdsDeletedRows } from "../src/export/archive-mark.ts";
import { moveIntoPlace } from "../src/export/move-into-place.ts";
import { query } from "./helpers/duckdb-read.ts";
import { createFixtureDatabase, FIXTURE_ROWS } from "./helpers/fixture-db.ts";
import { runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

setDefaultTimeout(120_000);

let template: string;

beforeAll(async () => {
  template = join(tempDir("safety-template-"), "template.duckdb");
  await createFixtureDatabase(template);
});

function freshDatabase(name = "ai-observer.duckdb"): string {
  const db = join(tempDir("safety-db-"), name);
  copyFileSync(template, db);
  return db;
}

async function rows(db: string, table = "otel_metrics"): Promise<number> {
  return Number((await query(`SELECT count(*)::INTEGER AS n FROM ${table}`, {}, db))[0]?.n);
}

async function parquetRows(file: string): Promise<number> {
  return Number((await query("SELECT count(*)::INTEGER AS n FROM read_parquet($file)", { file }))[0]?.n);
}

const onDay = (day: string) => FIXTURE_ROWS.filter((row) => row.timestamp.startsWith(day)).length;

describe("--delete-after never replaces an archive", () => {
  test("without --zip, a second range into the same folder is refused, and the first archive and the second range's rows stay", async () => {
    const db = freshDatabase();
    const out = tempDir("archive-");
    const first = await runCli(["export", "all", "--from", "2025-01-01", "--to", "2025-01-01", "--delete-after", "--yes", "--db", db, "--output", out]);
    expect(first.exitCode).toBe(0);
    expect(await parquetRows(join(out, "metrics.parquet"))).toBe(onDay("2025-01-01"));
    expect(holdsDeletedRows(join(out, "metrics.parquet"))).toBe(true);
    const left = await rows(db);

    const second = await runCli(["export", "all", "--from", "2025-01-02", "--to", "2025-01-02", "--delete-after", "--yes", "--db", db, "--output", out]);
    expect(second.stderr).toBe(
      `error: ${join(out, "traces.parquet")} exists already, and --delete-after never replaces a file (an earlier archive may be the only copy of its rows); move it away or choose another --output\n`,
    );
    expect(second.exitCode).toBe(1);
    expect(await parquetRows(join(out, "metrics.parquet"))).toBe(onDay("2025-01-01"));
    expect(await rows(db)).toBe(left);
  });

  test("with --zip, the same range again after a late row arrived is refused: the archive keeps its bytes, the late row stays", async () => {
    const db = freshDatabase();
    const out = tempDir("archive-");
    const args = ["export", "all", "--month", "2025-01", "--zip", "--delete-after", "--yes", "--db", db, "--output", out];
    expect((await runCli(args)).exitCode).toBe(0);
    const zip = join(out, "ai-observer-export-all-2025-01-01-2025-01-31.zip");
    const archived = readFileSync(zip);
    expect(holdsDeletedRows(zip)).toBe(true);
    expect(await rows(db)).toBe(0);
    // A late row, as an import of a session file written meanwhile would add.
    await query(`ATTACH '${db}' AS d; INSERT INTO d.otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value) VALUES ('2025-01-20 10:00:00', 'claude-code', 'late', 'sum', 1)`);
    const again = await runCli(args);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`error: ${zip} exists already, and --delete-after never replaces a file`);
    expect(readFileSync(zip).equals(archived)).toBe(true);
    expect(await rows(db)).toBe(1);
  });

  test("a plain export never replaces an archive whose rows were deleted, zipped or not; it replaces its own earlier files", async () => {
    const db = freshDatabase();
    const zipped = tempDir("zipped-");
    expect((await runCli(["export", "all", "--month", "2025-01", "--zip", "--delete-after", "--yes", "--db", freshDatabase(), "--output", zipped])).exitCode).toBe(0);
    const overZip = await runCli(["export", "all", "--month", "2025-01", "--zip", "--yes", "--db", db, "--output", zipped]);
    expect(overZip.exitCode).toBe(1);
    expect(overZip.stderr).toBe(
      `error: ${join(zipped, "ai-observer-export-all-2025-01-01-2025-01-31.zip")} holds rows that an earlier --delete-after deleted from the database, so no export replaces it; move it away or choose another --output\n`,
    );

    const plain = tempDir("plain-");
    expect((await runCli(["export", "all", "--from", "2025-01-01", "--to", "2025-01-01", "--delete-after", "--yes", "--db", db, "--output", plain])).exitCode).toBe(0);
    const overParquet = await runCli(["export", "all", "--yes", "--db", db, "--output", plain]);
    expect(overParquet.exitCode).toBe(1);
    expect(overParquet.stderr).toContain(`error: ${join(plain, "traces.parquet")} holds rows that an earlier --delete-after deleted`);
    expect(await parquetRows(join(plain, "metrics.parquet"))).toBe(onDay("2025-01-01"));

    const own = tempDir("own-");
    for (let run = 0; run < 2; run++) expect((await runCli(["export", "all", "--yes", "--db", db, "--output", own])).exitCode).toBe(0);
    expect(holdsDeletedRows(join(own, "metrics.parquet"))).toBe(false);
  });
});

describe("the database is never an output", () => {
  test.each([["ai-observer-export-all-all.duckdb"], ["traces.parquet"]])("a database named %s in the output folder: exit 1, the database untouched", async (name) => {
    const db = freshDatabase(name);
    const before = readFileSync(db);
    const run = await runCli(["export", "all", "--yes", "--db", db, "--output", join(db, "..")]);
    expect(run.stderr).toBe(`error: ${db} is the database being exported, and the export would replace it; choose another --output\n`);
    expect(run.exitCode).toBe(1);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(join(db, "..")).sort()).toEqual([name]);
  });

  test("a hard link to the database under an export's name, and the write-ahead log's name as the output folder", async () => {
    const db = freshDatabase();
    const out = tempDir("linked-");
    linkSync(db, join(out, "logs.parquet"));
    const linked = await runCli(["export", "all", "--yes", "--db", db, "--output", out]);
    expect(linked.exitCode).toBe(1);
    expect(linked.stderr).toContain("is the database being exported");
    expect(await rows(db)).toBe(FIXTURE_ROWS.length);
    const wal = await runCli(["export", "all", "--yes", "--db", db, "--output", `${db}.wal`]);
    expect(wal.stderr).toBe(`error: the output folder ${db}.wal is the database's own file ${db}.wal; choose another --output\n`);
    expect(existsSync(`${db}.wal`)).toBe(false);
  });
});

describe("moving into place is all or nothing", () => {
  test("a name that is a folder: exit 1 naming it, before anything is written or replaced", async () => {
    const db = freshDatabase();
    const out = tempDir("folder-");
    expect((await runCli(["export", "all", "--from", "2025-01-01", "--to", "2025-01-01", "--yes", "--db", db, "--output", out])).exitCode).toBe(0);
    mkdirSync(join(out, "metrics.parquet.new"));
    const blocked = join(out, "logs.parquet");
    const earlier = readFileSync(join(out, "traces.parquet"));
    // Replace logs.parquet by a folder: the next export must not put half its files in place.
    Bun.spawnSync(["rm", blocked]);
    mkdirSync(blocked);
    const run = await runCli(["export", "all", "--from", "2025-01-02", "--to", "2025-01-02", "--yes", "--db", db, "--output", out]);
    expect(run.stderr).toBe(`error: ${blocked} exists and is not a file, so the export cannot put its file there; move it away or choose another --output\n`);
    expect(run.exitCode).toBe(1);
    expect(readFileSync(join(out, "traces.parquet")).equals(earlier)).toBe(true);
  });

  test("a rename that fails half way puts every replaced file back and takes the new ones out", () => {
    const staging = tempDir("staging-");
    const out = tempDir("out-");
    for (const name of ["a", "b", "c"]) {
      writeFileSync(join(out, name), `old ${name}`);
      writeFileSync(join(staging, name), `new ${name}`);
    }
    writeFileSync(join(staging, "d"), "new d");
    // c cannot be moved into place: its staged copy is gone.
    Bun.spawnSync(["rm", join(staging, "c")]);
    expect(() => moveIntoPlace(staging, out, ["a", "d", "b", "c"])).toThrow(`cannot move the export's file into place at ${join(out, "c")}: no such file or folder; every file was put back`);
    expect(readdirSync(out).sort()).toEqual(["a", "b", "c"]);
    for (const name of ["a", "b", "c"]) expect(readFileSync(join(out, name), "utf8")).toBe(`old ${name}`);
  });

  test("a run killed while moving its files into place is undone by the next export into the folder", async () => {
    const db = freshDatabase();
    const out = tempDir("killed-");
    expect((await runCli(["export", "all", "--from", "2025-01-01", "--to", "2025-01-01", "--yes", "--db", db, "--output", out])).exitCode).toBe(0);
    const earlier = Object.fromEntries(readdirSync(out).map((name) => [name, readFileSync(join(out, name))]));
    // What a run killed after moving traces.parquet into place leaves: a journal, the replaced file aside, its new one in place.
    const staging = join(out, ".ai-observer-tmp-999999-abc");
    mkdirSync(join(staging, "replaced"), { recursive: true });
    const names = ["traces.parquet", "logs.parquet", "metrics.parquet", "ai-observer-export-all-2025-01-02-2025-01-02.duckdb"];
    writeFileSync(join(staging, "move-journal.json"), JSON.stringify({ files: names.map((name) => ({ name, replaces: name.endsWith(".parquet") })) }));
    copyFileSync(join(out, "traces.parquet"), join(staging, "replaced", "traces.parquet"));
    writeFileSync(join(out, "traces.parquet"), "the new file of the killed run");
    for (const name of names.slice(1)) writeFileSync(join(staging, name), "not moved yet");
    // The next export into the folder (one that writes only a ZIP) undoes the move before anything else.
    const next = await runCli(["export", "claude-code", "--from", "2025-01-01", "--to", "2025-01-01", "--zip", "--yes", "--db", db, "--output", out]);
    expect(next.exitCode).toBe(0);
    expect(existsSync(staging)).toBe(false);
    const after = Object.fromEntries(readdirSync(out).filter((name) => !name.endsWith(".zip")).map((name) => [name, readFileSync(join(out, name))]));
    expect(Object.keys(after).sort()).toEqual(Object.keys(earlier).sort());
    for (const [name, bytes] of Object.entries(earlier)) expect(after[name]?.equals(bytes)).toBe(true);
  });
});
