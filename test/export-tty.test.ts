import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFixtureDatabase } from "./helpers/fixture-db.ts";
import { claudeLine } from "./helpers/claude-lines.ts";
import { CLI, hermeticEnv, REPO_ROOT, runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

let db: string;

beforeAll(async () => {
  db = join(tempDir("tty-db-"), "ai-observer.duckdb");
  await createFixtureDatabase(db);
}, 60_000);

/** Runs the CLI on a pseudo-terminal (util-linux `script`) and types `keys` once it asks. */
async function runOnTerminal(args: string[], keys: string, env: Record<string, string> = {}): Promise<{ exitCode: number; screen: string }> {
  const command = ["stty rows 40 cols 120;", "exec", "bun", CLI, ...args].map((part) => (part.endsWith(";") ? part : `'${part.replaceAll("'", "'\\''")}'`)).join(" ");
  const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], { cwd: REPO_ROOT, env: hermeticEnv(env), stdin: "pipe", stdout: "pipe" });
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  let screen = "";
  let typed = false;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    screen += decoder.decode(chunk.value);
    if (!typed && screen.includes("Continue?")) {
      typed = true;
      proc.stdin.write(keys);
      proc.stdin.flush();
    }
  }
  return { exitCode: await proc.exited, screen };
}

describe("confirmation on a terminal", () => {
  test("answering y exports", async () => {
    const out = join(tempDir(), "yes");
    const run = await runOnTerminal(["export", "codex", "--db", db, "--output", out], "y");
    expect(run.exitCode).toBe(0);
    expect(run.screen).toContain("Export complete!");
    expect(readdirSync(out)).toContain("logs.parquet");
  });

  test("answering n aborts, exit 0, nothing written", async () => {
    const out = join(tempDir(), "no");
    const run = await runOnTerminal(["export", "codex", "--db", db, "--output", out], "n");
    expect(run.exitCode).toBe(0);
    expect(run.screen).toContain("Aborted.");
    expect(existsSync(out)).toBe(false);
  });
});

describe("progress while reading session files", () => {
  test("shows on a terminal, never in a pipe", async () => {
    const root = join(tempDir("progress-"), "projects", "p");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "a.jsonl"), `${claudeLine(1)}\n`);
    const env = { AI_OBSERVER_CLAUDE_PATH: join(root, ".."), AI_OBSERVER_CODEX_PATH: "/nonexistent", AI_OBSERVER_GEMINI_PATH: "/nonexistent" };
    const onTerminal = await runOnTerminal(["export", "claude-code", "--from-files", "--output", join(tempDir(), "o")], "n", env);
    expect(onTerminal.screen).toContain("Reading claude-code sessions: 1/1 files");
    const piped = await runCli(["export", "claude-code", "--from-files", "--output", join(tempDir(), "o"), "--yes"], { env });
    expect(piped.exitCode).toBe(0);
    expect(piped.stdout).not.toContain("Reading");
  });
});
