import { basename } from "node:path";
import { type JsonlHandler, scanJsonl } from "../shared/jsonl.ts";
import { withoutTopTier } from "../../shared/jit-tier.ts";
import { attributeRows, folderName } from "../shared/attribution.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { transcriptStrings } from "../shared/large-strings.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParsedFile, SessionSource } from "../types.ts";
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
import { claudeRoots, isClaudeSessionFile } from "./paths.ts";
import { CLAUDE_SERVICE, claudeEvent } from "./to-rows.ts";
import { ClaudeActivity } from "./activity.ts";
import { ClaudeTranscript } from "./transcript.ts";

/**
 * The keys whose long values a transcript reads from the line's bytes (large-strings.ts): tool outputs and texts
 * (`content`, `text`), and `toolUseResult`'s copies of them (`stdout`, `stderr`, `originalFile`). Their consumers are
 * the transcript, which takes them as bytes, and the activity metrics, which take back the strings they need.
 */
const CLAUDE_LARGE_STRING_KEYS = ["content", "text", "stdout", "stderr", "originalFile"];

const UUID_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jsonl$/i;

export const claudeSource: SessionSource = {
  tool: "claude-code",
  serviceName: CLAUDE_SERVICE,
  roots: claudeRoots,
  pathVariable: "AI_OBSERVER_CLAUDE_PATH",
  // 2: LiteLLM prices and cost rules, 1-hour cache writes, advisor calls (December 2026). 3: compaction iterations.
  // 4: transcripts (Go 0.3+ rows, with ParseContext.transcripts). 5: `repository` and `git_branch` on every row.
  parserVersion: 5,
  discover: (roots, required) => walkFiles(roots, isClaudeSessionFile, required),
  lineSelector: (options) => (options.transcripts ? CLAUDE_TRANSCRIPT_SELECTOR : CLAUDE_SELECTOR),
  async parseFile(file, context): Promise<ParsedFile> {
    const groups = new Map<string, ResponseGroup>();
    let firstSessionId = "";
    let unknownUsage = 0;
    const footprint = goFootprint(context);
    const name = basename(file.path);
    const large = transcriptStrings(context, CLAUDE_LARGE_STRING_KEYS);
    const transcript = large ? new ClaudeTranscript(name.replace(/\.jsonl$/, ""), large) : null;
    const activity = large ? new ClaudeActivity(name, large) : null;
    // The session's folder and branch, for `repository` and `git_branch` (shared/attribution.ts): the first a response has.
    let cwd = "";
    let branch = "";
    const addUsage = (response: ClaudeResponse) => {
      if (response.unknownIterations) unknownUsage++;
      firstSessionId ||= response.sessionId;
      cwd ||= response.cwd;
      branch ||= response.gitBranch;
      footprint?.add(response.timestamp);
      addResponse(groups, response);
    };
    /** One line's usage; `false` for a bad line (usage without a valid time). */
    const usageLine = (value: JsonObject): boolean => {
      const response = toClaudeResponse(value);
      if (response === UNDATED) return false;
      if (response === UNKNOWN_USAGE) unknownUsage++;
      else if (response) addUsage(response);
      return true;
    };
    const handler: JsonlHandler = transcript
      ? {
          // No Latin-1 fast path (recordLatin1): the transcript needs every line's text exact.
          ...CLAUDE_TRANSCRIPT_SELECTOR,
          large: large ?? undefined,
          record(value) {
            activity?.line(value);
            const time = transcript.add(value);
            if (time) footprint?.addTranscript(time.text);
            return usageLine(value);
          },
        }
      : {
          ...CLAUDE_SELECTOR,
          record: usageLine,
          recordLatin1(value, line, elided, ascii) {
            // The elided value must be message.content, which no field of a response comes from.
            if (elided && obj(value, "message")?.["content"] !== 0) return false;
            const response = toClaudeResponse(value);
            if (response === UNDATED || response === UNKNOWN_USAGE) return false; // read again from UTF-8 by record, which counts it
            if (!response) return true; // not a response in either reading: the fields it tests are ASCII or fail in both
            if (!ascii && !fromLatin1(response, line)) return false;
            addUsage(response);
            return true;
          },
        };
    withoutTopTier(handler.record, ...(handler.recordLatin1 ? [handler.recordLatin1] : [])); // see jit-tier.ts
    const stats = await scanJsonl(file.path, handler, context);
    const sessionId = UUID_FILE.test(name) ? name.slice(0, -".jsonl".length) : firstSessionId || null;
    const events = [...groups.values()].map(claudeEvent);
    if (transcript) events.push(...transcript.events);
    if (activity) {
      const metrics = activity.events();
      if (footprint) for (const event of metrics) footprint.addTranscript(event.timestamp);
      events.push(...metrics);
    }
    attributeRows(events, folderName(cwd), branch);
    const parsed = parsedFile(file.path, "claude-code", sessionId, events, stats, unknownUsage, footprint);
    if (large) parsed.release = () => large.releaseTexts();
    return parsed;
  },
};
