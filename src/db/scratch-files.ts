import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../remove-tree.ts";
import { onInterrupt } from "../signals.ts";

/** A private folder in the system's temporary folder, removed by `dispose` and also when SIGINT/SIGTERM end the process. */
export class ScratchFolder {
  readonly dir: string;
  // A signal ends the process without running `finally`: remove the folder then too.
  private readonly stopCleanup: () => void;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
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
