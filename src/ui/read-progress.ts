import type { ToolId } from "../shared/sources.ts";
import type { ParseProgress } from "../staging/parse-run.ts";
import type { FileSummary } from "../staging/staged-file.ts";
import { formatBytes, formatCount } from "../shared/format.ts";

const REDRAW_MS = 100;

/**
 * A one-line progress display while session files are read: files and MB done, and the rate.
 * Only for people at a terminal; cron logs and --json output never see it.
 */
export function readProgress(stream: NodeJS.WriteStream): ParseProgress {
  let tool: ToolId | undefined;
  let totalFiles = 0;
  let totalBytes = 0;
  let files = 0;
  let bytes = 0;
  let started = 0;
  let drawn = Number.NEGATIVE_INFINITY;
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - drawn < REDRAW_MS) return;
    drawn = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const line = `Reading ${tool} sessions: ${formatCount(files)}/${formatCount(totalFiles)} files, ${formatBytes(bytes)} of ${formatBytes(totalBytes)} (${formatBytes(bytes / seconds)}/s)`;
    stream.write(`\r\u001b[2K${line}`);
  };
  return {
    onReadStart(name, count, size) {
      tool = name;
      totalFiles = count;
      totalBytes = size;
      files = 0;
      bytes = 0;
      started = performance.now();
      drawn = Number.NEGATIVE_INFINITY; // the first file always draws
    },
    onFileParsed(_name, file: FileSummary) {
      files++;
      bytes += file.bytes;
      draw(false);
    },
    onReadDone() {
      stream.write("\r\u001b[2K");
    },
  };
}
