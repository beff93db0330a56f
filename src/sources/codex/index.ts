import { basename } from "node:path";
import { scanJsonl } from "../shared/jsonl.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParsedFile, SessionSource } from "../types.ts";
import { CodexFileParser } from "./parse.ts";
import { codexRoots, isCodexSessionFile, sessionIdFromFileName } from "./paths.ts";
import { CODEX_SERVICE, codexEvent } from "./to-rows.ts";

export const codexSource: SessionSource = {
  tool: "codex",
  serviceName: CODEX_SERVICE,
  roots: codexRoots,
  pathVariable: "AI_OBSERVER_CODEX_PATH",
  // 2: LiteLLM prices and cost rules, token_usage_records (December 2026). 3: paginated forks, reverts, subagents
  // and rotated segments counted by their own responses; priority and flex processing prices. 4: transcripts.
  parserVersion: 4,
  discover: (roots, required) => walkFiles(roots, isCodexSessionFile, required),
  async parseFile(file, context): Promise<ParsedFile> {
    const footprint = goFootprint(context);
    const parser = new CodexFileParser(footprint, context?.transcripts === true);
    const stats = await scanJsonl(
      file.path,
      { needles: parser.needles, select: (found, length, head) => parser.select(found, length, head), record: (value) => parser.record(value) },
      context,
    );
    const sessionId = parser.sessionId || sessionIdFromFileName(basename(file.path));
    const events = parser.finish().map((item) => codexEvent(sessionId, item));
    return parsedFile(file.path, "codex", sessionId, events, stats, parser.unknownUsage, footprint);
  },
};
