#!/usr/bin/env bun
import cac from "cac";
import { restoreStringOptions } from "./cli-args.ts";
import { CliError, ExitCode, UsageError } from "./errors.ts";
import { reportError } from "./report-error.ts";
import { installSignalHandlers } from "./signals.ts";
import { DATE_HELP, MONTH_HELP } from "./dates.ts";
import { renderVersion } from "./version.ts";

const STRING_OPTIONS = ["output", "from", "to", "month", "db", "service"];

const HELP_FOOTER = [
  {
    title: "Environment",
    body: [
      "  AI_OBSERVER_DATABASE_PATH  database file when --db is not given",
      "  NO_COLOR                   no colours in messages",
      "  DEBUG                      print the stack of an unexpected failure",
    ].join("\n"),
  },
  {
    title: "Exit codes",
    body: [
      "  0  done, or nothing to do      2  usage error",
      "  1  failure                     3  confirmation needed: rerun with --yes",
      "  130/143  interrupted (SIGINT/SIGTERM); partial files removed",
    ].join("\n"),
  },
];

/** Builds the command line without running it, so tests can parse any argv. */
export function createCli(argv: readonly string[]) {
  const cli = cac("ai-observer");
  let exitCode: Promise<ExitCode> = Promise.resolve(ExitCode.Ok);

  cli
    .command("export [source]", "Export telemetry to Parquet files and a DuckDB views database (source: claude-code, codex, gemini or all)")
    .option("--output <dir>", "Output folder (required)")
    .option("--from <date>", `Start day, inclusive: ${DATE_HELP}`)
    .option("--to <date>", `End day, inclusive: ${DATE_HELP}`)
    .option("--month <month>", `A whole month instead of --from/--to: ${MONTH_HELP}`)
    .option("--db <path>", "AI Observer database (default: $AI_OBSERVER_DATABASE_PATH, else the per-user data folder)")
    .option("--from-files", "Read the agents' session files instead of the database")
    .option("--zip", "Pack all files into one ZIP archive")
    .option("--delete-after", "Then delete the exported rows from the database, once the archive was written and re-read")
    .option("--dry-run", "Show what would be exported; write nothing")
    .option("--verbose", "Show the database path and step timings")
    .option("--yes", "Do not ask for confirmation (needed without a terminal)")
    .option("--json", "Print one JSON object with the result on stdout")
    .example("ai-observer export all --output ./export")
    .example("ai-observer export claude-code --output ~/archive --from 30d --to yesterday --zip --yes")
    .example("ai-observer export all --month last --output ~/archive --zip --delete-after --yes")
    .action(async (source: string | undefined, options: Record<string, unknown>) => {
      const { exportCommand } = await import("./commands/export.ts");
      exitCode = exportCommand(source, restoreStringOptions(argv, options, STRING_OPTIONS));
    });

  cli
    .command("import [tool]", "Import the agents' session files into the database, incrementally (tool: claude-code, codex, gemini or all)")
    .option("--from <date>", `Only usage from this day on: ${DATE_HELP}`)
    .option("--to <date>", `Only usage up to this day, inclusive: ${DATE_HELP}`)
    .option("--month <month>", `A whole month instead of --from/--to: ${MONTH_HELP}`)
    .option("--db <path>", "AI Observer database, created if missing (default: $AI_OBSERVER_DATABASE_PATH, else the per-user data folder)")
    .option("--force", "Read unchanged files again and replace their rows (brings back deleted rows of those files)")
    .option("--dry-run", "Show what would be imported; change nothing")
    .option("--verbose", "Show the database path and each file read, with timings")
    .option("--yes", "Do not ask for confirmation (needed without a terminal)")
    .option("--json", "Print one JSON object with the result on stdout")
    .example("ai-observer import all --yes")
    .example("ai-observer import claude-code --from 7d --dry-run")
    .action(async (tool: string | undefined, options: Record<string, unknown>) => {
      const { importCommand } = await import("./commands/import.ts");
      exitCode = importCommand(tool, restoreStringOptions(argv, options, STRING_OPTIONS));
    });

  cli
    .command("delete [scope]", "Delete a date range from the database (scope: logs, metrics, traces or all)")
    .option("--from <date>", `First day to delete (required): ${DATE_HELP}`)
    .option("--to <date>", `Last day to delete, inclusive (required): ${DATE_HELP}`)
    .option("--month <month>", `A whole month instead of --from/--to: ${MONTH_HELP}`)
    .option("--service <name>", "Only this tool (claude-code, codex, gemini) or service name")
    .option("--db <path>", "AI Observer database (default: $AI_OBSERVER_DATABASE_PATH, else the per-user data folder)")
    .option("--dry-run", "Show what would be deleted; delete nothing")
    .option("--verbose", "Show the database path")
    .option("--yes", "Do not ask for confirmation (needed without a terminal)")
    .option("--json", "Print one JSON object with the result on stdout")
    .example("ai-observer delete all --month last --yes")
    .example("ai-observer delete logs --from 2025-01-01 --to 2025-01-31 --service codex")
    .action(async (scope: string | undefined, options: Record<string, unknown>) => {
      const { deleteCommand } = await import("./commands/delete.ts");
      exitCode = deleteCommand(scope, restoreStringOptions(argv, options, STRING_OPTIONS));
    });

  cli.option("-v, --version", "Print the version, git commit and build date");
  cli.help((sections) => [...sections, ...HELP_FOOTER]);
  return {
    cli,
    async run(): Promise<ExitCode> {
      const args = argv.slice(2);
      if (args.length === 1 && ["-v", "--version", "version"].includes(args[0] as string)) {
        process.stdout.write(renderVersion());
        return ExitCode.Ok;
      }
      cli.parse([...argv], { run: false });
      if (cli.options.help) return ExitCode.Ok;
      if (!cli.matchedCommand) {
        if (cli.args.length === 0) {
          cli.outputHelp();
          return ExitCode.Ok;
        }
        throw new UsageError(`unknown command: ${cli.args[0]} (see ai-observer --help)`);
      }
      await cli.runMatchedCommand();
      return exitCode;
    },
  };
}

/** A reader that went away (`| head`) must not turn into a stack trace or stop the work. */
function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

export async function main(argv: readonly string[] = process.argv): Promise<never> {
  installSignalHandlers();
  ignoreBrokenPipes();
  let code: ExitCode;
  try {
    code = await createCli(argv).run();
  } catch (error) {
    code = reportError(error, argv.includes("--json"));
  }
  process.exit(code);
}

if (import.meta.main) await main();
