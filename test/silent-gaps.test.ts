import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareNobodyCli } from "./helpers/as-nobody.ts";
import { claudeLine, claudeLines } from "./helpers/claude-lines.ts";
import { query } from "./helpers/duckdb-read.ts";
import { hermeticEnv, runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// What cannot be read is never a silent "nothing to do": the run does the rest, names what it could not read, and
// exits 1, so that cron reports it while the agents still keep the files.
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");

function claudeProjects(files: Record<string, string>): string {
  const projects = join(tempDir("gap-"), "projects");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(projects, name, ".."), { recursive: true });
    writeFileSync(join(projects, name), content);
  }
  return projects;
}

describe("session folders that cannot be read", () => {
  test("a configured folder that does not exist: import and export --from-files exit 1 naming it and the setting", async () => {
    const typo = join(tempDir(), "typo");
    const empty = tempDir("no-sessions-");
    const env = sessionEnv(typo, empty, empty);
    const expected = `error: 1 session file or folder could not be read (the rest was imported): ${typo}: no such folder (named by AI_OBSERVER_CLAUDE_PATH)\n`;
    const imported = await runCli(["import", "all", "--db", join(tempDir(), "db.duckdb"), "--yes"], { env });
    expect(imported.stderr).toBe(expected);
    expect(imported.exitCode).toBe(1);
    const exported = await runCli(["export", "all", "--from-files", "--output", join(tempDir(), "out"), "--yes", "--json"], { env });
    expect(exported.stderr).toBe(expected.replace("imported", "exported"));
    expect(exported.exitCode).toBe(1);
    expect(JSON.parse(exported.stdout).input.failed).toEqual([{ path: typo, reason: "no such folder (named by AI_OBSERVER_CLAUDE_PATH)" }]);
  });

  test("the agents' default folders missing (the agent is not installed) is no failure", async () => {
    const home = tempDir("empty-home-");
    const run = await runCli(["import", "all", "--db", join(tempDir(), "db.duckdb"), "--yes"], { env: { HOME: home } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No new or modified files found to import.\n");
  });

  test("a session file that cannot be opened: the rest is imported, the file named, exit 1, also when nothing else changed", async () => {
    const projects = claudeProjects({ "p/good.jsonl": claudeLines(3) });
    symlinkSync("loop.jsonl", join(projects, "p", "loop.jsonl")); // a link to itself: ELOOP for root too
    const empty = tempDir("no-sessions-");
    const env = sessionEnv(projects, empty, empty);
    const db = join(tempDir(), "db.duckdb");
    for (let run = 0; run < 2; run++) {
      const imported = await runCli(["import", "all", "--db", db, "--yes"], { env });
      expect(imported.stderr).toMatch(new RegExp(`^error: 1 session file or folder could not be read \\(the rest was imported\\): ${join(projects, "p", "loop.jsonl")}: .+\\n$`));
      expect(imported.exitCode).toBe(1);
    }
    // Each line's api_request and its transcript row.
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db)).toEqual([{ n: 2 * 3 }]);
  });

  const nobody = process.getuid?.() === 0 ? prepareNobodyCli() : null;
  if (typeof nobody === "string") console.log(`unreadable-folder test skipped: ${nobody}`);
  afterAll(() => {
    if (nobody && typeof nobody !== "string") nobody.dispose();
  });

  test.if(typeof nobody !== "string")("a folder without permission: the readable sessions are imported, the folder named, exit 1", async () => {
    if (typeof nobody === "string") return;
    // As root every folder is readable: then the CLI runs as nobody (helpers/as-nobody.ts), in a folder nobody may enter.
    const base = nobody ? nobody.shared : tempDir("perm-");
    const projects = join(base, "projects");
    mkdirSync(join(projects, "open"), { recursive: true });
    mkdirSync(join(projects, "closed"), { recursive: true });
    writeFileSync(join(projects, "open", "a.jsonl"), claudeLines(2));
    writeFileSync(join(projects, "closed", "b.jsonl"), claudeLines(2, 100));
    const empty = join(base, "empty");
    mkdirSync(empty);
    const db = join(base, "db.duckdb");
    const env = { ...sessionEnv(projects, empty, empty), HOME: base, TMPDIR: base };
    if (nobody) {
      for (const path of [projects, join(projects, "open"), join(projects, "closed"), empty]) chmodSync(path, 0o755);
      for (const path of [base]) chmodSync(path, 0o777);
    }
    chmodSync(join(projects, "closed"), 0o000);
    try {
      const args = ["import", "all", "--db", db, "--yes"];
      const run = nobody
        ? Bun.spawnSync([...nobody.command, ...args], { cwd: "/", env: hermeticEnv(env), stdout: "pipe", stderr: "pipe" })
        : Bun.spawnSync(["bun", join(import.meta.dir, "..", "src", "cli.ts"), ...args], { env: hermeticEnv(env), stdout: "pipe", stderr: "pipe" });
      expect(run.stderr.toString()).toBe(`error: 1 session file or folder could not be read (the rest was imported): ${join(projects, "closed")}: permission denied\n`);
      expect(run.exitCode).toBe(1);
      expect(await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db)).toEqual([{ n: 2 * 2 }]);
    } finally {
      chmodSync(join(projects, "closed"), 0o755);
    }
  });
});

describe("usage without a valid timestamp is a bad line, never silently dropped", () => {
  test("Claude, Codex and Gemini lines with usage and a missing or invalid timestamp are counted", async () => {
    const undated = JSON.parse(claudeLine(1)) as Record<string, unknown>;
    delete undated.timestamp;
    const invalid = { ...(JSON.parse(claudeLine(2)) as Record<string, unknown>), timestamp: "not a date" };
    const claude = claudeProjects({ "p/s.jsonl": `${claudeLine(0)}\n${JSON.stringify(undated)}\n${JSON.stringify(invalid)}\n` });

    const codex = join(tempDir("codex-"), "sessions");
    mkdirSync(codex);
    const rollout = readFileSync(join(FIXTURES, "codex", "sessions", "2026", "01", "02", "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl"), "utf8").trimEnd().split("\n");
    const broken = rollout.map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      const payload = record.payload as Record<string, unknown> | undefined;
      if (payload?.type === "token_count" && payload.info) delete record.timestamp;
      return JSON.stringify(record);
    });
    const removed = broken.filter((line, index) => line !== rollout[index]).length;
    expect(removed).toBeGreaterThan(0);
    writeFileSync(join(codex, "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl"), `${broken.join("\n")}\n`);

    const gemini = join(tempDir("gemini-"), "tmp", "p", "chats");
    mkdirSync(gemini, { recursive: true });
    const session = readFileSync(join(FIXTURES, "gemini", "tmp", "my-app", "chats", "session-2026-01-02T10-00-3f1c0a7e.jsonl"), "utf8");
    writeFileSync(join(gemini, "session-2026-01-02T10-00-3f1c0a7e.jsonl"), session.replaceAll('{"id":"g1","timestamp":"2026-01-02T10:00:05.000Z",', '{"id":"g1","timestamp":"soon",'));

    const run = await runCli(["export", "all", "--from-files", "--output", join(tempDir(), "out"), "--yes", "--json"], {
      env: sessionEnv(claude, codex, join(gemini, "..", "..")),
    });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).input.badLines).toBe(2 + removed + 1);
  });
});

describe("drift: usage in shapes we do not know is counted and reported, never silently dropped", () => {
  test("per tool, in the summary and --json, with the files named under --verbose (fixtures test/fixtures/drift)", async () => {
    const drift = join(FIXTURES, "drift");
    const env = sessionEnv(join(drift, "claude"), join(drift, "codex"), join(drift, "gemini"));
    const exported = await runCli(["export", "all", "--from-files", "--output", join(tempDir(), "out"), "--yes", "--json"], { env });
    expect(exported.exitCode).toBe(0);
    expect(JSON.parse(exported.stdout).input.unknownUsage.lines).toBe(2 + 2 + 1);
    const imported = await runCli(["import", "all", "--db", join(tempDir(), "db.duckdb"), "--yes", "--json"], { env });
    expect(imported.exitCode).toBe(0);
    const tools = JSON.parse(imported.stdout).tools as { tool: string; unknownUsage: { lines: number; files: string[] } }[];
    expect(tools.map((tool) => [tool.tool, tool.unknownUsage.lines, tool.unknownUsage.files.length])).toEqual([
      ["claude-code", 2, 1],
      ["codex", 2, 1],
      ["gemini", 1, 1],
    ]);
    const verbose = await runCli(["export", "all", "--from-files", "--output", join(tempDir(), "out"), "--yes", "--verbose"], { env });
    expect(verbose.stdout).toContain("Usage in shapes this version does not know: 5 lines, not counted");
    expect(verbose.stdout).toContain(join(drift, "codex", "rollout-2026-11-01T10-00-00-019d0000-0000-7000-8000-0000000000d1.jsonl"));
  });
});
