import { hostname } from "node:os";
import { UsageError } from "./errors.ts";

type Env = Record<string, string | undefined>;

/**
 * The machine recorded on the rows a run writes from session files (resource attribute `host.name`), so that
 * histories merged from several machines can be told apart: `--host-name NAME`, else `AI_OBSERVER_HOST_NAME`, else
 * this machine's name; `none` records none (for users who must not share host names). Read once, at the command.
 */
export function readHostName(flag: unknown, env: Env = process.env): string | null {
  if (flag === "" || flag === true) throw new UsageError("--host-name needs a name, or none to record no host name");
  const given = typeof flag === "string" ? flag : env.AI_OBSERVER_HOST_NAME?.trim() || undefined;
  if (given === undefined) return hostname().trim() || null;
  return given.trim().toLowerCase() === "none" ? null : given.trim();
}

/** The ResourceAttributes JSON of those rows, escaped as Go's encoder escapes (`<`, `>`, `&`, U+2028, U+2029). */
export function resourceAttributesJson(hostName: string | null): string {
  if (hostName === null) return "{}";
  return JSON.stringify({ "host.name": hostName })
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}
