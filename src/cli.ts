#!/usr/bin/env bun
import cac from "cac";
import { checkStringOptionValues, normalizeOptions, restoreStringOptions } from "./cli-args.ts";
import { HELP_FOOTER, HOST_NAME_HELP, STRING_OPTIONS, withRange, withRead, withRun } from "./cli-options.ts";
import { ExitCode, UsageError } from "./shared/errors.ts";
import { fsReason } from "./shared/fs-errors.ts";
import { reportError } from "./report-error.ts";
import { installSignalHandlers } from "./signals.ts";
import { renderVersion } from "./shared/version.ts";

/** Builds the command line without running it, so tests can parse any argv. */
export function createCli(argv: readonly string[]) {
  const cli = cac("ai-observer");
  let exitCode: Promise<ExitCode> = Promise.resolve(ExitCode.Ok);
  /** `argv` with single-dash long options written with two (see normalizeOptions), as cac parsed it. */
  let parsedArgv: readonly string[] = argv;

  const exportCommand = cli
    .command("export [source]", "Export telemetry to Parquet files and a DuckDB views database (source: claude-code, codex, gemini, opencode, copilot-chat, github-copilot or all)")
    .option("--output <dir>", "Output folder (required)")
    .option("--from-files", "Read the agents' session files instead of the database")
    .option("--transcripts", "With --from-files: the conversations (transcript.message logs) and Claude's activity metrics too, as the Go AI Observer stores them (the default)")
    .option("--no-transcripts", "With --from-files: the usage only, without the conversations and activity metrics (faster)")
    .option("--host-name <name>", HOST_NAME_HELP)
    .option("--zip", "Pack all files into one ZIP archive")
    .option("--layout <layout>", "flat (default): the three Parquet files; hive: add the range's partitions (<table>/service=…/date=…/) to a lake in --output, replacing only those")
    .option("--delete-after", "Then delete the exported rows from the database, once the archive was written and re-read");
  withRange(exportCommand, { from: "Start day, inclusive", to: "End day, inclusive" });
  withRun(exportCommand, { dryRun: "Show what would be exported; write nothing", verbose: "Show the database path and step timings" })
    .example("ai-observer export all --output ./export")
    .example("ai-observer export claude-code --output ~/archive --from 30d --to yesterday --zip --yes")
    .example("ai-observer export all --month last --output ~/archive --zip --delete-after --yes")
    .example("ai-observer export all --month last --layout hive --output ~/lake --yes")
    .action(async (source: string | undefined, options: Record<string, unknown>) => {
      const { exportCommand: run } = await import("./commands/export.ts");
      exitCode = run(source, restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  const importCommand = cli
    .command("import [tool]", "Import the agents' session files into the database, incrementally (tool: claude-code, codex, gemini or all), or an export with --from-export")
    .option("--force", "Read unchanged files again and replace their rows (brings back deleted rows of those files)")
    .option("--transcripts", "The conversations (transcript.message logs) and Claude's activity metrics too, as the Go AI Observer stores them (the default); files imported without them are read again")
    .option("--no-transcripts", "The usage only, without the conversations and activity metrics (faster); what earlier runs imported stays")
    .option("--host-name <name>", HOST_NAME_HELP)
    .option("--from-export <path>", "Merge an export folder or ZIP (ours or the Go original's) into the database instead: every row it holds that the database lacks");
  withRange(importCommand, { from: "Only usage from this day on", to: "Only usage up to this day, inclusive" });
  withRun(importCommand, {
    db: "AI Observer database, created if missing (default: $AI_OBSERVER_DATABASE_PATH, else the per-user data folder)",
    dryRun: "Show what would be imported; change nothing",
    verbose: "Show the database path and each file read, with timings",
  })
    .example("ai-observer import all --yes")
    .example("ai-observer import claude-code --from 7d --dry-run")
    .example("ai-observer import --from-export ~/archive/laptop-2/ai-observer-export-all-all.zip --yes")
    .action(async (tool: string | undefined, options: Record<string, unknown>) => {
      const { importCommand: run } = await import("./commands/import.ts");
      exitCode = run(tool, restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  const deleteCommand = cli
    .command("delete [scope]", "Delete a date range from the database (scope: logs, metrics, traces or all)")
    .option("--service <name>", "Only this tool (claude-code, codex, gemini, opencode, copilot-chat, github-copilot) or service name");
  withRange(deleteCommand, { from: "First day to delete (required)", to: "Last day to delete, inclusive (required)" });
  withRun(deleteCommand, { dryRun: "Show what would be deleted; delete nothing", verbose: "Show the database path" })
    .example("ai-observer delete all --month last --yes")
    .example("ai-observer delete logs --from 2025-01-01 --to 2025-01-31 --service codex")
    .action(async (scope: string | undefined, options: Record<string, unknown>) => {
      const { deleteCommand: run } = await import("./commands/delete.ts");
      exitCode = run(scope, restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  withRun(cli.command("upgrade-database", "Write the database again in the storage format our import creates, for fast imports into large databases (DuckDB 1.2+, Go AI Observer 0.4+); keeps the original beside it"), {
    dryRun: "Show the database and what would be done; change nothing",
    verbose: "Show when each step starts",
  })
    .example("ai-observer upgrade-database --dry-run")
    .example("ai-observer upgrade-database --db ~/.local/share/ai-observer/ai-observer.duckdb --yes")
    .action(async (options: Record<string, unknown>) => {
      const { upgradeDatabaseCommand: run } = await import("./commands/upgrade-database.ts");
      exitCode = run(restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  withRead(cli.command("query [sql]", "Run SQL over the database, an export folder, an export ZIP or a lake (views: traces, logs, metrics; - reads the SQL from stdin)"))
    .example(`ai-observer query "SELECT ServiceName, count(*) FROM logs GROUP BY ALL" --in ./export`)
    .example("ai-observer query --in ~/archive/ai-observer-export-all-2025-06.zip --format csv < monthly.sql -")
    .action(async (sql: string | undefined, options: Record<string, unknown>) => {
      const { queryCommand: run } = await import("./commands/query.ts");
      // cac drops a lone `-`: it asks for the SQL on stdin.
      const fromStdin = sql === undefined && parsedArgv.slice(2).includes("-");
      exitCode = run(fromStdin ? "-" : sql, restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  const reportCommand = withRead(cli.command("report [name]", "Tokens and cost per day, month, model, project, machine or session (name: daily, monthly, models, projects, hosts, sessions)"))
    .option("--service <name>", "Only this tool (claude-code, codex, gemini, opencode, copilot-chat, github-copilot) or service name");
  withRange(reportCommand, { from: "Usage from this day on", to: "Usage up to this day, inclusive" })
    .example("ai-observer report daily --from 30d")
    .example("ai-observer report models --in ~/archive/ai-observer-export-all-all.zip --json")
    .action(async (name: string | undefined, options: Record<string, unknown>) => {
      const { reportCommand: run } = await import("./commands/report.ts");
      exitCode = run(name, restoreStringOptions(parsedArgv, options, STRING_OPTIONS));
    });

  cli.option("-v, --version", "Print the version, git commit and build date");
  // cac gives a `--no-x` option the default `true` (x's), which its help would print as if `--no-x` were on.
  const withoutNegatedDefaults = (body: string) => body.replace(/^(\s+--no-\S+.*?) \(default: true\)$/gm, "$1");
  cli.help((sections) => [...sections.map((section) => ({ ...section, body: withoutNegatedDefaults(section.body) })), ...HELP_FOOTER]);
  return {
    cli,
    async run(): Promise<ExitCode> {
      const args = argv.slice(2);
      if (args.length === 1 && ["-v", "--version", "version"].includes(args[0] as string)) {
        process.stdout.write(renderVersion());
        return ExitCode.Ok;
      }
      const name = commandName(args);
      const command = cli.commands.find((candidate) => candidate.name === name);
      // An unknown command is reported as such (below), whatever options follow it.
      const declared = [...(command?.options ?? []), ...cli.globalCommand.options].map((option) => option.rawName);
      const normalized = name !== "" && !command ? [...args] : normalizeOptions(args, declared, name);
      checkStringOptionValues(normalized, STRING_OPTIONS);
      parsedArgv = [...argv.slice(0, 2), ...normalized];
      cli.parse([...parsedArgv], { run: false });
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

/** The command word: the first word that is neither an option nor the value of a text option (`--db PATH import`). */
function commandName(args: readonly string[]): string {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") return "";
    if (!arg.startsWith("-")) return arg;
    const name = arg.replace(/^--?/, "");
    if (STRING_OPTIONS.includes(name)) index++;
  }
  return "";
}

/**
 * A reader that went away (`| head`) must not turn into a stack trace or stop the work; any other failure to write
 * the output (stdout on a full disk) fails the run, which must not report success with its output lost. Returns
 * the failure seen so far.
 */
function watchOutput(): () => NodeJS.ErrnoException | null {
  let failure: NodeJS.ErrnoException | null = null;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") failure ??= error;
    });
  }
  return () => failure;
}

/** Waits until what was written to stdout was handed on (its error, if any, is reported by then). */
async function flushStdout(): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
}

export async function main(argv: readonly string[] = process.argv): Promise<never> {
  const json = argv.includes("--json");
  installSignalHandlers({ json });
  const outputFailure = watchOutput();
  let code: ExitCode;
  try {
    code = await createCli(argv).run();
  } catch (error) {
    code = reportError(error, json);
  }
  await flushStdout();
  const failure = outputFailure();
  if (failure) {
    process.stderr.write(`error: cannot write the output: ${fsReason(failure)}\n`);
    if (code === ExitCode.Ok) code = ExitCode.Failure;
  }
  process.exit(code);
}

if (import.meta.main) await main();
