import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dir, "..", "..");
export const CLI = join(REPO_ROOT, "src", "cli.ts");

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
}

/** A clean environment: no inherited AI_OBSERVER_* or agent variables, UTC, no colour. */
export function hermeticEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.AI_OBSERVER_TEST_TMP ?? "/nonexistent",
    TZ: "UTC",
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs the CLI as a user does: `bun src/cli.ts ...`, stdin not a terminal. */
export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const proc = Bun.spawn(["bun", CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: hermeticEnv(options.env),
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}
