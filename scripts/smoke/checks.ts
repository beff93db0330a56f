import { readFileSync } from "node:fs";

/** What the smoke scripts (smoke-binary.ts, smoke-windows.ts) share: a tally of checks, and running a command. */

export class SmokeTally {
  passed = 0;
  failed = 0;

  /** Prints `ok` or `FAIL` with the check's name; returns `ok`. */
  check(name: string, ok: boolean, detail = ""): boolean {
    if (ok) this.passed++;
    else this.failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
    return ok;
  }

  note(text: string): void {
    console.log(`note ${text}`);
  }

  /** The closing line that .ci/run reads: `<label>: N passed, M failed`. */
  summary(label: string): string {
    return `${label}: ${this.passed} passed, ${this.failed} failed`;
  }
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(command: string[], options: { cwd: string; env: Record<string, string> }): RunResult {
  const started = performance.now();
  const result = Bun.spawnSync(command, { cwd: options.cwd, env: options.env, stdout: "pipe", stderr: "pipe" });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    ms: Math.round(performance.now() - started),
  };
}

/**
 * `run`, reading the process's environment (`/proc/<pid>/environ`, Linux) every millisecond while it runs: the last
 * value it had for `name` (a run may start itself again with more set, src/shared/allocator-restart.ts), or null.
 */
export async function runWatchingEnv(command: string[], options: { cwd: string; env: Record<string, string> }, name: string): Promise<RunResult & { seen: string | null }> {
  const started = performance.now();
  const child = Bun.spawn(command, { cwd: options.cwd, env: options.env, stdout: "pipe", stderr: "pipe" });
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  let seen: string | null = null;
  const watch = setInterval(() => {
    try {
      const entry = readFileSync(`/proc/${child.pid}/environ`, "latin1").split("\0").find((variable) => variable.startsWith(`${name}=`));
      if (entry !== undefined) seen = entry.slice(name.length + 1);
    } catch {
      // exited meanwhile
    }
  }, 1);
  const exitCode = await child.exited;
  clearInterval(watch);
  return { exitCode, stdout: await stdout, stderr: await stderr, ms: Math.round(performance.now() - started), seen };
}

export function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function gitCommit(root: string): string | undefined {
  const result = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return result.exitCode === 0 ? result.stdout.toString().trim() || undefined : undefined;
}

/** `--version` prints the package.json version, the commit the executable was built from, and its build date. */
export function checkVersionText(tally: SmokeTally, stdout: string, version: string, commit: string | undefined): void {
  const lines = stdout.replaceAll("\r\n", "\n").split("\n");
  tally.check("--version names the package.json version", lines[0] === `ai-observer ${version}`, lines[0]);
  if (commit) tally.check("--version names the current commit", lines[1] === `Git commit: ${commit}`, `${lines[1]} (HEAD is ${commit}; rebuild?)`);
  else tally.note("no git commit here; commit line not compared");
  tally.check("--version has a build date", /^Build date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(lines[2] ?? ""), lines[2]);
}
