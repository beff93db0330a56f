import { basename } from "node:path";
import { readAllBytes, readFileBytes } from "../shared/byte-source.ts";
import { scanJsonl, type JsonlStats } from "../shared/jsonl.ts";
import { goFootprint } from "../shared/go-footprint.ts";
import { parsedFile } from "../shared/parsed-file.ts";
import { walkFiles } from "../shared/walk.ts";
import type { ParseContext, ParsedFile, SessionSource, UsageEvent } from "../types.ts";
import { absorbDocument, absorbHugeLineHeader, GEMINI_NEEDLES, absorbRecord, emptySession, parseDocument, type GeminiSession } from "./parse.ts";
import { geminiRoots, isGeminiSessionFile, subagentParent } from "./paths.ts";
import { isObject } from "../shared/json.ts";
import { parseTimestamp } from "../shared/timestamps.ts";
import { GEMINI_SERVICE, geminiEvent } from "./to-rows.ts";
import { geminiTranscript } from "./transcript.ts";

async function scanLog(path: string, session: GeminiSession, context?: ParseContext): Promise<JsonlStats> {
  return scanJsonl(
    path,
    {
      needles: GEMINI_NEEDLES,
      // With transcripts every message's text is needed: no huge line is skipped then.
      select: (found, length, head) => context?.transcripts === true || !absorbHugeLineHeader(session, found, length, head),
      record: (value) => absorbRecord(session, value),
    },
    context,
  );
}

/** The bytes up to the first newline (all of them without one). */
function firstLine(bytes: Buffer): Buffer {
  const newline = bytes.indexOf(10);
  return newline < 0 ? bytes : bytes.subarray(0, newline);
}

/**
 * A legacy document is one pretty-printed JSON object, rewritten in place; a JSONL log is one record per line.
 * Like gemini-cli's loader, either extension may hold either format.
 */
async function readSession(path: string, session: GeminiSession, context?: ParseContext): Promise<JsonlStats> {
  if (path.endsWith(".json")) {
    const { bytes, sha256 } = await readFileBytes(path, context);
    const document = parseDocument(bytes);
    if (document) {
      absorbDocument(session, document);
      return { lines: 1, badLines: 0, bytes: bytes.length, completeBytes: bytes.length, sha256 };
    }
    if (parseDocument(firstLine(bytes)) === null) {
      // A document caught mid-rewrite, or garbage: one bad record; it is read again when it changes.
      return { lines: 1, badLines: 1, bytes: bytes.length, completeBytes: 0, sha256 };
    }
  }
  const stats = await scanLog(path, session, context);
  if (session.messages.size === 0 && session.sessionId === "" && stats.badLines > 0) {
    // gemini-cli's parseLegacyRecordFallback: a `.jsonl` that holds one pretty-printed document.
    const document = parseDocument(await readAllBytes(path, context?.signal));
    if (document) {
      absorbDocument(session, document);
      return { ...stats, lines: 1, badLines: 0, completeBytes: stats.bytes };
    }
  }
  return stats;
}

const KNOWN_TOKEN_FIELDS = ["input", "output", "cached", "thoughts", "tool", "total"];

export const geminiSource: SessionSource = {
  tool: "gemini",
  serviceName: GEMINI_SERVICE,
  roots: geminiRoots,
  pathVariable: "AI_OBSERVER_GEMINI_PATH",
  // 2: LiteLLM prices and cost rules (December 2026). 3: transcripts (with ParseContext.transcripts).
  parserVersion: 3,
  // Whole JSON documents (legacy sessions), re-written message records: many objects per byte.
  heavyParse: true,
  discover: (roots, required) => walkFiles(roots, isGeminiSessionFile, required),
  async parseFile(file, context): Promise<ParsedFile> {
    const session = emptySession();
    const stats = await readSession(file.path, session, context);
    const sessionId = session.sessionId || basename(file.path).replace(/\.jsonl?$/, "");
    const sessionContext = { session, sessionId, parentSessionId: subagentParent(file.path) };
    const events: UsageEvent[] = [];
    let undated = 0; // messages with tokens but no valid timestamp: bad lines, not silently dropped
    let unknownUsage = 0; // tokens in a shape we do not know
    const footprint = goFootprint(context);
    for (const [messageId, message] of session.messages) {
      if (footprint) {
        const time = parseTimestamp(message["timestamp"]);
        if (time) footprint.add(time);
      }
      const tokens = message["tokens"];
      if (tokens !== undefined && (!isObject(tokens) || !KNOWN_TOKEN_FIELDS.some((field) => typeof tokens[field] === "number"))) unknownUsage++;
      const event = geminiEvent(sessionContext, messageId, message);
      if (event) events.push(event);
      else if (isObject(tokens) && !parseTimestamp(message["timestamp"])) undated++;
    }
    if (context?.transcripts) {
      const rows = geminiTranscript(sessionContext, session.messages);
      // Tool calls may have times of their own.
      if (footprint) for (const row of rows) footprint.addTranscript(row.timestamp);
      events.push(...rows);
    }
    return parsedFile(file.path, "gemini", session.sessionId || null, events, { ...stats, badLines: stats.badLines + undated }, unknownUsage, footprint);
  },
};
