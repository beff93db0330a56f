import { formatCount, plural } from "../shared/format.ts";

/** The summary line for usage in shapes the parsers do not know: the agent's format moved on, and that usage is not counted. */
export function unknownUsageLine(lines: number): string {
  return `Usage in shapes this version does not know: ${formatCount(lines)} ${plural(lines, "line", "lines")}, not counted (an update of ai-observer may read them; --verbose names the files)`;
}
