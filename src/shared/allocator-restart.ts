/*
 * mimalloc, Bun's allocator, gives memory that stayed free for 100 ms back to the system and takes it again as fresh
 * pages, a page fault per 4 KB. A heavy parse (transcripts, Gemini's JSON documents; parse workers, and Bun's pool
 * compressing the pages) frees and takes memory all the time, slower than that. With a delay of half a second, on a
 * 2-vCPU Linux VM: 1 GB of Gemini sessions exported with `--threads 16` in 19.4-19.6 s at 468-472 MB against 22.8-30.3 s
 * at 441-499 MB (a second: 18.4-23.7 s, but 494-516 MB, over the 512 MB bound), its import 68.9 against 72.0 s; with a
 * second, the 400 MB transcripts export 3.19 against 3.42 s and 200 MB of Gemini sessions 3.85 against 4.22 s (medians
 * of 3-4, alternating). The usage-only Claude export gained ~10 ms, less than the restart costs (~40 ms: the runtime
 * starts twice, and the files are found twice). mimalloc reads the setting from the environment when the process
 * starts: such a run starts itself again, once, with it set, as soon as it knows how much it will parse
 * (docs/performance.md [S22, S23]).
 */

const PURGE_DELAY = "MIMALLOC_PURGE_DELAY";
const PURGE_DELAY_MS = "500";

/**
 * Below this many bytes of session files, a heavy parse gains less from the delay than the restart costs: Claude
 * sessions with transcripts, exported with the delay set by hand against mimalloc's own 100 ms (medians of 8-12,
 * alternating): 32 MB 0.965 against 0.935 s, 70 MB 1.32 against 1.38 s, 97 MB 1.545 against 1.635 s.
 */
const MIN_HEAVY_BYTES = 64 << 20;

/**
 * Whether a run parses session files of `tools` heavily enough to restart for: `bytes` of them (at least
 * MIN_HEAVY_BYTES) with transcripts (the default), or of tools beside Claude Code.
 */
export function parsesHeavily(tools: readonly string[], options: { transcripts: boolean; bytes: number }): boolean {
  return options.bytes >= MIN_HEAVY_BYTES && (options.transcripts || tools.some((tool) => tool !== "claude-code"));
}

/**
 * The `onFilesFound` hook of a run that parses session files of `tools` (with or without transcripts): it restarts the
 * run when the bytes found make the parse heavy (`parsesHeavily`).
 */
export function restartForHeavyParse(tools: readonly string[], transcripts: boolean): (bytes: number) => void {
  return (bytes) => restartWithPurgeDelay(parsesHeavily(tools, { transcripts, bytes }));
}

/**
 * Starts this run again with mimalloc's purge delay, when `heavy` and in a Linux executable (measured there; `bun
 * src/cli.ts` is for development and tests), and the environment does not set the delay already (the restarted run's,
 * or the user's). Returns when it does not restart: the run goes on as it is, also where the system refuses `execve`.
 * `execve` runs no cleanup: the run must not have made anything it would leave behind (a scratch folder) by then.
 */
export function restartWithPurgeDelay(heavy: boolean): void {
  if (!heavy || process.platform !== "linux" || process.env[PURGE_DELAY] !== undefined || !Bun.main.startsWith("/$bunfs/")) return;
  try {
    // argv: the executable, its embedded entry point, then the user's arguments.
    process.execve?.(process.execPath, [process.execPath, ...process.argv.slice(2)], { ...process.env, [PURGE_DELAY]: PURGE_DELAY_MS });
  } catch {
    // Not allowed here (a sandbox, the executable replaced meanwhile): nothing lost but the speed.
  }
}
