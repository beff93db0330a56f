import { locateArchive } from "../archive/locate-archive.ts";
import { type ArchiveImportHooks, runArchiveImport } from "../import/archive/run-archive-import.ts";
import { buildArchiveImportJson } from "../render/archive-import-json.ts";
import { renderArchiveImportPreview, renderArchiveImportResult } from "../render/archive-import-text.ts";
import { renderJson } from "../render/json.ts";
import { parseRangeFlags } from "../shared/dates.ts";
import { databaseRun } from "./database-run.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { absolutePath } from "../shared/paths.ts";
import { parseSource } from "../shared/sources.ts";
import { applyProgress } from "../ui/apply-progress.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { isInteractive, type Output, processOutput } from "../ui/terminal.ts";
import type { ImportFlags } from "./import.ts";

/** `import [source] --from-export PATH`: an export folder or ZIP merged into the database (source: which service's rows; default all). */
export async function archiveImportCommand(sourceArg: string | undefined, flags: ImportFlags & { fromExport: string }, io: Output = processOutput): Promise<ExitCode> {
  const selection = parseSource(sourceArg ?? "all");
  for (const [flag, given] of [["--force", flags.force], ["--no-transcripts", flags.transcripts === false], ["--host-name", flags.hostName]] as const) {
    if (given !== undefined && given !== false) throw new UsageError(`${flag} is for session files; --from-export imports the rows of an export as they are`);
  }
  if (flags.fromExport === "") throw new UsageError("--from-export needs the path of an export folder or ZIP");
  const range = parseRangeFlags(flags);
  const archive = locateArchive(absolutePath(flags.fromExport, "--from-export"), flags.fromExport);
  if (archive.kind === "database") {
    throw new UsageError(`--from-export reads an export folder, ZIP or lake; ${flags.fromExport} is a database (export it first: ai-observer export all --db ${flags.fromExport} --output DIR)`);
  }
  const json = flags.json === true;
  const verbose = flags.verbose === true && !json;
  const hooks: ArchiveImportHooks = json
    ? { confirm: () => confirmOnTerminal({ action: "import", json }) }
    : {
        onPreview: (preview) => io.out(renderArchiveImportPreview(preview)),
        confirm: () => confirmOnTerminal({ action: "import", json, io, preamble: "\n" }),
        ...applyProgress(io, { interactive: isInteractive(json), verbose }),
      };
  const result = await runArchiveImport(
    {
      archive,
      shown: flags.fromExport,
      filter: { range, serviceName: selection.serviceName },
      ...databaseRun(flags),
    },
    hooks,
  );
  io.out(json ? renderJson(buildArchiveImportJson(result)) : renderArchiveImportResult(result));
  return ExitCode.Ok;
}
