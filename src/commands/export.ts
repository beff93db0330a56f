import { restartForHeavyParse } from "../shared/allocator-restart.ts";
import { parseRangeFlags } from "../shared/dates.ts";
import { locateDatabase } from "../db/locate.ts";
import { absolutePath } from "../shared/paths.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { readHostName } from "../shared/origin.ts";
import { readRunSettings } from "../shared/run-settings.ts";
import { type ExportHooks, type ExportLayout, runExport } from "../export/run-export.ts";
import { buildExportJson } from "../render/export-json.ts";
import { renderJson } from "../render/json.ts";
import { unreadableError } from "../render/unreadable.ts";
import { renderPreview, renderResult, renderStepDone, renderStepStart } from "../render/export-text.ts";
import { isOtlpSource, noSessionFiles, parseSource } from "../shared/sources.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { renderParsedFile } from "../render/parsed-file-text.ts";
import { readProgress } from "../ui/read-progress.ts";
import { isInteractive, type Output, processOutput } from "../ui/terminal.ts";

export interface ExportFlags {
  output?: string;
  from?: string;
  to?: string;
  month?: string;
  db?: string;
  fromFiles?: boolean;
  transcripts?: boolean;
  zip?: boolean;
  layout?: string;
  deleteAfter?: boolean;
  dryRun?: boolean;
  threads?: string | boolean;
  hostName?: string | boolean;
  verbose?: boolean;
  yes?: boolean;
  json?: boolean;
}

export async function exportCommand(sourceArg: string | undefined, flags: ExportFlags, io: Output = processOutput): Promise<ExitCode> {
  const selection = parseSource(sourceArg);
  if (flags.fromFiles && isOtlpSource(selection.source)) throw noSessionFiles(selection.source, "from-files export");
  if (flags.output === undefined || flags.output === "") {
    throw new UsageError("--output is required for export (the folder to write into)");
  }
  absolutePath(flags.output, "--output"); // fails when the working folder was deleted
  const range = parseRangeFlags(flags);
  const deleteAfter = flags.deleteAfter === true;
  if (deleteAfter && flags.fromFiles) throw new UsageError("--delete-after deletes from the database; it cannot be used with --from-files");
  if (flags.hostName !== undefined && !flags.fromFiles) throw new UsageError("--host-name is recorded on rows read from session files: it goes with --from-files (rows from the database keep what they hold)");
  if (flags.transcripts === false && !flags.fromFiles) throw new UsageError("--no-transcripts leaves them out of the session files read: it goes with --from-files (an export from the database has the transcripts the database holds)");
  if (deleteAfter && (range.from === undefined || range.to === undefined)) {
    throw new UsageError("--delete-after needs --from and --to (or --month): it never deletes an open-ended range");
  }
  const layout = parseLayout(flags.layout);
  if (layout === "hive" && flags.zip) throw new UsageError("--layout hive grows a folder of partitions; it cannot be packed with --zip");
  const settings = readRunSettings(flags.threads);
  const json = flags.json === true;
  const verbose = flags.verbose === true && !json;

  const transcripts = flags.transcripts !== false;
  const onFilesFound = restartForHeavyParse(selection.tools, transcripts);
  const hooks: ExportHooks = { ...(json ? { confirm: () => confirmOnTerminal({ action: "export", json }) } : textHooks(io, verbose)), onFilesFound };

  const result = await runExport(
    {
      selection,
      range,
      outputDir: flags.output,
      input: flags.fromFiles
        ? { kind: "files", tools: selection.tools, transcripts, hostName: readHostName(flags.hostName) }
        : { kind: "database", location: locateDatabase(flags.db) },
      zip: flags.zip === true,
      deleteAfter,
      dryRun: flags.dryRun === true,
      yes: flags.yes === true,
      settings,
      layout,
    },
    hooks,
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}\n`);
  io.out(json ? renderJson(buildExportJson(result)) : renderResult(result));
  const unreadable = unreadableError(result.preview.sessionFiles?.failed ?? [], "exported");
  if (unreadable === null) return ExitCode.Ok;
  io.err(`error: ${unreadable}\n`);
  return ExitCode.Failure;
}

function parseLayout(value: string | undefined): ExportLayout {
  const layout = value?.toLowerCase() ?? "flat";
  if (layout === "flat" || layout === "hive") return layout;
  throw new UsageError(`invalid --layout: ${value} (valid: flat, hive)`);
}

function textHooks(io: Output, verbose: boolean): ExportHooks {
  let stepsStarted = false;
  let lineOpen = false;
  return {
    ...(verbose
      ? { onFileParsed: (tool, file, ms, on) => io.out(renderParsedFile(tool, file, ms, on)), onReadAgain: (reason) => io.out(`Reading the files again: ${reason}.\n`) }
      : isInteractive(false)
        ? readProgress(process.stdout)
        : {}),
    onPreview: (preview) => io.out(renderPreview(preview, verbose)),
    confirm: () => confirmOnTerminal({ action: "export", json: false, io, preamble: "\n" }),
    onStepStart: (step) => {
      if (!stepsStarted) io.out("\n");
      stepsStarted = true;
      io.out(renderStepStart(step));
      lineOpen = true;
    },
    onStepDone: (_step, detail) => {
      io.out(renderStepDone(detail, verbose));
      lineOpen = false;
    },
    onFailure: () => {
      if (lineOpen) io.out("failed\n");
    },
  };
}
