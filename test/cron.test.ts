import { expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { claudeLine } from "./helpers/claude-lines.ts";
import { query } from "./helpers/duckdb-read.ts";
import { CLI, REPO_ROOT } from "./helpers/run-cli.ts";
import { layOutSamples } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

/** The command part of each job line of docs/cron.md's crontab, as cron would run it. */
function cronJobs(): string[] {
  const doc = readFileSync(join(REPO_ROOT, "docs", "cron.md"), "utf8");
  const block = /```cron\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
  return block
    .split("\n")
    .filter((line) => /^[\d*]/.test(line))
    .map((line) => line.split(/\s+/).slice(5).join(" ").replaceAll("\\%", "%"));
}

function lastMonth(now = new Date()): { from: string; to: string; label: string; day: string } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return { from: day(from), to: day(to), label: day(from).slice(0, 7), day: day(new Date(from.getTime() + 9 * 86_400_000)) };
}

function runJob(command: string, home: string): number {
  const bunDir = dirname(Bun.which("bun") ?? "/usr/local/bin/bun");
  const job = command.replaceAll("/usr/local/bin/ai-observer", `bun '${CLI}'`);
  const env = { HOME: home, PATH: `${bunDir}:/usr/local/bin:/usr/bin:/bin`, SHELL: "/bin/sh", LANG: "C.UTF-8" };
  return Bun.spawnSync(["/bin/sh", "-c", job], { cwd: "/", env }).exitCode;
}

test("the crontab of docs/cron.md imports nightly, then archives last month and deletes exactly that", async () => {
  const jobs = cronJobs();
  expect(jobs).toHaveLength(2);
  const home = tempDir("cron-home-");
  layOutSamples(home);
  const month = lastMonth();
  const project = join(home, ".claude", "projects", "-home-me-recent");
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "recent.jsonl"), [1, 2, 3].map((n) => claudeLine(n, { day: month.day, messageId: `msg_recent_${n}` })).join("\n"));
  mkdirSync(join(home, "ai-observer", "archive"), { recursive: true });
  const db = join(home, ".local", "share", "ai-observer", "ai-observer.duckdb");
  const log = join(home, "ai-observer", "cron.log");
  const runs = () => readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line));

  expect(runJob(jobs[0] as string, home)).toBe(0);
  expect(runs()[0]).toMatchObject({ command: "import", status: "imported" });
  const before = await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db);

  expect(runJob(jobs[1] as string, home)).toBe(0);
  const exported = runs()[1];
  expect(exported).toMatchObject({ command: "export", status: "exported", zip: true, range: { from: month.from, to: month.to } });
  // 10 metric rows per response, but response 3 has no cache-creation tokens (2 rows fewer), and the session's
  // claude_code.session.count; a log row (api_request) and a transcript row per response.
  expect(exported.counts).toEqual({ traces: 0, logs: 3 + 3, metrics: 28 + 1 });
  expect(exported.deleted).toEqual(exported.counts);
  expect(existsSync(join(home, "ai-observer", "archive", month.label, `ai-observer-export-all-${month.from}-${month.to}.zip`))).toBe(true);
  const after = await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db);
  expect(Number(after[0]?.n)).toBe(Number(before[0]?.n) - 6);

  // The next night: the archived usage is not imported again from the files still on disk.
  expect(runJob(jobs[0] as string, home)).toBe(0);
  expect(runs()[2]).toMatchObject({ command: "import", status: "nothing" });
  expect((await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db))[0]?.n).toBe(after[0]?.n);
});
