/**
 * Whether a Bash command runs `git commit` (go-reference-2026 §2.1 "Commit"; Go parses it with a real shell parser,
 * mvdan/sh): some simple command outside a function body whose first word is literally `git`, `/usr/bin/git` or
 * `/bin/git` and whose next word after git's global options is `commit`. Quotes are removed from words; a word with
 * an expansion (`$…`, a backquote) is not literal; comments, heredoc bodies and quoted text are not commands.
 * Nothing is executed.
 */
export function runsGitCommit(command: string): boolean {
  const commands = simpleCommands(command);
  return commands !== null && commands.some(isGitCommit);
}

const GIT = new Set(["git", "/usr/bin/git", "/bin/git"]);
/** git's global options that take the next word. */
const WITH_VALUE = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace"]);
const FLAGS = new Set(["--no-pager", "--no-optional-locks", "--bare"]);
const JOINED = ["--git-dir=", "--work-tree=", "--namespace=", "--config-env="];

/** A word after quote removal; `null` when it holds an expansion. */
type Word = string | null;

function isGitCommit(words: Word[]): boolean {
  if (words[0] === null || words[0] === undefined || !GIT.has(words[0])) return false;
  let i = 1;
  while (i < words.length) {
    const word = words[i];
    if (word === null || word === undefined) return false;
    if (WITH_VALUE.has(word)) i += 2;
    else if (FLAGS.has(word) || JOINED.some((prefix) => word.startsWith(prefix)) || word.startsWith("-C") || word.startsWith("-c")) i++;
    else return word === "commit";
  }
  return false;
}

const OPERATORS = new Set([";", "&", "|", "(", ")", "\n"]);
/** Words that open or go on a compound command: the simple command starts after them (`then git commit`). */
const RESERVED = new Set(["{", "}", "!", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time"]);

/** The simple commands of a script outside function bodies, as lists of words; `null` when it does not parse. */
function simpleCommands(script: string): Word[][] | null {
  const commands: Word[][] = [];
  let words: Word[] = [];
  const heredocs: string[] = [];
  let braceDepthInFunction = 0;
  let i = 0;
  const end = () => {
    if (words.length > 0 && braceDepthInFunction === 0) commands.push(words);
    words = [];
  };
  while (i < script.length) {
    const c = script[i] as string;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "\\" && script[i + 1] === "\n") {
      i += 2;
    } else if (c === "#") {
      while (i < script.length && script[i] !== "\n") i++;
    } else if (c === "\n") {
      end();
      i++;
      // Heredoc bodies follow the line that opened them: skipped up to their delimiter lines.
      while (heredocs.length > 0) {
        const delimiter = heredocs.shift() as string;
        let found = false;
        while (i < script.length) {
          const lineEnd = script.indexOf("\n", i);
          const line = script.slice(i, lineEnd < 0 ? script.length : lineEnd);
          i = lineEnd < 0 ? script.length : lineEnd + 1;
          if (line.replace(/^\t+/, "") === delimiter) {
            found = true;
            break;
          }
        }
        if (!found) return commands;
      }
    } else if (c === "<" && script[i + 1] === "<" && script[i + 2] !== "<") {
      i += script[i + 2] === "-" ? 3 : 2;
      while (script[i] === " " || script[i] === "\t") i++;
      const [word, next] = readWord(script, i);
      if (next <= i) return null;
      heredocs.push((word ?? script.slice(i, next)).replace(/['"\\]/g, ""));
      i = next;
    } else if (c === "{" && words.length === 0 && braceDepthInFunction > 0) {
      braceDepthInFunction++;
      i++;
    } else if (c === "}" && words.length === 0 && braceDepthInFunction > 0) {
      braceDepthInFunction--;
      i++;
    } else if (OPERATORS.has(c)) {
      // `name() {`: a function definition; its body is not run here.
      if (c === "(" && script[i + 1] === ")" && words.length === 1) {
        words = [];
        i += 2;
        while (i < script.length && /\s/.test(script[i] as string)) i++;
        if (script[i] === "{") {
          braceDepthInFunction++;
          i++;
        }
        continue;
      }
      end();
      i++;
    } else if (c === ">" || c === "<") {
      // A redirection: its target is not a word of the command.
      i++;
      if (script[i] === c || script[i] === "&") i++;
      while (script[i] === " " || script[i] === "\t") i++;
      const [, next] = readWord(script, i);
      if (next < 0) return null;
      i = next;
    } else {
      const [word, next] = readWord(script, i);
      if (next <= i) return null;
      if (!(words.length === 0 && word !== null && RESERVED.has(word))) words.push(word);
      i = next;
    }
  }
  end();
  return commands;
}

/**
 * One word from `start`: its text with quotes removed (`null` if it holds an expansion), and where it ends (-1: an
 * unterminated quote, so the script does not parse).
 */
export function readWord(script: string, start: number): [Word, number] {
  let text = "";
  let literal = true;
  let i = start;
  while (i < script.length) {
    const c = script[i] as string;
    if (/[\s;&|()<>]/.test(c)) break;
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      if (close < 0) return [null, -1];
      text += script.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === "\\") j++;
        else if (script[j] === "$" || script[j] === "`") literal = false;
        j++;
      }
      if (j >= script.length) return [null, -1];
      text += script.slice(i + 1, j).replace(/\\(.)/g, "$1");
      i = j + 1;
    } else if (c === "\\") {
      text += script[i + 1] ?? "";
      i += 2;
    } else {
      if (c === "$" || c === "`") literal = false;
      text += c;
      i++;
    }
  }
  return [literal ? text : null, i];
}
