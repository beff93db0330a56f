import packageJson from "../../package.json" with { type: "json" };

declare const AI_OBSERVER_GIT_COMMIT: string | undefined;
declare const AI_OBSERVER_BUILD_DATE: string | undefined;

export interface VersionInfo {
  version: string;
  commit: string;
  buildDate: string;
}

/** Commit and date are stamped in by `scripts/build-binaries.ts`; a source run says so. */
export function versionInfo(): VersionInfo {
  return {
    version: packageJson.version,
    commit: typeof AI_OBSERVER_GIT_COMMIT === "string" ? AI_OBSERVER_GIT_COMMIT : "unknown (source run)",
    buildDate: typeof AI_OBSERVER_BUILD_DATE === "string" ? AI_OBSERVER_BUILD_DATE : "unknown (source run)",
  };
}

export function renderVersion(info: VersionInfo = versionInfo()): string {
  return `ai-observer ${info.version}\nGit commit: ${info.commit}\nBuild date: ${info.buildDate}\n`;
}
