import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { cacheRoot } from "../shared/cache-dir.ts";
import { loadDuckDB } from "../db/duckdb.ts";
import viewsSql from "./create-views.sql" with { type: "text" };

/**
 * The views database does not depend on the data: its views name the Parquet files by relative
 * path, and the files always have the tables' columns. So the file DuckDB writes is kept in the
 * cache folder, keyed by the DuckDB version and the views' SQL, and later exports copy it instead
 * of loading DuckDB (about 0.1 s). Without a usable cache folder every export creates it.
 */
function templatePath(): string | null {
  const duckdb = packageJson.dependencies["@duckdb/node-api"];
  const sql = new Bun.CryptoHasher("sha256").update(viewsSql).digest("hex").slice(0, 16);
  const root = cacheRoot();
  return root ? join(root, `views-duckdb-${duckdb}-${sql}.duckdb`) : null;
}

/** A DuckDB database file: "DUCK" at offset 8 of its main header. */
function isDuckDBFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const header = Buffer.alloc(12);
    return readSync(fd, header, 0, 12, 0) === 12 && header.toString("latin1", 8, 12) === "DUCK";
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sha256Of(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

/** The template's path when there is one: a DuckDB file with its SHA-256 beside it (neither read whole here). */
function presentTemplate(): string | null {
  const template = templatePath();
  return template !== null && isDuckDBFile(template) && existsSync(`${template}.sha256`) ? template : null;
}

/**
 * The template, when there is a usable one: a DuckDB file whose SHA-256 is the one recorded beside it when it was
 * saved (a truncated or damaged template would otherwise be copied into every export as an unreadable file).
 */
function usableTemplate(): string | null {
  const template = presentTemplate();
  if (template === null) return null;
  try {
    return readFileSync(`${template}.sha256`, "utf8").trim() === sha256Of(template) ? template : null;
  } catch {
    return null;
  }
}

/**
 * Whether creating the views database will likely copy the template (and so need no DuckDB): there is one, with its
 * SHA-256 beside it. Asked before a parse, it does not read the template: `createViewsDatabase` checks it in full
 * (~1-3 ms on the parse's thread saved); a damaged one is then replaced, DuckDB loaded only there.
 */
export function hasViewsTemplate(): boolean {
  return presentTemplate() !== null;
}

/** Keeps a copy of a views database as the template, with its SHA-256; a failure only means the next export creates it again. */
function saveTemplate(created: string, template: string): void {
  const temp = `${template}.${process.pid}.tmp`;
  try {
    mkdirSync(join(template, ".."), { recursive: true });
    copyFileSync(created, temp);
    writeFileSync(`${temp}.sha256`, `${sha256Of(temp)}\n`);
    renameSync(temp, template);
    renameSync(`${temp}.sha256`, `${template}.sha256`);
  } catch {
    try {
      rmSync(temp, { force: true });
      rmSync(`${temp}.sha256`, { force: true });
    } catch {
      // nothing was written there (the folder could not be made)
    }
  }
}

/**
 * Creates the views database inside `dir`, next to the Parquet files. DuckDB resolves
 * `read_parquet('traces.parquet')` against the process's directory when the view is created,
 * and `file_search_path` cannot hold a folder with a comma, so we change directory briefly.
 */
export async function createViewsDatabase(dir: string, fileName: string): Promise<string> {
  const path = join(dir, fileName);
  const usable = usableTemplate();
  if (usable) {
    copyFileSync(usable, path);
    return path;
  }
  await writeViewsDatabase(path, dir, [viewsSql]);
  const template = templatePath();
  if (template) saveTemplate(path, template);
  return path;
}

/**
 * Writes a views database at `path` by running `statements` with `cwd` as the current folder (DuckDB resolves and
 * checks a view's relative files when the view is created), checkpointed, with no write-ahead log left beside it.
 */
export async function writeViewsDatabase(path: string, cwd: string, statements: readonly string[]): Promise<void> {
  const duckdb = await loadDuckDB();
  const instance = await duckdb.DuckDBInstance.create(path);
  const connection = await instance.connect();
  const previous = process.cwd();
  try {
    process.chdir(cwd);
    for (const statement of statements) await connection.run(statement);
    await connection.run("CHECKPOINT");
  } finally {
    process.chdir(previous);
    connection.closeSync();
    instance.closeSync();
  }
  if (existsSync(`${path}.wal`)) throw new Error(`DuckDB left a write-ahead log next to ${path}`);
}
