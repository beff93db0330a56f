import { restartForHeavyParse } from "../shared/allocator-restart.ts";
import { parseRangeFlags } from "../shared/dates.ts";
import { locateDatabase } from "../db/locate.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { readHostName } from "../shared/origin.ts";
import { readRunSettings } from "../shared/run-settings.ts";
import { type ImportHooks, runImport } from "../import/run-import.ts";
import { buildImportJson } from "../render/import-json.ts";
import { renderImportPreview, renderImportResult } from "../render/import-text.ts";
import { renderParsedFile } from "../render/parsed-file-text.ts";
import { renderJson } from "../render/json.ts";
import { unreadableError } from "../render/unreadable.ts";
import { isOtlpSource, isToolId, noSessionFiles, TOOL_IDS, type ToolId } from "../shared/sources.ts";
import { applyProgress } from "../ui/apply-progress.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { readProgress } from "../ui/read-progress.ts";
import { isInteractive, type Output, processOutput } from "../ui/terminal.ts";

export interface ImportFlags {
  from?: string;
  to?: string;
  month?: string;
  db?: string;
  dryRun?: boolean;
  force?: boolean;
  transcripts?: boolean;
  threads?: string | boolean;
  hostName?: string | boolean;
  /** An export folder or ZIP to merge into the database instead of session files. */
  fromExport?: string;
  verbose?: boolean;
  yes?: boolean;
  json?: boolean;
}

function parseTools(arg: string | undefined): ToolId[] {
  const valid = [...TOOL_IDS, "all"].join(", ");
  if (arg === undefined || arg === "") throw new UsageError(`tool argument is required (one of: ${valid})`);
  const tool = arg.toLowerCase();
  if (tool === "all") return [...TOOL_IDS];
  if (isToolId(tool)) return [tool];
  if (isOtlpSource(tool)) throw noSessionFiles(tool, "import");
  throw new UsageError(`invalid tool: ${arg} (valid: ${valid})`);
}

export async function importCommand(toolArg: string | undefined, flags: ImportFlags, io: Output = processOutput): Promise<ExitCode> {
  if (flags.fromExport !== undefined) {
    const { archiveImportCommand } = await import("./import-archive.ts");
    return archiveImportCommand(toolArg, { ...flags, fromExport: flags.fromExport }, io);
  }
  const tools = parseTools(toolArg);
  const range = parseRangeFlags(flags);
  const json = flags.json === true;
  const verbose = flags.verbose === true && !json;

  const transcripts = flags.transcripts !== false;
  const interactive = isInteractive(json);
  const progress = !verbose && interactive ? readProgress(process.stdout) : {};
  const onFilesFound = restartForHeavyParse(tools, transcripts);
  const hooks: ImportHooks = json
    ? { confirm: () => confirmOnTerminal({ action: "import", json }), onFilesFound }
    : {
        ...progress,
        onFilesFound,
        onFileParsed: verbose ? (tool, file, ms, on) => io.out(renderParsedFile(tool, file, ms, on)) : progress.onFileParsed,
        onPreview: (preview) => io.out(renderImportPreview(preview, verbose)),
        confirm: () => confirmOnTerminal({ action: "import", json, io, preamble: "\n" }),
        ...applyProgress(io, { interactive, verbose }),
      };

  const result = await runImport(
    {
      tools,
      range,
      location: locateDatabase(flags.db),
      dryRun: flags.dryRun === true,
      force: flags.force === true,
      transcripts,
      yes: flags.yes === true,
      settings: readRunSettings(flags.threads),
      hostName: readHostName(flags.hostName),
    },
    hooks,
  );
  io.out(json ? renderJson(buildImportJson(result)) : renderImportResult(result));
  const unreadable = unreadableError(result.preview.plans.flatMap((plan) => plan.failed), "imported");
  if (unreadable === null) return ExitCode.Ok;
  io.err(`error: ${unreadable}\n`);
  return ExitCode.Failure;
}
