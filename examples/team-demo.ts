/**
 * `bun examples/team-demo.ts`: README "From one laptop to a team", end to end, on the session files the tests ship
 * (test/fixtures): two laptops archive their history (the same Codex sessions on both, as a synced folder would),
 * one database merges the archives (a response both hold counts once), reports run over it, a lake is grown from it
 * and queried, and a ZIP is queried as it is. Prints each command and its output; leaves nothing behind.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = join(import.meta.dir, "..");
const fixtures = join(repo, "test", "fixtures");
const work = mkdtempSync(join(tmpdir(), "ai-observer-team-demo-"));
const empty = join(work, "empty");
mkdirSync(empty);

function aio(args: string[], sessions?: { claude: string; codex: string; gemini: string }): void {
  console.log(`$ ai-observer ${args.map((arg) => (/[\s"'*]/.test(arg) ? JSON.stringify(arg) : arg)).join(" ")}`.replaceAll(work, "$DEMO"));
  const env = { ...process.env, HOME: work, TZ: "UTC" };
  if (sessions) Object.assign(env, { AI_OBSERVER_CLAUDE_PATH: sessions.claude, AI_OBSERVER_CODEX_PATH: sessions.codex, AI_OBSERVER_GEMINI_PATH: sessions.gemini });
  const run = Bun.spawnSync(["bun", join(repo, "src", "cli.ts"), ...args], { env, stdout: "pipe", stderr: "pipe" });
  process.stdout.write(`${run.stdout.toString()}${run.stderr.toString()}`.replaceAll(work, "$DEMO"));
  console.log();
  if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}`);
}

try {
  const share = join(work, "share");
  const team = join(work, "team.duckdb");
  aio(["export", "all", "--from-files", "--zip", "--host-name", "laptop-a", "--output", join(share, "laptop-a"), "--yes"], {
    claude: join(fixtures, "claude", "projects"),
    codex: join(fixtures, "codex", "sessions"),
    gemini: empty,
  });
  aio(["export", "all", "--from-files", "--zip", "--host-name", "laptop-b", "--output", join(share, "laptop-b"), "--yes"], {
    claude: empty,
    codex: join(fixtures, "codex", "sessions"),
    gemini: join(fixtures, "gemini", "tmp"),
  });
  for (const laptop of ["laptop-a", "laptop-b"]) aio(["import", "--from-export", join(share, laptop, "ai-observer-export-all-all.zip"), "--db", team, "--yes"]);
  aio(["import", "--from-export", join(share, "laptop-b", "ai-observer-export-all-all.zip"), "--db", team, "--yes", "--json"]);
  aio(["report", "hosts", "--db", team]);
  aio(["report", "daily", "--db", team]);
  const lake = join(work, "lake");
  aio(["export", "all", "--db", team, "--month", "2026-01", "--layout", "hive", "--output", lake, "--yes"]);
  aio(["report", "models", "--in", lake]);
  aio(["query", `SELECT ResourceAttributes->>'$."host.name"' AS host, service, date, count(*) AS rows FROM metrics GROUP BY ALL ORDER BY ALL`, "--in", lake]);
  aio(["query", "SELECT ServiceName, count(*) AS logs FROM logs GROUP BY ALL ORDER BY 1", "--in", join(share, "laptop-b", "ai-observer-export-all-all.zip"), "--format", "csv"]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
