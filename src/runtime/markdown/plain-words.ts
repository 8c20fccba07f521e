/**
 * An error's message as a person reading a comment or a job summary should see it: its first line
 * only (no stack frames, no tool output below it), with paths on the machine that ran omk and git
 * command lines replaced by what they are. The log keeps the full message.
 */

/**
 * `git push --force origin omk/g/s1`, `git -c k=v fetch ...`: the command and the arguments that
 * look like ones (flags, refs and paths, remotes, shas); a quoted command whole.
 */
const GIT_COMMAND =
  /`git [^`]*`|\bgit(?: -[cC] \S+)* [a-z][a-z-]*(?: (?:-\S+|[^\s:]*[/=][^\s:]*|origin|HEAD|[0-9a-f]{7,40}))*/g;
/** An absolute path with two segments or more (`/tmp/omk-x/repo`), or a Windows one. */
const PATH = /(?<![\w.:/-])(?:\/[\w.@+-]+){2,}\/?|\b[A-Za-z]:\\[^\s'"`]+/g;
/** A stack frame, should one be on the first line. */
const FRAME = /\s+at \S+ \(.*$|\s+at (?:file:\/\/|node:|\/).*$/;

export function plainMessage(message: string, maxChars = 300): string {
  const first =
    message
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? '';
  const plain = first
    .replace(FRAME, '')
    .replace(GIT_COMMAND, 'a git command')
    .replace(PATH, 'a path on the machine that ran it')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > maxChars ? `${plain.slice(0, maxChars - 1)}…` : plain;
}
