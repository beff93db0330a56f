import { UsageError } from "./errors.ts";
import { isToolId, OTLP_SOURCES, SERVICE_NAMES } from "./sources.ts";

const KNOWN_SERVICES = [...Object.values(SERVICE_NAMES), ...Object.values(OTLP_SOURCES).map((source) => source.serviceName)];

/**
 * `--service` takes a tool id (`claude-code`, `codex`, `gemini`), an OTLP-only source of the Go AI Observer 0.4+
 * (`opencode`, `copilot-chat`, `github-copilot`, which are also their service names) or a service name as stored
 * (`codex_cli_rs`, …), case-insensitively. Other names pass through only when the database holds rows of that
 * service (checked by the caller with `knownServices`).
 */
export function parseService(arg: string | undefined): { serviceName: string | null; known: boolean } {
  if (arg === undefined) return { serviceName: null, known: true };
  const text = arg.trim();
  if (text === "") throw new UsageError("--service needs a tool id or service name");
  const lower = text.toLowerCase();
  if (isToolId(lower)) return { serviceName: SERVICE_NAMES[lower], known: true };
  const service = KNOWN_SERVICES.find((name) => name === lower);
  if (service) return { serviceName: service, known: true };
  return { serviceName: text, known: false };
}
