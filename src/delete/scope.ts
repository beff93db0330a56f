import { UsageError } from "../shared/errors.ts";
import type { TelemetryTable } from "../db/schema.ts";

const DELETE_SCOPES = ["logs", "metrics", "traces", "all"] as const;
export type DeleteScope = (typeof DELETE_SCOPES)[number];

export function parseScope(arg: string | undefined): DeleteScope {
  if (arg === undefined || arg === "") throw new UsageError(`scope argument is required (one of: ${DELETE_SCOPES.join(", ")})`);
  const scope = arg.toLowerCase();
  if ((DELETE_SCOPES as readonly string[]).includes(scope)) return scope as DeleteScope;
  throw new UsageError(`invalid scope: ${arg} (valid: ${DELETE_SCOPES.join(", ")})`);
}

/** In deletion order: logs, then metrics, then traces (as the Go original). */
export function scopeTables(scope: DeleteScope): TelemetryTable[] {
  if (scope === "logs") return ["otel_logs"];
  if (scope === "metrics") return ["otel_metrics"];
  if (scope === "traces") return ["otel_traces"];
  return ["otel_logs", "otel_metrics", "otel_traces"];
}
