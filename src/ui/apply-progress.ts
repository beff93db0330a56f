import type { CommitProgress } from "../import/commit-parts.ts";
import { formatCount, formatSeconds } from "../shared/format.ts";
import type { Output } from "./terminal.ts";

const APPLYING = "Importing data... ";

/** Where the display goes: `interactive` a terminal (the line redrawn), `verbose` --verbose (a line per part). */
interface Display {
  interactive: boolean;
  verbose: boolean;
}

/** The hooks of `import` and `import --from-export` that applyProgress gives. */
interface ApplyHooks {
  onApplyStart(): void;
  onPartCommitted(progress: Readonly<CommitProgress>, ms: number): void;
  /** `inserted`: the rows added, per table. */
  onApplyDone(inserted: Readonly<Record<string, number>>, ms: number): void;
}

function partsText(progress: Readonly<CommitProgress>): string {
  return `${progress.committed} of ${progress.of} parts committed (${formatCount(progress.rows)} of ${formatCount(progress.total)} rows)`;
}

/**
 * What `import` prints while it adds its rows: `Importing data... `, then `done (N rows)`. An import in parts
 * (commit-parts.ts), which can take minutes, shows its parts as they commit: at a terminal on that line, redrawn; with
 * --verbose a line each, with the time it took; in a cron log (neither) nothing more.
 */
export function applyProgress(io: Output, display: Display): ApplyHooks {
  let parts = false;
  return {
    onApplyStart: () => io.out(`\n${APPLYING}`),
    onPartCommitted(progress, ms) {
      if (display.verbose) io.out(`${parts ? "" : "\n"}  ${partsText(progress)}: ${formatSeconds(ms)}\n`);
      else if (display.interactive) io.out(`\r\u001b[2K${APPLYING}${partsText(progress)}`);
      parts = true;
    },
    onApplyDone(inserted, ms) {
      const rows = Object.values(inserted).reduce((sum, count) => sum + count, 0);
      // After part lines, the line is started again: below them (--verbose), or over the redrawn one (a terminal).
      const again = !parts ? "" : display.verbose ? APPLYING : display.interactive ? `\r\u001b[2K${APPLYING}` : "";
      io.out(`${again}done (${formatCount(rows)} rows${display.verbose ? `, ${formatSeconds(ms)}` : ""})\n`);
    },
  };
}
