/**
 * Where the time goes in `export --from-files` and `import`: runs each under `bun --cpu-prof` (with --verbose,
 * whose step timings cover the native DuckDB work that a JS profile sees only as waiting), and prints self time
 * per function and per file, and inclusive time of our own functions.
 *
 *   bun bench/profile.ts [--size-mb 400] [--seed 1] [--top 25] [--ref HEAD] [--keep]
 *
 * Uses the tree that bench/run.ts generated (bench/.data/tree-<size>mb-s<seed>), generating it if missing.
 * Profiles are left in bench/.data/profiles/ (open them in Chrome DevTools or speedscope).
 * Parsing runs on worker threads, which the profile does not see: `AI_OBSERVER_PARSE_WORKERS=0 bun bench/profile.ts`
 * keeps it in the main thread, to see where its time goes.
 */
import { flagValue } from "./args.ts";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { generate } from "./generate.ts";
import { checkoutRef } from "./run.ts";

const REPO = resolve(import.meta.dir, "..");
const DATA = join(REPO, "bench", ".data");

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(frame: CallFrame): string {
  if (!frame.url) return "(native)";
  const path = frame.url.replace(/^file:\/\//, "");
  if (path.includes("node_modules/")) return `node_modules/${path.split("node_modules/").pop()}`;
  // A --ref checkout lives in bench/.data/ref-<sha>/: show its files as src/….
  const src = path.lastIndexOf("/src/");
  if (src >= 0) return path.slice(src + 1);
  return path.startsWith(REPO) ? relative(REPO, path) : path;
}

function label(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  return frame.url ? `${name} ${where(frame)}:${frame.lineNumber + 1}` : name;
}

export function summarise(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const key = label(node.callFrame);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + us);
    const file = node.callFrame.url ? where(node.callFrame) : node.callFrame.functionName || "(native)";
    selfByFile.set(file, (selfByFile.get(file) ?? 0) + us);
    // Inclusive: every distinct frame on the stack, counted once per sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const fmt = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) =>
    [...map]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${fmt(us)}  ${k}`)
      .join("\n");
  return [
    `sampled ${(total / 1000).toFixed(0)} ms`,
    "self time by file:",
    list(selfByFile, 12),
    "self time by function:",
    list(selfByFunction, top),
    "inclusive time, functions in src/:",
    list(inclusive, top, (k) => / src\//.test(k)),
  ].join("\n");
}

function run(cli: string, name: string, args: string[], env: Record<string, string>, dir: string): { ms: number; stdout: string; profile: string } {
  const profileName = `${name}.cpuprofile`;
  const started = performance.now();
  const result = spawnSync("bun", ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${profileName}`, cli, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout, profile: join(dir, profileName) };
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const value = (flag: string, fallback: string) => flagValue(flag, fallback, argv);
  const sizeMb = Number(value("--size-mb", "400"));
  const seed = Number(value("--seed", "1"));
  const top = Number(value("--top", "25"));
  const root = join(DATA, `tree-${sizeMb}mb-s${seed}`);
  if (!existsSync(join(root, "totals.json"))) {
    generate({ out: root, claudeMb: sizeMb, codexMb: Math.max(1, Math.round(sizeMb / 20)), geminiMb: Math.max(1, Math.round(sizeMb / 40)), seed });
  }
  const refArg = argv.indexOf("--ref") >= 0 ? value("--ref", "HEAD") : null;
  const cli = refArg ? join(checkoutRef(refArg).dir, "src", "cli.ts") : join(REPO, "src", "cli.ts");
  console.log(`profiling bun ${relative(REPO, cli) || cli}${refArg ? ` (${refArg})` : " (working tree)"}`);
  const dir = join(DATA, "profiles");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Kept between runs, as a user's is: the first export in a new home creates the views database's template with
  // DuckDB (~0.1 s), which later ones copy.
  const home = join(DATA, "profile-home");
  mkdirSync(home, { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), AI_OBSERVER_CLAUDE_PATH: join(root, "projects") };
  const db = join(dir, "fresh.duckdb");
  // The usage alone, as bench/run.ts times it; PROFILE_TRANSCRIPTS=1: the default, with the conversations.
  const transcripts = process.env["PROFILE_TRANSCRIPTS"] ? [] : ["--no-transcripts"];
  const scenarios: [string, string[]][] = [
    ["export-from-files", ["export", "claude-code", "--from-files", ...transcripts, "--output", join(dir, "out"), "--yes", "--verbose"]],
    ["import-fresh", ["import", "claude-code", ...transcripts, "--db", db, "--yes", "--verbose"]],
    ["import-unchanged", ["import", "claude-code", ...transcripts, "--db", db, "--yes", "--verbose"]],
  ];
  for (const [name, args] of scenarios) {
    const result = run(cli, name, args, env, dir);
    console.log(`\n=== ${name}: ${(result.ms / 1000).toFixed(2)} s wall (under the profiler) ===`);
    const verbose = result.stdout
      .split("\n")
      .filter((line) => /\d(\.\d+)? ?(ms|s)\b/.test(line) && !/\.jsonl/.test(line))
      .slice(0, 12);
    if (verbose.length) console.log(`--verbose step timings:\n  ${verbose.join("\n  ")}`);
    const fileLines = result.stdout.split("\n").filter((line) => /\.jsonl/.test(line));
    if (fileLines.length) console.log(`--verbose per-file lines: ${fileLines.length} (e.g. ${fileLines[0]?.trim()})`);
    console.log(summarise(JSON.parse(readFileSync(result.profile, "utf8")) as CpuProfile, top));
  }
  if (!argv.includes("--keep")) rmSync(db, { force: true });
}
