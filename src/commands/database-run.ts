import { locateDatabase } from "../db/locate.ts";
import { readRunSettings } from "../shared/run-settings.ts";

/** The flags every command that changes the database has (cli-options.ts `withRun`). */
export interface DatabaseRunFlags {
  db?: string;
  dryRun?: boolean;
  threads?: string | boolean;
  verbose?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** What such a command's core takes from them. */
export function databaseRun(flags: DatabaseRunFlags) {
  return { location: locateDatabase(flags.db), dryRun: flags.dryRun === true, yes: flags.yes === true, settings: readRunSettings(flags.threads) };
}
