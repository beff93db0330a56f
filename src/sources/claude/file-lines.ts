import type { JsonlHandler } from "../shared/jsonl.ts";
import type { GoFootprint } from "../shared/go-footprint.ts";
import type { LargeStrings } from "../shared/large-strings.ts";
import { type JsonObject, obj } from "../shared/json.ts";
import {
  addResponse,
  CLAUDE_SELECTOR,
  CLAUDE_TRANSCRIPT_SELECTOR,
  type ClaudeResponse,
  fromLatin1,
  type ResponseGroup,
  toClaudeResponse,
  UNDATED,
  UNKNOWN_USAGE,
} from "./parse.ts";
import type { ClaudeActivity } from "./activity.ts";
import type { ClaudeTranscript } from "./transcript.ts";

/** The usage of one Claude Code session file, grouped by response, and what its responses say of the session. */
export class ClaudeFileUsage {
  readonly groups = new Map<string, ResponseGroup>();
  firstSessionId = "";
  unknownUsage = 0;
  /** The session's folder and branch, for `repository` and `git_branch` (shared/attribution.ts): the first a response has. */
  cwd = "";
  branch = "";

  constructor(readonly footprint: GoFootprint | null) {}

  add(response: ClaudeResponse): void {
    if (response.unknownIterations) this.unknownUsage++;
    this.firstSessionId ||= response.sessionId;
    this.cwd ||= response.cwd;
    this.branch ||= response.gitBranch;
    this.footprint?.add(response.timestamp);
    addResponse(this.groups, response);
  }

  /** One line's usage; `false` for a bad line (usage without a valid time). */
  line(value: JsonObject): boolean {
    const response = toClaudeResponse(value);
    if (response === UNDATED) return false;
    if (response === UNKNOWN_USAGE) this.unknownUsage++;
    else if (response) this.add(response);
    return true;
  }
}

/** The reader's handler for usage only: the assistant lines with usage, read from Latin-1 where that is exact. */
export class ClaudeUsageLines implements JsonlHandler {
  readonly needles = CLAUDE_SELECTOR.needles;
  readonly all = CLAUDE_SELECTOR.all;
  readonly elide = CLAUDE_SELECTOR.elide;

  constructor(readonly usage: ClaudeFileUsage) {}

  record(value: JsonObject): boolean {
    return this.usage.line(value);
  }

  recordLatin1(value: JsonObject, line: Buffer, elided: boolean, ascii: boolean): boolean {
    // The elided value must be message.content, which no field of a response comes from.
    if (elided && obj(value, "message")?.["content"] !== 0) return false;
    const response = toClaudeResponse(value);
    if (response === UNDATED || response === UNKNOWN_USAGE) return false; // read again from UTF-8 by record, which counts it
    if (!response) return true; // not a response in either reading: the fields it tests are ASCII or fail in both
    if (!ascii && !fromLatin1(response, line)) return false;
    this.usage.add(response);
    return true;
  }
}

/**
 * The reader's handler with transcripts: every line with a message, for the conversation, the activity metrics and
 * the usage. No Latin-1 fast path (`recordLatin1`): the transcript needs every line's text exact.
 */
export class ClaudeTranscriptLines implements JsonlHandler {
  readonly needles = CLAUDE_TRANSCRIPT_SELECTOR.needles;
  readonly select = CLAUDE_TRANSCRIPT_SELECTOR.select;

  constructor(
    readonly usage: ClaudeFileUsage,
    readonly transcript: ClaudeTranscript,
    readonly activity: ClaudeActivity,
    readonly large: LargeStrings,
  ) {}

  record(value: JsonObject): boolean {
    this.activity.line(value);
    const time = this.transcript.add(value);
    if (time) this.usage.footprint?.addTranscript(time.text);
    return this.usage.line(value);
  }
}
