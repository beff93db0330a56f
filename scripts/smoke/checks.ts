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
