import { UsageError } from "./errors.ts";

export const TOOL_IDS = ["claude-code", "codex", "gemini"] as const;
export type ToolId = (typeof TOOL_IDS)[number];

export const SERVICE_NAMES: Record<ToolId, string> = {
  "claude-code": "claude-code",
  codex: "codex_cli_rs",
  gemini: "gemini_cli",
};

/**
 * Sources the Go AI Observer (0.4+) receives only over OTLP, with their ServiceName (go-reference-2026 §2.5, §3.4):
 * they have rows in a database, but no session files.
 */
export const OTLP_SOURCES = {
  opencode: { serviceName: "opencode", product: "OpenCode" },
  "copilot-chat": { serviceName: "copilot-chat", product: "GitHub Copilot" },
  "github-copilot": { serviceName: "github-copilot", product: "GitHub Copilot" },
} as const;
export type OtlpSource = keyof typeof OTLP_SOURCES;

type ExportSource = ToolId | OtlpSource | "all";

export interface SourceSelection {
  source: ExportSource;
  /** `null` for `all`: no ServiceName filter, so other services are exported too. */
  serviceName: string | null;
  /** The tools whose session files hold this source (none for an OTLP-only one). */
  tools: ToolId[];
}

const VALID = [...TOOL_IDS, ...Object.keys(OTLP_SOURCES), "all"].join(", ");

export function isOtlpSource(value: string): value is OtlpSource {
  return Object.hasOwn(OTLP_SOURCES, value);
}

/** The usage error for session files of an OTLP-only source (`export --from-files`, `import`). */
export function noSessionFiles(source: OtlpSource, what: string): UsageError {
  return new UsageError(`${what} is not supported for ${source} because ${OTLP_SOURCES[source].product} is OTLP-only: it writes no session files`);
}

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
  if (isOtlpSource(source)) return { source, serviceName: OTLP_SOURCES[source].serviceName, tools: [] };
  throw new UsageError(`invalid source: ${arg} (valid: ${VALID})`);
}
