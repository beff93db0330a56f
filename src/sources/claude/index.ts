import { basename } from "node:path";
import { type JsonlHandler, scanJsonl } from "../shared/jsonl.ts";
import { withoutTopTier } from "../../jit-tier.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParsedFile, SessionSource } from "../types.ts";
import type { JsonObject } from "../shared/json.ts";
import { addResponse, CLAUDE_SELECTOR, toClaudeResponse, type ResponseGroup, UNDATED, UNKNOWN_USAGE } from "./parse.ts";
import { claudeRoots, isClaudeSessionFile } from "./paths.ts";
import { CLAUDE_SERVICE, claudeEvent } from "./to-rows.ts";
import { ClaudeTranscript } from "./transcript.ts";

const UUID_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$/i;

export const claudeSource: SessionSource = {
  tool: "claude-code",
  serviceName: CLAUDE_SERVICE,
  roots: claudeRoots,
  pathVariable: "AI_OBSERVER_CLAUDE_PATH",
  // 2: LiteLLM prices and cost rules, 1-hour cache writes, advisor calls (December 2026). 3: compaction iterations.
  // 4: transcripts (Go 0.3+ rows).
  parserVersion: 4,
  discover: (roots, required) => walkFiles(roots, isClaudeSessionFile, required),
  lineSelector: CLAUDE_SELECTOR,
  async parseFile(file, context): Promise<ParsedFile> {
    const groups = new Map<string, ResponseGroup>();
    let firstSessionId = "";
    let unknownUsage = 0;
    const footprint = goFootprint(context);
    const name = basename(file.path);
    const transcript = new ClaudeTranscript(name.replace(/\.jsonl$/, ""));
    /** `false`: a bad line (usage without a valid timestamp). */
    const take = (value: JsonObject): boolean => {
      transcript.add(value);
      const response = toClaudeResponse(value);
      if (response === UNDATED) return false;
      if (response === UNKNOWN_USAGE) {
        unknownUsage++;
        return true;
      }
      if (!response) return true;
      if (response.unknownIterations) unknownUsage++;
      firstSessionId ||= response.sessionId;
      footprint?.add(response.timestamp);
      addResponse(groups, response);
      return true;
    };
    const handler: JsonlHandler = {
      ...CLAUDE_SELECTOR,
      record: take,
      // The Latin-1 reading is exact for ASCII lines only; the transcript needs every other line's text decoded.
      recordLatin1: (value, _line, _elided, ascii) => ascii && take(value),
    };
    withoutTopTier(handler.record, handler.recordLatin1 as NonNullable<JsonlHandler["recordLatin1"]>); // see jit-tier.ts
    const stats = await scanJsonl(file.path, handler, context);
    const sessionId = UUID_FILE.test(name) ? name.slice(0, -".jsonl".length) : firstSessionId || null;
    const events = [...[...groups.values()].map(claudeEvent), ...transcript.events];
    return parsedFile(file.path, "claude-code", sessionId, events, stats, unknownUsage, footprint);
  },
};
