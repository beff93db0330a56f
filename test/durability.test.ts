import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createFixtureDatabase } from "./helpers/fixture-db.ts";
import { CLI, hermeticEnv, REPO_ROOT } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// A power loss keeps what was synced. strace shows, call by call, that every file is synced (and its pages dropped,
// so that the re-read reads the disk) before it is moved into place, that the output folder is synced after the
// moves, and that all of that happens before the first sync of the database's delete.
setDefaultTimeout(120_000);

const strace = Bun.which("strace");
const traced = strace !== null && Bun.spawnSync([strace, "-qq", "-e", "trace=none", "true"], { stderr: "pipe" }).exitCode === 0;
if (!traced) console.log("durability tests skipped: strace is not installed or may not trace here (apt-get install strace)");

let template: string;

beforeAll(async () => {
  template = join(tempDir("durable-template-"), "template.duckdb");
  await createFixtureDatabase(template);
});

interface Call {
  name: string;
  /** The paths in the call: fds as strace -y prints them, and quoted paths. */
  paths: string[];
}

function trace(args: string[]): Call[] {
  const log = join(tempDir("strace-"), "trace.txt");
  const run = Bun.spawnSync(
    [strace as string, "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,fadvise64", "-o", log, "bun", CLI, ...args],
    { cwd: REPO_ROOT, env: hermeticEnv(), stdout: "pipe", stderr: "pipe" },
  );
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => / = 0$/.test(line))
    .map((line) => {
      const name = /^\d+\s+(\w+)\(/.exec(line)?.[1] ?? "";
      const paths = [...line.matchAll(/<([^>]*)>|"([^"]*)"/g)].map((match) => match[1] ?? match[2] ?? "");
      return { name, paths };
    });
}

const isSync = (call: Call) => call.name === "fsync" || call.name === "fdatasync";
const isRename = (call: Call) => call.name.startsWith("rename");

/** Checks the order of a traced export into `out`; returns the index of the last call of the move into place. */
function checkMoves(calls: Call[], out: string): number {
  const moves = calls.map((call, index) => ({ call, index })).filter(({ call }) => isRename(call) && dirname(call.paths[1] ?? "") === out);
  expect(moves.length).toBeGreaterThan(0);
  for (const { call, index } of moves) {
    const source = call.paths[0] as string;
    const synced = calls.findIndex((other) => isSync(other) && other.paths[0] === source);
    expect({ source, syncedBeforeMove: synced >= 0 && synced < index }).toEqual({ source, syncedBeforeMove: true });
  }
  const lastMove = moves.at(-1)?.index as number;
  const folderSynced = calls.findIndex((call, index) => index > lastMove && isSync(call) && call.paths[0] === out);
  expect(folderSynced).toBeGreaterThan(lastMove);
  return folderSynced;
}

describe.if(traced)("durability: synced before replaced, moved and deleted", () => {
  test.each([[["--zip"]], [[]]])("export %p --delete-after: archive synced, its pages dropped, moved, folder synced, then the delete", (flags) => {
    const db = join(tempDir("durable-"), "db.duckdb");
    Bun.spawnSync(["cp", template, db]);
    const out = join(tempDir("durable-out-"), "new", "archive");
    const calls = trace(["export", "all", "--month", "2025-01", ...flags, "--delete-after", "--yes", "--db", db, "--output", out]);
    const settled = checkMoves(calls, out);
    // Each archive file's pages were dropped after its sync, before the re-read.
    for (const call of calls.filter((call) => isRename(call) && dirname(call.paths[1] ?? "") === out)) {
      expect(calls.some((other) => other.name === "fadvise64" && other.paths[0] === call.paths[0])).toBe(true);
    }
    // The folders this run made are synced into their parents.
    for (const parent of [dirname(out), dirname(dirname(out))]) {
      expect(calls.findIndex((call) => isSync(call) && call.paths[0] === parent)).toBeGreaterThan(settled);
    }
    // DuckDB syncs the delete's write-ahead log only after all of that.
    const deleted = calls.findIndex((call) => isSync(call) && (call.paths[0] === `${db}.wal` || call.paths[0] === db));
    expect(deleted).toBeGreaterThan(settled);
    const parentsSynced = Math.max(...[dirname(out), dirname(dirname(out))].map((parent) => calls.findIndex((call) => isSync(call) && call.paths[0] === parent)));
    expect(deleted).toBeGreaterThan(parentsSynced);
  });

  test("a plain export over an earlier one: every new file synced before it replaces the old", () => {
    const out = tempDir("durable-plain-");
    for (let run = 0; run < 2; run++) checkMoves(trace(["export", "all", "--yes", "--db", template, "--output", out]), out);
  });
});
