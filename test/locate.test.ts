import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultDataDir, locateDatabase } from "../src/db/locate.ts";

describe("where the database lives by default", () => {
  test("each OS's per-user data folder, never the current folder", () => {
    expect(defaultDataDir({}, "linux", "/home/u")).toBe("/home/u/.local/share/ai-observer");
    expect(defaultDataDir({ XDG_DATA_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/ai-observer");
    // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: "rel" }, "linux", "/home/u")).toBe("/home/u/.local/share/ai-observer");
    expect(defaultDataDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Application Support/ai-observer");
    expect(defaultDataDir({ LOCALAPPDATA: "/appdata" }, "win32", "/u")).toBe(join("/appdata", "ai-observer"));
    expect(defaultDataDir({}, "win32", "/u")).toBe(join("/u", "AppData", "Local", "ai-observer"));
  });

  test("--db wins over AI_OBSERVER_DATABASE_PATH, which wins over the default", () => {
    expect(locateDatabase("/a.duckdb", { AI_OBSERVER_DATABASE_PATH: "/b.duckdb" })).toEqual({ path: "/a.duckdb", origin: "--db" });
    expect(locateDatabase(undefined, { AI_OBSERVER_DATABASE_PATH: "/b.duckdb" })).toEqual({ path: "/b.duckdb", origin: "AI_OBSERVER_DATABASE_PATH" });
  });
});
