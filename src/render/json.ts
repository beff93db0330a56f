/** Version of the `--json` objects; bump it when a field changes meaning or disappears. */
export const JSON_SCHEMA_VERSION = 1;

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
