/** Version of the `--json` objects; bump it when a field changes meaning or disappears. */
export const JSON_SCHEMA_VERSION = 1;

/** One line, so that runs appended to a cron log form NDJSON (`jq` pretty-prints it). */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
