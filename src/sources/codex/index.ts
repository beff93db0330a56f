import { basename } from "node:path";
import { scanJsonl } from "../shared/jsonl.ts";
import { attributeRows, folderName, normalizeGitUrl } from "../shared/attribution.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { obj, str } from "../shared/json.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParsedFile, SessionSource } from "../types.ts";
import { CodexFileParser } from "./parse.ts";
import { codexRoots, isCodexSessionFile, sessionIdFromFileName } from "./paths.ts";
import { CODEX_SERVICE, codexEvent } from "./to-rows.ts";
import { transcriptStrings } from "../shared/large-strings.ts";

/**
 * With transcripts, a tool's output (`function_call_output.output`, often hundreds of KB) is read from the line's bytes
 * (large-strings.ts); its one consumer, the transcript, takes it as bytes.
 */
const CODEX_LARGE_STRING_KEYS = ["output"];

export const codexSource: SessionSource = {
  tool: "codex",
  serviceName: CODEX_SERVICE,
  roots: codexRoots,
  pathVariable: "AI_OBSERVER_CODEX_PATH",
  // 2: LiteLLM prices and cost rules, token_usage_records (December 2026). 3: paginated forks, reverts, subagents
  // and rotated segments counted by their own responses; priority and flex processing prices. 4: transcripts.
  // 5: `repository` and `git_branch` on every row.
  parserVersion: 5,
  discover: (roots, required) => walkFiles(roots, isCodexSessionFile, required),
  async parseFile(file, context): Promise<ParsedFile> {
    const footprint = goFootprint(context);
    const large = transcriptStrings(context, CODEX_LARGE_STRING_KEYS);
    const parser = new CodexFileParser(footprint, context?.transcripts === true, large);
    const stats = await scanJsonl(
      file.path,
      { needles: parser.needles, select: (found, length, head) => parser.select(found, length, head), record: (value) => parser.record(value), large: large ?? undefined },
      context,
    );
    const sessionId = parser.sessionId || sessionIdFromFileName(basename(file.path));
    const events = parser.finish().map((item) => codexEvent(sessionId, item));
    // `repository`: the session's git remote, else its folder's name; `git_branch`: its branch (shared/attribution.ts).
    const meta = parser.meta;
    const git = meta ? obj(meta, "git") : undefined;
    attributeRows(events, normalizeGitUrl(git ? str(git, "repository_url") : "") || folderName(meta ? str(meta, "cwd") : ""), git ? str(git, "branch") : "");
    const parsed = parsedFile(file.path, "codex", sessionId, events, stats, parser.unknownUsage, footprint);
    if (large) parsed.release = () => large.releaseTexts();
    return parsed;
  },
};
