import { REPO_ROOT } from "./run-cli.ts";

export interface HeldDatabase {
  pid: number;
  release(): Promise<void>;
}

/**
 * Opens `db` in another process (as the AI Observer server would) and keeps it open until `release`. Resolves once
 * the database is open there; rejects with that process's error when it could not open it.
 */
export async function holdDatabase(db: string, readOnly = false): Promise<HeldDatabase> {
  const config = readOnly ? `, { access_mode: "READ_ONLY" }` : "";
  const holder = Bun.spawn(
    // The instance and connection stay referenced to the end: a DuckDB instance that the garbage collector finalizes
    // closes its file and releases the lock (that made the held-database tests flaky).
    ["bun", "-e", `import { DuckDBInstance } from "@duckdb/node-api"; const i = await DuckDBInstance.create(${JSON.stringify(db)}${config}); const c = await i.connect(); globalThis.held = [i, c]; console.log("ready"); await Bun.sleep(60000); c.closeSync(); i.closeSync();`],
    { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" },
  );
  const reader = holder.stdout.getReader();
  let seen = "";
  while (!seen.includes("ready\n")) {
    const chunk = await reader.read();
    if (chunk.done) {
      const stderr = await new Response(holder.stderr).text();
      throw new Error(`the process that was to hold ${db} exited with ${await holder.exited}: ${stderr.trim()}`);
    }
    seen += new TextDecoder().decode(chunk.value);
  }
  return {
    pid: holder.pid,
    async release() {
      holder.kill();
      await holder.exited;
    },
  };
}
