import type { LogRow, MetricRow, UsageEvent } from "../types.ts";
import type { Text } from "./text.ts";

export const IMPORT_SOURCE = "local_jsonl";

export interface Severity {
  text: string;
  number: number;
}

export const INFO: Severity = { text: "INFO", number: 9 };
export const WARN: Severity = { text: "WARN", number: 13 };
export const ERROR: Severity = { text: "ERROR", number: 17 };

export function logRow(
  serviceName: string,
  timestamp: string,
  body: Text,
  attributes: Record<string, Text>,
  severity: Severity = INFO,
): LogRow {
  return { timestamp, serviceName, severityText: severity.text, severityNumber: severity.number, body, attributes };
}

export function metricRow(
  serviceName: string,
  timestamp: string,
  metricName: string,
  value: number,
  attributes: Record<string, string>,
): MetricRow {
  return { timestamp, serviceName, metricName, value, attributes };
}

/** An event that is no model call (a message log, a transcript line, an activity metric): rank 0, no model to price. */
export function plainEvent(key: string, timestamp: string, logs: LogRow[], metrics: MetricRow[] = []): UsageEvent {
  return { key, rank: 0, timestamp, logs, metrics, model: "", unpriced: false };
}

/** Adds `key` only when `value` is non-empty (the Go parsers' "only if non-empty" attributes). */
export function putIfSet<T extends Text>(attributes: Record<string, T>, key: string, value: T | undefined): void {
  if (value !== undefined && value.length !== 0) attributes[key] = value;
}
