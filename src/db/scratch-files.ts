import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../shared/remove-tree.ts";
import { removeLeftovers, runTag } from "../shared/run-tag.ts";
import { onInterrupt } from "../shared/interrupts.ts";

/** The names of our folders in the system's temporary folder, each followed by the run's tag (run-tag.ts). */
export const SCRATCH_PREFIXES = ["ai-observer-rows-", "ai-observer-temp-", "ai-observer-duckdb-", "ai-observer-archive-"] as const;

/** Removes what runs that are gone (SIGKILL, power loss) left in the system's temporary folder. */
export function removeScratchLeftovers(): void {
  removeLeftovers(tmpdir(), SCRATCH_PREFIXES);
}

/**
 * A private folder in the system's temporary folder, removed by `dispose` and also when SIGINT/SIGTERM end the
 * process; what a killed run left is removed by the next one that makes such a folder.
 */
export class ScratchFolder {
  readonly dir: string;
  // A signal ends the process without running `finally`: remove the folder then too.
  private readonly stopCleanup: () => void;

  constructor(prefix: (typeof SCRATCH_PREFIXES)[number]) {
    removeScratchLeftovers();
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}${runTag()}-`));
    this.stopCleanup = onInterrupt(() => removeTree(this.dir));
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  dispose(): void {
    this.stopCleanup();
    removeTree(this.dir);
  }
}

const FLUSH_LINES = 20_000;

/** Collects lines and writes them in large pieces (one write per line is several times slower). */
export class LineFile {
  readonly path: string;
  private readonly writer: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  private pending: string[] = [];
  rows = 0;

  constructor(path: string) {
    this.path = path;
    this.writer = Bun.file(path).writer({ highWaterMark: 8 * 1024 * 1024 });
  }

  /** `rows`: how many table rows the line becomes. */
  write(line: string, rows = 1): void {
    this.pending.push(line);
    this.rows += rows;
    if (this.pending.length >= FLUSH_LINES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.writer.write(`${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  async close(): Promise<void> {
    this.flush();
    await this.writer.end();
  }
}
