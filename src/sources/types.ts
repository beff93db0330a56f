import type { LineSelector, LineSource } from "./shared/jsonl.ts";
import type { ToolId } from "../shared/sources.ts";
import type { Text } from "./shared/text.ts";
import type { TextBlockPool } from "./shared/text-arena.ts";
import type { LargeStringLimits } from "./shared/large-strings.ts";

/** Becomes one `otel_logs` row (TraceId/SpanId NULL, TraceFlags 0, Resource/ScopeAttributes `{}`). */
export interface LogRow {
  /** Naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestamp: string;
  /** `claude-code` | `codex_cli_rs` | `gemini_cli`. */
  serviceName: string;
  severityText: string;
  severityNumber: number;
  body: Text;
  /** LogAttributes: always `event.name`, `import_source=local_jsonl`, usually `session.id`. */
  attributes: Record<string, Text>;
}

/** Becomes one `otel_metrics` row: MetricType `sum`, the other columns NULL, `{}` or `[]` (go-reference §3.3). */
export interface MetricRow {
  timestamp: string;
  serviceName: string;
  metricName: string;
  value: number;
  attributes: Record<string, string>;
  /** MetricUnit (NULL when absent); every metric row of an event has the same. */
  unit?: string;
}

export interface DiscoveredFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** One unit with a global identity, so the same event seen in several files, or in several runs, counts once. */
export interface UsageEvent {
  /** Stable across files and runs, e.g. `claude:<message.id>`; see docs/parsers.md. */
  key: string;
  /** Higher = more complete copy; the highest rank wins, ties: first seen. */
  rank: number;
  /** Naive UTC timestamp of the event (the same as its rows'). */
  timestamp: string;
  logs: LogRow[];
  metrics: MetricRow[];
  /** `""` for events that are not model calls (e.g. a Codex `user_message` log). */
  model: string;
  /** Had tokens, but no price is known for the model (and no reported cost): no cost row. */
  unpriced: boolean;
}

export interface ParsedFile {
  path: string;
  tool: ToolId;
  sessionId: string | null;
  /** Already deduplicated within the file. */
  events: UsageEvent[];
  /** Earliest and latest timestamp of the rows this file produced. */
  firstTime: string | null;
  lastTime: string | null;
  /** Candidate lines (those the byte pre-filter selected) that could not be parsed; never aborts the file. */
  badLines: number;
  /**
   * Lines (or records) that carry token usage in a shape this parser does not know: the agent's format moved on.
   * Their usage is not counted; they are reported (summary, `--json`, `--verbose` names the files).
   */
  unknownUsage: number;
  /** Non-blank physical lines (1 for a legacy Gemini JSON document). */
  lines: number;
  /** Bytes read (decompressed bytes for `.zst`). */
  bytes: number;
  /**
   * Bytes up to the end of the last complete line. Less than `bytes` when the file ends in a line without a
   * newline that does not parse (a write in progress): an importer can re-read the file once it grew.
   */
  completeBytes: number;
  /**
   * Lowercase hex SHA-256 of the file's bytes exactly as read from disk (the compressed bytes of a `.zst`), computed
   * while parsing, for `import_state.file_hash`. (A file read twice, such as a Gemini `.jsonl` holding one JSON
   * document, has the hash of its first read.)
   */
  sha256: string;
  /**
   * With `ParseContext.footprints`: the epoch microseconds of the lines the Go importer turns into rows of the kinds
   * we write (shared/go-footprint.ts).
   */
  goFootprint?: { usage: Float64Array; transcript: Float64Array };
  /** The memory of the events' texts may be used again: called once the file's rows were staged (never sent between threads). */
  release?: () => void;
}

/**
 * Optional context for a parse. Parsers are deliberately self-contained (the result of a file never depends on
 * which other files were parsed); cross-file questions are settled by keys and ranks in `mergeEvents`.
 */
export interface ParseContext {
  /** Abort a long parse (Ctrl-C); the parse rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Compute `ParsedFile.sha256` (default true; only import records it). */
  hash?: boolean;
  /** JSONL lines selected ahead of the parse by another thread (`SessionSource.lineSelector`); files it lacks are read here. */
  lines?: LineSource;
  /** Collect `ParsedFile.goFootprint` (import into a database the Go importer also wrote). */
  footprints?: boolean;
  /** Also make the conversation's `transcript.message` rows (Go 0.3+); off: usage rows only, read faster. */
  transcripts?: boolean;
  /** The thread's blocks for texts kept as bytes (TextArena); a pool of its own when absent. */
  texts?: TextBlockPool;
  /** Tests: which strings a source's transcript leaves out of the parse (LargeStrings), instead of its own limits. */
  largeStrings?: Partial<LargeStringLimits>;
}

/** What a parse makes beyond the usage rows (ParseContext), which also decides which lines it reads. */
interface ParseOptions {
  transcripts: boolean;
}

/** A file or folder that could not be read at all (no permission, gone meanwhile, a configured folder missing). */
export interface FileFailure {
  path: string;
  reason: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  failed: FileFailure[];
}

export interface SessionSource {
  tool: ToolId;
  serviceName: string;
  /** Roots from env overrides and defaults (session-formats.md §0, go-reference §3.2). Pure: no file system access. */
  roots(env: Record<string, string | undefined>, home: string): string[];
  /**
   * Session files under the roots, each once, in lexical order per root, and what could not be read. `required`:
   * the roots come from this setting, so a missing one is a failure (a missing default root is not).
   */
  discover(roots: string[], required?: string): Promise<Discovery>;
  /** The setting that names this tool's session folders instead of the agent's defaults (`AI_OBSERVER_CLAUDE_PATH`). */
  pathVariable: string;
  /**
   * Raised whenever a change to the parser or to the cost rules changes the rows of files already imported: the next
   * import reads the files recorded with an older version again and repairs their rows (README "Repair").
   */
  parserVersion: number;
  parseFile(file: DiscoveredFile, context?: ParseContext): Promise<ParsedFile>;
  /**
   * The selector `parseFile` reads its JSONL files with, when it depends on nothing but the line (no state of the
   * file): another thread may then find and select the lines ahead of the parse (staging/line-prefetch.ts).
   */
  lineSelector?: (options: ParseOptions) => LineSelector;
  /**
   * Its parse leaves much garbage per byte (whole documents decoded and parsed into objects): fewer parse workers run
   * at once, whose heaps would otherwise add up past the memory bound (see staging/parse-run.ts, MAX_HEAVY_WORKERS).
   */
  heavyParse?: boolean;
}
