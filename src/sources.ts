import { UsageError } from "./errors.ts";

export const TOOL_IDS = ["claude-code", "codex", "gemini"] as const;
export type ToolId = (typeof TOOL_IDS)[number];

export const SERVICE_NAMES: Record<ToolId, string> = {
  "claude-code": "claude-code",
  codex: "codex_cli_rs",
  gemini: "gemini_cli",
};

export type ExportSource = ToolId | "all";

export interface SourceSelection {
  source: ExportSource;
  /** `null` for `all`: no ServiceName filter, so other services are exported too. */
  serviceName: string | null;
  tools: ToolId[];
}

const VALID = [...TOOL_IDS, "all"].join(", ");

export function isToolId(value: string): value is ToolId {
  return (TOOL_IDS as readonly string[]).includes(value);
}

export function parseSource(arg: string | undefined): SourceSelection {
  if (arg === undefined || arg === "") {
    throw new UsageError(`source argument is required (one of: ${VALID})`);
  }
  const source = arg.toLowerCase();
  if (source === "all") return { source: "all", serviceName: null, tools: [...TOOL_IDS] };
  if (isToolId(source)) return { source, serviceName: SERVICE_NAMES[source], tools: [source] };
  throw new UsageError(`invalid source: ${arg} (valid: ${VALID})`);
}
