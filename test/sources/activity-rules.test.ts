import { describe, expect, test } from "bun:test";
import { runsGitCommit } from "../../src/sources/claude/git-commit.ts";
import { lineDiff } from "../../src/sources/claude/line-diff.ts";

// Go's own test cases for the activity reconstruction (go-reference-2026 §2.1, claude_activity_test.go@bf6016a6).
describe("git commit in a Bash command", () => {
  test.each([
    "git add . && git commit -m 'test'",
    "git -C '/some dir' -c user.name=Test commit -m test",
    "git --git-dir=/repo/.git --work-tree=/repo commit -m test",
    `'git' "commit" -m test`,
    "/usr/bin/git --no-pager commit -am wip",
    "cd app\ngit commit -m x > /dev/null 2>&1",
    "if git diff --quiet; then echo clean; else git commit -am wip; fi",
    "{ git add .; git commit -m grouped; }",
    "(cd app && git commit -m sub)",
  ])("counts: %p", (command) => {
    expect(runsGitCommit(command)).toBe(true);
  });

  test.each([
    "echo 'git commit'",
    "cat <<EOF\ngit commit\nEOF",
    "git status # git commit",
    "f() { git commit; }",
    "git log --format='git commit'",
    "echo git commit",
    'git commit -m "unterminated',
    "$GIT commit -m x",
    "git $(echo commit)",
  ])("does not count: %p", (command) => {
    expect(runsGitCommit(command)).toBe(false);
  });
});

describe("line diff", () => {
  test.each([
    ["keep\nold\nkeep", "keep\nnew\nkeep", { added: 1, removed: 1 }],
    ["", "a\nb\n", { added: 2, removed: 0 }],
    ["a\n", "", { added: 0, removed: 1 }],
    ["same\n", "same", { added: 0, removed: 0 }],
    ["line1\nline2", "line1\nline2\nline3", { added: 1, removed: 0 }],
    ["foo", "", { added: 0, removed: 1 }],
  ] as const)("%p -> %p", (before, after, expected) => {
    expect(lineDiff(before, after)).toEqual(expected);
  });

  test("2,500 lines against 2,500 other lines is too large to compare", () => {
    const lines = (prefix: string) => Array.from({ length: 2500 }, (_, i) => `${prefix}${i}`).join("\n");
    expect(lineDiff(lines("a"), lines("b"))).toBeNull();
  });
});
