import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../../src/shared/remove-tree.ts";
import { REPO_ROOT } from "./run-cli.ts";

const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/** Runs `command` as `nobody` (uid 65534); true when it exits 0. */
function nobodyCan(command: string[]): boolean {
  return Bun.spawnSync([...NOBODY, ...command], { cwd: "/", stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

export interface NobodyCli {
  /** A folder that `nobody` may enter, for the test's files (mode 0755, owned by root). */
  shared: string;
  /** The command line that runs the CLI as `nobody`, to which the CLI's arguments are appended. */
  command: string[];
  /** Unmounts and removes everything this made. */
  dispose(): void;
}

/**
 * Prepares the CLI to be run as `nobody`, to meet permissions that root does not (root may write anywhere). The
 * clone may sit under a folder only root can enter (a private home, `mktemp -d`): then the repository is
 * bind-mounted into a folder that everyone may enter, and Bun copied there when `nobody` cannot run it where it
 * is. Returns why it cannot be done instead: not root, no `setpriv`, or neither readable nor mountable.
 */
export function prepareNobodyCli(): NobodyCli | string {
  if (process.getuid?.() !== 0) return "needs root, to run the CLI as another user";
  if (Bun.which("setpriv") === null) return "needs setpriv (util-linux), to run the CLI as another user";
  const shared = mkdtempSync(join(tmpdir(), "ai-observer-nobody-"));
  chmodSync(shared, 0o755);
  const unmount: string[] = [];
  const dispose = () => {
    for (const point of unmount) Bun.spawnSync(["umount", point]);
    removeTree(shared);
  };
  let bun = process.execPath;
  if (!nobodyCan([bun, "--version"])) {
    bun = join(shared, "bun");
    copyFileSync(process.execPath, bun);
    chmodSync(bun, 0o755);
  }
  let root = REPO_ROOT;
  if (!nobodyCan(["test", "-r", join(root, "src", "cli.ts")])) {
    root = join(shared, "repo");
    mkdirSync(root);
    if (Bun.spawnSync(["mount", "--bind", "-o", "ro", REPO_ROOT, root], { stderr: "pipe" }).exitCode !== 0) {
      dispose();
      return `the repository lies in a folder that nobody may enter, and bind-mounting it elsewhere is not permitted here`;
    }
    unmount.push(root);
  }
  return { shared, command: [...NOBODY, bun, join(root, "src", "cli.ts")], dispose };
}
