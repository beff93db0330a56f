import type { CAC } from "cac";
import { DATE_HELP, MONTH_HELP } from "./shared/dates.ts";

type Command = ReturnType<CAC["command"]>;

/** Options whose values are text (cac would turn `007` into 7); see cli-args.ts. */
export const STRING_OPTIONS = ["output", "from", "to", "month", "db", "service", "threads", "in", "format", "host-name", "from-export", "layout"];

export const HOST_NAME_HELP = "The machine recorded on rows read from session files (host.name); none: no host name (default: $AI_OBSERVER_HOST_NAME, else this machine's name)";

const DB_HELP = "AI Observer database (default: $AI_OBSERVER_DATABASE_PATH, else the per-user data folder)";

/** `--from`, `--to` and `--month`, shared by export, import and delete. */
export function withRange(command: Command, words: { from: string; to: string }): Command {
  return command
    .option("--from <date>", `${words.from}: ${DATE_HELP}`)
    .option("--to <date>", `${words.to}: ${DATE_HELP}`)
    .option("--month <month>", `A whole month instead of --from/--to: ${MONTH_HELP}`);
}

/** `--db`, `--dry-run`, `--threads`, `--verbose`, `--yes` and `--json`, shared by every command. */
export function withRun(command: Command, words: { db?: string; dryRun: string; verbose: string }): Command {
  return command
    .option("--db <path>", words.db ?? DB_HELP)
    .option("--dry-run", words.dryRun)
    .option("--threads <n>", "Threads to use at most (default: every core; $AI_OBSERVER_THREADS)")
    .option("--verbose", words.verbose)
    .option("--yes", "Do not ask for confirmation (needed without a terminal)")
    .option("--json", "Print one JSON object with the result on stdout");
}

/** `--in`, `--db`, `--format`, `--threads` and `--json`, shared by the commands that read (query, report). */
export function withRead(command: Command): Command {
  return command
    .option("--in <path>", "Read this instead of the database: an export folder, its views database, an export ZIP, a lake (export --layout hive), or another database")
    .option("--db <path>", DB_HELP)
    .option("--format <format>", "table (default), csv or json")
    .option("--threads <n>", "Threads to use at most (default: every core; $AI_OBSERVER_THREADS)")
    .option("--json", "The same as --format json: one JSON object with the rows");
}

export const HELP_FOOTER = [
  {
    title: "Environment",
    body: [
      "  AI_OBSERVER_DATABASE_PATH  database file when --db is not given",
      "  AI_OBSERVER_CLAUDE_PATH, AI_OBSERVER_CODEX_PATH, AI_OBSERVER_GEMINI_PATH",
      "                             session folders (comma lists) instead of the agents' defaults",
      "  AI_OBSERVER_MEMORY_LIMIT   DuckDB memory for an export or an import (default 192MB, import 128MB)",
      "  AI_OBSERVER_THREADS        threads to use at most when --threads is not given",
      "  AI_OBSERVER_COMMIT_ROWS    rows an import commits at once into a database that keeps its indexes (200000)",
      "  AI_OBSERVER_HOST_NAME      host.name recorded on rows read from session files (none: none)",
      "  MIMALLOC_PURGE_DELAY       Linux executables: reading 64 MB or more of session files with transcripts, or of",
      "                             tools beside Claude Code, restarts the run with 500 (ms free memory is kept);",
      "                             yours is kept",
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
