import { isObject, str, type JsonObject } from "../shared/json.ts";
import { IMPORT_SOURCE, metricRow, putIfSet } from "../shared/rows.ts";
import { type Instant, parseTimestamp } from "../shared/timestamps.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import { CLAUDE_SERVICE } from "./to-rows.ts";

const GITHUB_PR = /^https?:\/\/github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/pull\/\d+/;

interface PullRequest {
  time: Instant;
  repository: string;
  number: number;
  url: string;
}

/**
 * Three of the activity metrics the Go AI Observer reconstructs from a Claude Code session file (its `main` after
 * 0.5, PR #8; go-reference-2026 §2.1): `claude_code.pull_request.count` per distinct `pr-link` line,
 * `claude_code.active_time.total` per `system`/`turn_duration` line (seconds, MetricUnit `s`), and one
 * `claude_code.session.count` at the file's first time (of its user and assistant lines and of these metrics).
 * Each carries `git_branch` (the file's first) and `session.id`. Lines of code and commits are not made yet.
 */
export class ClaudeActivity {
  #sessionId = "";
  #gitBranch = "";
  #first: Instant | null = null;
  readonly #pullRequests = new Map<string, PullRequest>();
  readonly #turns: { time: Instant; seconds: number; id: string }[] = [];

  constructor(private readonly fileName: string) {}

  line(value: JsonObject): void {
    this.#gitBranch ||= str(value, "gitBranch");
    this.#sessionId ||= str(value, "sessionId");
    const type = str(value, "type");
    if (type === "pr-link") this.#pullRequest(value);
    else if (type === "system" && str(value, "subtype") === "turn_duration") {
      const duration = value["durationMs"];
      const time = parseTimestamp(value["timestamp"]);
      if (typeof duration !== "number" || !(duration > 0) || !time) return;
      this.#turns.push({ time, seconds: duration / 1000, id: str(value, "uuid") || `${time.text}#${this.#turns.length}` });
      this.#widen(time);
    } else if ((type === "user" || type === "assistant") && isObject(value["message"])) {
      const time = parseTimestamp(value["timestamp"]);
      if (time) this.#widen(time);
    }
  }

  #pullRequest(value: JsonObject): void {
    const number = value["prNumber"];
    const time = parseTimestamp(value["timestamp"]);
    if (typeof number !== "number" || !Number.isInteger(number) || number <= 0 || !time) return;
    const url = str(value, "prUrl");
    const fromUrl = GITHUB_PR.exec(url);
    const repository = str(value, "prRepository").trim() || (fromUrl ? `${fromUrl[1]}/${fromUrl[2]}` : "");
    if (repository === "") return;
    const key = `${repository.toLowerCase()}#${number}`;
    if (this.#pullRequests.has(key)) return;
    this.#pullRequests.set(key, { time, repository, number, url });
    this.#widen(time);
  }

  #widen(time: Instant): void {
    if (this.#first === null || time.micros < this.#first.micros) this.#first = time;
  }

  events(): UsageEvent[] {
    const session = this.#sessionId || this.fileName.replace(/\.jsonl$/, "");
    const base = (): Record<string, string> => {
      const attributes: Record<string, string> = { import_source: IMPORT_SOURCE, "session.id": session };
      putIfSet(attributes, "git_branch", this.#gitBranch);
      return attributes;
    };
    const events: UsageEvent[] = [];
    const push = (key: string, time: Instant, row: MetricRow) => events.push({ key, rank: 0, timestamp: time.text, logs: [], metrics: [row], model: "", unpriced: false });
    for (const [key, pr] of this.#pullRequests) {
      const attributes = { ...base(), repository: pr.repository, pr_number: String(pr.number), pr_url: pr.url, reconstruction: "pr_link" };
      push(`claude:activity:pr:${session}:${key}`, pr.time, metricRow(CLAUDE_SERVICE, pr.time.text, "claude_code.pull_request.count", 1, attributes));
    }
    for (const turn of this.#turns) {
      const row = metricRow(CLAUDE_SERVICE, turn.time.text, "claude_code.active_time.total", turn.seconds, { ...base(), type: "cli", reconstruction: "turn_duration" });
      row.unit = "s";
      push(`claude:activity:turn:${session}:${turn.id}`, turn.time, row);
    }
    if (this.#first) push(`claude:activity:session:${this.fileName}`, this.#first, metricRow(CLAUDE_SERVICE, this.#first.text, "claude_code.session.count", 1, base()));
    return events;
  }
}
