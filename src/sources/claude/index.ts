import { basename } from "node:path";
import { scanJsonl } from "../shared/jsonl.ts";
import { attributeRows, folderName } from "../shared/attribution.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { transcriptStrings } from "../shared/large-strings.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParsedFile, SessionSource } from "../types.ts";
import { CLAUDE_SELECTOR, CLAUDE_TRANSCRIPT_SELECTOR } from "./parse.ts";
import { ClaudeFileUsage, ClaudeTranscriptLines, ClaudeUsageLines } from "./file-lines.ts";
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
    const footprint = goFootprint(context);
    const name = basename(file.path);
    const large = transcriptStrings(context, CLAUDE_LARGE_STRING_KEYS);
    const transcript = large ? new ClaudeTranscript(name.replace(/\.jsonl$/, ""), large) : null;
    const activity = large ? new ClaudeActivity(name, large) : null;
    const usage = new ClaudeFileUsage(footprint);
    const handler = large && transcript && activity ? new ClaudeTranscriptLines(usage, transcript, activity, large) : new ClaudeUsageLines(usage);
    const stats = await scanJsonl(file.path, handler, context);
    const sessionId = UUID_FILE.test(name) ? name.slice(0, -".jsonl".length) : usage.firstSessionId || null;
    const events = [...usage.groups.values()].map(claudeEvent);
    if (transcript) events.push(...transcript.events);
    if (activity) {
      const metrics = activity.events();
      if (footprint) for (const event of metrics) footprint.addTranscript(event.timestamp);
      events.push(...metrics);
    }
    attributeRows(events, folderName(usage.cwd), usage.branch);
    const parsed = parsedFile(file.path, "claude-code", sessionId, events, stats, usage.unknownUsage, footprint);
    if (large) parsed.release = () => large.releaseTexts();
    return parsed;
  },
};
