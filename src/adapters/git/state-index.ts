import { join } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { GoalFile } from './state-files.js';
import { cQuote, STATE_AUTHOR_ENV, type StateGit } from './state-git.js';
import { GOALS_DIR } from './state-tree.js';

export interface StateCommitInput {
  /** The remote tip to build on, or null to start the orphan history. */
  base: string | null;
  goalId: string;
  files: readonly GoalFile[];
  message: string;
  /** A private directory for the temporary index. */
  scratch: string;
  /** When set, only goal paths inside this scope are replaced (see RemoteStateStore.push). */
  inScope?: (path: string) => boolean;
}

// A private index must not spill into the repository (split index) or wake a file monitor.
const INDEX_CONFIG = ['-c', 'core.splitIndex=false', '-c', 'core.fsmonitor=false'];

/**
 * Builds the state commit without touching the user's HEAD, index or working tree: the base's tree
 * in a temporary index, goals/<goalId>/ replaced by the local files, then commit-tree. Returns
 * `base` itself when nothing changed, so an idempotent push makes no empty commit.
 */
export async function buildStateCommit(git: StateGit, input: StateCommitInput): Promise<string> {
  const { base, goalId, files } = input;
  const env = { GIT_INDEX_FILE: join(input.scratch, 'index') };
  const indexGit: StateGit = (args, extra = {}) => git([...INDEX_CONFIG, ...args], { ...extra, env });
  await indexGit(base === null ? ['read-tree', '--empty'] : ['read-tree', base]);

  const oids =
    files.length === 0
      ? []
      : (
          await git(['hash-object', '-w', '--no-filters', '--stdin-paths'], {
            input: `${files.map((file) => cQuote(file.source)).join('\n')}\n`,
          })
        ).stdout
          .split('\n')
          .filter((line) => line.length > 0);
  if (oids.length !== files.length) {
    throw new GitError(`git hash-object returned ${oids.length} ids for ${files.length} files.`);
  }

  const prefix = `${GOALS_DIR}/${goalId}/`;
  const wanted = new Set(files.map((file) => prefix + file.path));
  const records: string[] = [];
  if (base !== null) {
    const listed = await git(['ls-tree', '-r', '-z', '--name-only', '--full-tree', base, '--', prefix]);
    const zero = '0'.repeat(base.length);
    for (const path of listed.stdout.split('\0')) {
      // Mode 0 removes the entry, so files deleted locally disappear from the branch.
      const inScope = input.inScope?.(path.slice(prefix.length)) ?? true;
      if (path.length > 0 && inScope && !wanted.has(path)) records.push(`0 ${zero}\t${path}`);
    }
  }
  files.forEach((file, i) => {
    records.push(`100644 ${oids[i]}\t${prefix}${file.path}`);
  });
  if (records.length > 0) {
    await indexGit(['update-index', '-z', '--index-info'], { input: records.map((r) => `${r}\0`).join('') });
  }
  const tree = (await indexGit(['write-tree'])).stdout.trim();
  if (base !== null && tree === (await git(['rev-parse', `${base}^{tree}`])).stdout.trim()) return base;

  const parents = base === null ? [] : ['-p', base];
  const committed = await git(
    ['-c', 'commit.gpgsign=false', 'commit-tree', tree, ...parents, '-m', input.message],
    {
      env: { ...STATE_AUTHOR_ENV },
    },
  );
  return committed.stdout.trim();
}
