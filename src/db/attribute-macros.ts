import type { DuckDBConnection } from "./duckdb.ts";
import macroSql from "./attribute-macro.sql" with { type: "text" };

/**
 * The attributes read by the imports' SQL, each as a macro (attribute-macro.sql) of the connection: `import_key(...)`,
 * our key of a usage event; `import_source(...)`, the importer that wrote a row; `event_name(...)`, the kind of a log row.
 */
const MACROS = { import_key: "import.key", import_source: "import_source", event_name: "event.name" } as const;

/**
 * Above this many bytes a document is read by pattern (attribute-macro.sql): 2,048 such documents of a vector stay
 * within 8 MB, and usage rows (a few hundred bytes) are all parsed as before.
 */
const LARGE_BYTES = 4096;

/** `text` with the characters that a regular expression gives a meaning escaped. */
const regexLiteral = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The two hex digits that a JSON `\u00XX` escape of each of `key`'s characters ends in, as RE2 alternatives of either case. */
function escapeDigits(key: string): string {
  const codes = new Set([...key].map((char) => char.charCodeAt(0).toString(16).padStart(2, "0")));
  return [...codes].map((hex) => [...hex].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join("")).join("|");
}

export function attributeMacroSql(name: string, key: string): string {
  // Letters, digits, `.`, `_` and `-`: none that a JSON string, SQL literal or escape other than `\u00XX` spells otherwise.
  if (!/^[\w.-]+$/.test(key)) throw new Error(`unsupported attribute key ${key}`);
  return macroSql
    .replaceAll("{{name}}", name)
    .replaceAll("{{key}}", key)
    .replaceAll("{{key_pattern}}", regexLiteral(key))
    .replaceAll("{{escapes}}", escapeDigits(key))
    .replaceAll("{{large_bytes}}", String(LARGE_BYTES));
}

/** Creates the attribute macros on `connection` (temporary: views that use them must be temporary too). */
export async function createAttributeMacros(connection: DuckDBConnection): Promise<void> {
  for (const [name, key] of Object.entries(MACROS)) await connection.run(attributeMacroSql(name, key));
}
