import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { claudeLine, claudeLines } from "./helpers/claude-lines.ts";
import { query } from "./helpers/duckdb-read.ts";
import { CLI, CLI_TMP, hermeticEnv, REPO_ROOT, runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

const FILES = 4;
const PER_FILE = 10_000;
/** Each line's log rows: its api_request and its transcript row (transcripts are imported by default). */
const LOGS_PER_LINE = 2;

async function logRows(db: string): Promise<number> {
  return Number((await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db))[0]?.n);
}

test("an interrupted import leaves the database as it was, and the next import completes it", async () => {
  const root = join(tempDir("big-sessions-"), "projects", "p");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "small.jsonl"), `${claudeLine(999_999)}\n`);
  const none = tempDir("no-sessions-");
  const env = sessionEnv(join(root, ".."), none, none);
  const db = join(tempDir(), "db.duckdb");
  expect((await runCli(["import", "all", "--db", db, "--yes"], { env })).exitCode).toBe(0);
  expect(await logRows(db)).toBe(LOGS_PER_LINE);

  for (let file = 0; file < FILES; file++) writeFileSync(join(root, `big-${file}.jsonl`), claudeLines(PER_FILE, file * PER_FILE));
  const scratch = () => readdirSync(CLI_TMP).filter((name) => name.startsWith("ai-observer-rows-") || name.startsWith("ai-observer-temp-"));
  const scratchBefore = scratch();
  const proc = Bun.spawn(["bun", CLI, "import", "all", "--db", db, "--yes"], { cwd: REPO_ROOT, env: hermeticEnv(env), stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!seen.includes("Importing data...")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    seen += new TextDecoder().decode(chunk.value);
  }
  await Bun.sleep(200);
  proc.kill("SIGINT");
  expect(await proc.exited).toBe(130);
  expect(await logRows(db)).toBe(LOGS_PER_LINE);
  expect(scratch()).toEqual(scratchBefore);

  const again = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env });
  expect(again.exitCode).toBe(0);
  expect(JSON.parse(again.stdout).tools[0].files).toMatchObject({ new: FILES, unchanged: 1 });
  expect(await logRows(db)).toBe(LOGS_PER_LINE * (1 + FILES * PER_FILE));
});
