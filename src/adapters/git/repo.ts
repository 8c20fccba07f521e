import { realpath } from 'node:fs/promises';
import { GitError } from '../../runtime/errors.js';
import type { GrepHit, GrepQuery, RepoInfo, RepoPort } from '../../runtime/ports.js';
import { listCommitted, readCommitted } from './committed-files.js';
import { assertSha } from './refs.js';
import { type GitResult, runGit } from './run-git.js';

export const gitRepo: RepoPort = {
  async inspect(path: string, options: { changes?: boolean } = {}): Promise<RepoInfo> {
    // One run says where the checkout's top is and, after it, its HEAD commit: exit 1 with the top
    // alone when HEAD names no commit yet (a new repository).
    let found: GitResult;
    try {
      found = await runGit(['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}'], {
        cwd: path,
        okExitCodes: [0, 1],
      });
    } catch (error) {
      throw new GitError(`${path} is not inside a git repository.`, {
        cause: error,
        hint: "Run omk from a repository's directory, or pass --repo PATH (create one with 'git init').",
      });
    }
    const lines = found.stdout.split('\n');
    // The top holds a newline (never a sane checkout): asked for alone, as it would be misread.
    const top =
      lines.length === (found.exitCode === 0 ? 3 : 2)
        ? (lines[0] ?? '')
        : (await runGit(['rev-parse', '--show-toplevel'], { cwd: path })).stdout.trim();
    const root = await realpath(top);
    const head =
      found.exitCode === 0 && lines.length === 3
        ? { exitCode: 0, stdout: lines[1] ?? '' }
        : await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
            cwd: root,
            okExitCodes: [0, 1],
          });
    const headSha = head.exitCode === 0 ? head.stdout.trim() : null;
    // Asked for the changes: `git status` says the branch too, so it replaces symbolic-ref.
    if (options.changes === true) return { root, headSha, ...(await statusOf(root)) };
    const branch = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
      cwd: root,
      okExitCodes: [0, 1],
    });
    return { root, headSha, branch: branch.exitCode === 0 ? branch.stdout.trim() : null };
  },

  async listFiles(root: string): Promise<string[]> {
    const { stdout } = await runGit(['ls-files', '-z', '--cached', '--', '.'], { cwd: root });
    return stdout
      .split('\0')
      .filter((line) => line.length > 0)
      .sort();
  },

  async grepLines(root: string, query: GrepQuery): Promise<GrepHit[]> {
    if (query.patterns.length === 0) return [];
    const args = ['grep', '-z', '-n', '-I', '--no-color', query.fixed === true ? '-F' : '-E'];
    if (query.words === true) args.push('-w');
    for (const pattern of query.patterns) args.push('-e', pattern);
    if (query.at !== undefined) {
      // A commit id, never an option or a revision expression.
      assertSha(query.at);
      args.push(query.at);
    }
    // Exit code 1 means no line matched.
    const { stdout } = await runGit([...args, '--', '.'], { cwd: root, okExitCodes: [0, 1] });
    // A commit's hits are named `<sha>:<path>`.
    return parseGrep(stdout, query.maxHits, query.at === undefined ? '' : `${query.at}:`);
  },

  async fileSizes(root: string): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      cwd: root,
      okExitCodes: [0, 1],
    });
    if (head.exitCode !== 0) return sizes;
    const { stdout } = await runGit(['ls-tree', '-r', '-l', '-z', '--full-tree', 'HEAD'], { cwd: root });
    // "<mode> <type> <object> <size>\t<path>" per NUL-terminated record; submodules have size "-".
    for (const record of stdout.split('\0')) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const size = Number(record.slice(0, tab).trim().split(/\s+/)[3]);
      if (Number.isFinite(size)) sizes.set(record.slice(tab + 1), size);
    }
    return sizes;
  },

  listCommitted,
  readCommitted,
};

/**
 * The branch and what differs from HEAD, from `git status --porcelain=v2 --branch -z` (untracked
 * files listed, ignored ones not). Records: `# branch.head <name>|(detached)`, then `1 XY <6
 * fields> <path>` (changed), `u XY <8 fields> <path>` (unmerged), `? <path>` (untracked).
 * `--no-optional-locks`: a look, so it never takes the index lock a concurrent git may need.
 */
async function statusOf(root: string): Promise<{ branch: string | null; changes: string[] }> {
  const { stdout } = await runGit(
    ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '-z', '--no-renames'],
    { cwd: root },
  );
  let branch: string | null = null;
  const changes: string[] = [];
  for (const record of stdout.split('\0')) {
    if (record.startsWith('# branch.head ')) {
      const name = record.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : name;
    } else if (record.startsWith('? ')) {
      changes.push(record.slice(2));
    } else if (record.startsWith('1 ') || record.startsWith('u ')) {
      const fields = record.startsWith('1 ') ? 8 : 10;
      changes.push(record.split(' ').slice(fields).join(' '));
    }
  }
  return { branch, changes };
}

/** `git grep -z -n` prints path NUL line NUL text per line. */
function parseGrep(stdout: string, maxHits: number, prefix: string): GrepHit[] {
  const hits: GrepHit[] = [];
  for (const record of stdout.split('\n')) {
    if (hits.length >= maxHits) break;
    const [named, line, ...text] = record.split('\0');
    if (named === undefined || !named.startsWith(prefix) || line === undefined) continue;
    const path = named.slice(prefix.length);
    if (path === '') continue;
    hits.push({ path, line: Number(line), text: text.join('\0').slice(0, 300) });
  }
  return hits;
}
