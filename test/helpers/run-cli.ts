import { expect } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { createCli } from "../../src/cli.ts";
import { reportError } from "../../src/report-error.ts";

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

/** The CLI's temporary folder in tests: this run's (test/setup.ts), so that whatever a killed CLI leaves goes with it. */
export const CLI_TMP = process.env.AI_OBSERVER_TEST_TMP ?? tmpdir();

/** A clean environment: no inherited AI_OBSERVER_* or agent variables, UTC, no colour, this run's temporary folder. */
export function hermeticEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.AI_OBSERVER_TEST_TMP ?? "/nonexistent",
    TMPDIR: CLI_TMP,
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

/**
 * Runs the CLI as a user does, in a process of its own: `bun src/cli.ts ...`, stdin not a terminal. For what only
 * another process shows: runs at the same time, signals, locks held by this process, what a user types.
 */
export async function spawnCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
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

/** Runs the CLI with `--yes --json`, which must succeed without a word on stderr; returns its JSON object. */
export async function runCliJson(args: string[], options: CliRunOptions = {}): Promise<Record<string, unknown>> {
  const run = await runCli([...args, "--yes", "--json"], options);
  expect([args, run.exitCode, run.stderr]).toEqual([args, 0, ""]);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let inProcess: Promise<unknown> = Promise.resolve();

/**
 * Runs the CLI in this process, as `main()` in src/cli.ts does short of exiting: the same argv parsing, commands and
 * error reporting, with the environment, the working folder and the standard streams of a fresh process (stdin and
 * stdout no terminal; what is written to stdout and stderr is captured). A process start per run made the suite
 * several times slower. Runs are queued one at a time, since they share this process's environment; for runs that
 * must overlap, or that this process must not share state with (a database it holds open, signals), use `spawnCli`.
 */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  if (options.stdin !== undefined) return spawnCli(args, options);
  const run = inProcess.then(() => runHere(args, options));
  inProcess = run.catch(() => undefined);
  return run;
}

async function runHere(args: string[], options: CliRunOptions): Promise<CliRun> {
  const argv = ["bun", CLI, ...args];
  const captured = { stdout: "", stderr: "" };
  const restore = [
    swapEnvironment(hermeticEnv(options.env)),
    swapWorkingFolder(options.cwd ?? REPO_ROOT),
    noTerminal(process.stdin),
    noTerminal(process.stdout),
    capture(process.stdout, (text) => (captured.stdout += text)),
    capture(process.stderr, (text) => (captured.stderr += text)),
    captureConsole((text) => (captured.stdout += text), (text) => (captured.stderr += text)),
  ];
  let exitCode: number;
  try {
    exitCode = await createCli(argv).run();
  } catch (error) {
    exitCode = reportError(error, argv.includes("--json"));
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return { exitCode, ...captured };
}

function swapEnvironment(env: Record<string, string>): () => void {
  const saved = { ...process.env };
  const replace = (next: Record<string, string | undefined>) => {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, next);
  };
  replace(env);
  return () => replace(saved);
}

function swapWorkingFolder(cwd: string): () => void {
  const saved = process.cwd();
  process.chdir(cwd);
  return () => process.chdir(saved);
}

function noTerminal(stream: NodeJS.ReadStream | NodeJS.WriteStream): () => void {
  const saved = Object.getOwnPropertyDescriptor(stream, "isTTY");
  Object.defineProperty(stream, "isTTY", { value: false, configurable: true, writable: true });
  return () => {
    if (saved) Object.defineProperty(stream, "isTTY", saved);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

function capture(stream: NodeJS.WriteStream, sink: (text: string) => void): () => void {
  const saved = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    const callback = rest.find((value) => typeof value === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = saved;
  };
}

/** cac prints help with console.log, which in Bun does not go through process.stdout.write. */
function captureConsole(out: (text: string) => void, err: (text: string) => void): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  console.log = (...values: unknown[]) => out(`${format(...values)}\n`);
  console.info = console.log;
  console.warn = (...values: unknown[]) => err(`${format(...values)}\n`);
  console.error = console.warn;
  return () => Object.assign(console, saved);
}
