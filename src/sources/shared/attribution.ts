import type { UsageEvent } from "../types.ts";
import type { Text } from "./text.ts";

const GITHUB = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?github\.com[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/i;

/**
 * A git remote as `owner/repo` (go-reference-2026 §2.4 `normalizeGitURL`): a GitHub URL, credentials dropped;
 * otherwise the scheme and `user@` stripped, the first `:` made a `/`, `.git` removed, and of three or more parts
 * the last two (`gitlab.com/group/sub/repo` → `sub/repo`).
 */
export function normalizeGitUrl(url: string): string {
  const text = url.trim();
  if (text === "") return "";
  const github = GITHUB.exec(text);
  if (github) return `${github[1]}/${github[2]}`;
  const cleaned = text
    .replace(/^[a-z+]+:\/\//i, "")
    .replace(/^[^@/]+@/, "")
    .replace(":", "/")
    .replace(/\.git$/, "")
    .replace(/\/+$/, "");
  const parts = cleaned.split("/");
  return parts.length >= 3 ? parts.slice(-2).join("/") : cleaned;
}

/** The last segment of a folder path (`/home/dev/app` → `app`), either separator. */
export function folderName(path: string): string {
  return path.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? "";
}

/**
 * Adds `repository` and `git_branch` (when non-empty) to every row of `events`, as the Go importer on its `main`
 * (PR #11) attributes a session's rows; a row that has its own `repository` (a pull request's) keeps it.
 */
export function attributeRows(events: readonly UsageEvent[], repository: string, branch: string): void {
  if (repository === "" && branch === "") return;
  for (const event of events) {
    for (const row of event.logs) attributeRow(row.attributes, repository, branch);
    for (const row of event.metrics) attributeRow(row.attributes, repository, branch);
  }
}

/** `attributeRows` for one row's attributes. */
export function attributeRow(attributes: Record<string, Text>, repository: string, branch: string): void {
  if (repository !== "" && attributes["repository"] === undefined) attributes["repository"] = repository;
  if (branch !== "" && attributes["git_branch"] === undefined) attributes["git_branch"] = branch;
}
