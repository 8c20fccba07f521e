import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusyError, ConfigError, GitError, NotFoundError, StateError } from '../../runtime/errors.js';
import { DEFAULT_STATE_BRANCH } from '../../runtime/graph/branches.js';
import { createScrub } from '../../runtime/secrets/scrub.js';
import { goalPaths } from '../../runtime/state/paths.js';
import { GoalExistsError, type GoalReconciler, type RemoteStateStore } from '../../runtime/state/remote.js';
import { assertId } from './refs.js';
import { readBlobs } from './state-blobs.js';
import { collectGoalFiles, type GoalFile, replaceGoalDir } from './state-files.js';
import { bindStateGit } from './state-git.js';
import { buildStateCommit } from './state-index.js';
import {
  GOALS_DIR,
  groupStateFiles,
  parseLsTree,
  STATE_LIMITS,
  STATE_TRACKING_REF,
  type StateFile,
} from './state-tree.js';

export interface GitStateBranchOptions {
  /** Top level of the repository whose remote holds the state branch. */
  repoRoot: string;
  /** Remote name or URL (default `origin`). */
  remote?: string;
  /** The state branch (default `omk/state`). */
  branch?: string;
  /** Local state root; goals live in `<stateRoot>/goals/<id>/`. */
  stateRoot: string;
  /** Extra git environment, e.g. an auth header through GIT_CONFIG_COUNT/KEY/VALUE. */
  env?: Record<string, string>;
  /** Artifacts larger than this are stored as a stub (default 256 KiB). */
  maxFileBytes?: number;
  /** Pushes tried before giving up on a race (default 5). */
  maxAttempts?: number;
  /**
   * Merges the remote's copy of a goal into the local one before each unscoped push attempt
   * (reconcileGoal); without it the local goal replaces the remote's.
   */
  reconcile?: GoalReconciler;
  /**
   * How messages name the branch, when `remote` is not what a user knows it by (a URL carrying the
   * repository the GitHub hosts push to): without it, `<remote>/<branch>`.
   */
  shownAs?: string;
  /** Test seam: runs after each commit is built and before it is pushed. */
  beforePush?: (info: {
    goalId: string;
    attempt: number;
    base: string | null;
    commit: string;
  }) => Promise<void>;
}

const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![/.])$/;

/** The state branch on a git remote: orphan history of goals/, pushed fast-forward only. */
export function createGitStateBranch(options: GitStateBranchOptions): RemoteStateStore {
  const remote = options.remote ?? 'origin';
  const branch = options.branch ?? DEFAULT_STATE_BRANCH;
  const maxFileBytes = options.maxFileBytes ?? 256 * 1024;
  const maxAttempts = options.maxAttempts ?? 5;
  if (remote.length === 0 || remote.startsWith('-'))
    throw new ConfigError(`Invalid state remote '${remote}'.`);
  if (!BRANCH_PATTERN.test(branch)) throw new ConfigError(`Invalid state branch name '${branch}'.`);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new ConfigError('maxAttempts must be at least 1.');
  const git = bindStateGit(options.repoRoot, options.env ?? {});
  // What is pushed never holds the token this store pushes with (nor any token-shaped value).
  const scrub = createScrub(tokensOfAuthEnv(options.env ?? {}));
  const where = options.shownAs ?? `${remote}/${branch}`;
  const refuser = options.shownAs === undefined ? remote : 'The repository';

  async function fetchTip(): Promise<string | null> {
    const refspec = `+refs/heads/${branch}:${STATE_TRACKING_REF}`;
    const fetchArgs = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no'];
    const fetched = await git([...fetchArgs, remote, refspec], { okExitCodes: [0, 128] });
    if (fetched.exitCode !== 0) {
      // Exit 128 is both "no such ref" and a real failure; ls-remote's exit 2 tells them apart.
      const listed = await git(['ls-remote', '--exit-code', remote, `refs/heads/${branch}`], {
        okExitCodes: [0, 2],
      });
      if (listed.exitCode === 2) {
        await git(['update-ref', '-d', STATE_TRACKING_REF]);
        return null;
      }
      await git([...fetchArgs, remote, refspec]);
    }
    return (await git(['rev-parse', '--verify', '--quiet', `${STATE_TRACKING_REF}^{commit}`])).stdout.trim();
  }

  /** Pushes fast-forward only; returns null on success or the rejected ref's porcelain summary. */
  async function tryPush(commit: string): Promise<string | null> {
    const target = `refs/heads/${branch}`;
    const args = [
      '-c',
      'push.gpgSign=false',
      'push',
      '--porcelain',
      '--no-verify',
      remote,
      `${commit}:${target}`,
    ];
    const result = await git(args, { okExitCodes: [0, 1] });
    if (result.exitCode === 0) return null;
    const rejected = result.stdout
      .split('\n')
      .map((line) => line.split('\t'))
      .find(([flag, refs]) => flag === '!' && refs?.endsWith(`:${target}`));
    if (rejected === undefined) {
      throw new GitError(`git push to ${where} failed: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return rejected[2] ?? 'rejected';
  }

  async function withScratch<T>(fn: (scratch: string) => Promise<T>): Promise<T> {
    const scratch = await mkdtemp(join(tmpdir(), 'omk-state-'));
    try {
      return await fn(scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** The tree id of goals/<goalId> at `commit`; null when the goal is not there. */
  async function goalTreeAt(commit: string, goalId: string): Promise<string | null> {
    const tree = await git(['rev-parse', '--verify', '--quiet', `${commit}:${GOALS_DIR}/${goalId}`], {
      okExitCodes: [0, 1, 128],
    });
    return tree.exitCode === 0 ? tree.stdout.trim() : null;
  }

  const lastRead = new Map<string, { treeId: string; files: ReadonlyMap<string, Uint8Array> }>();

  /** The goal's files at `commit`, validated like a pull; null when the goal is not there. */
  async function readGoal(
    goalId: string,
    commit: string,
    scratch: string,
  ): Promise<Map<string, Uint8Array> | null> {
    const prefix = `${GOALS_DIR}/${goalId}/`;
    const listed = await git(['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', prefix]);
    const files = groupStateFiles(parseLsTree(listed.stdout), commit).get(goalId);
    return files === undefined ? null : goalContents(files, commit, scratch);
  }

  /** The bytes of one goal's files (within STATE_LIMITS: groupStateFiles checked them). */
  async function goalContents(
    files: readonly StateFile[],
    commit: string,
    scratch: string,
  ): Promise<Map<string, Uint8Array>> {
    const blobs = await readBlobs(
      git,
      scratch,
      files.map((file) => file.oid),
    );
    const out = new Map<string, Uint8Array>();
    for (const file of files) {
      const content = blobs.get(file.oid);
      if (content === undefined) throw new GitError(`Blob ${file.oid} of state commit ${commit} is missing.`);
      out.set(file.path, content);
    }
    return out;
  }

  return {
    async read(goalId) {
      assertId(goalId, 'goal id');
      const tip = await fetchTip();
      if (tip === null) return null;
      // A running goal reads the remote every poll: the goal's tree id says whether it changed.
      const treeId = await goalTreeAt(tip, goalId);
      if (treeId === null) return null;
      const cached = lastRead.get(goalId);
      if (cached?.treeId === treeId) return new Map(cached.files);
      const files = await withScratch((scratch) => readGoal(goalId, tip, scratch));
      if (files !== null) lastRead.set(goalId, { treeId, files });
      return files === null ? null : new Map(files);
    },

    async pull(goalId) {
      if (goalId !== null) assertId(goalId, 'goal id');
      const commit = await fetchTip();
      if (commit === null) return null;
      const prefix = goalId === null ? `${GOALS_DIR}/` : `${GOALS_DIR}/${goalId}/`;
      const listed = await git(['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', prefix]);
      // Validate the whole tree before writing anything: the branch content is untrusted.
      const goals = groupStateFiles(parseLsTree(listed.stdout), commit);
      const pulled = [...goals.keys()].filter((id) => goalId === null || id === goalId);
      await withScratch(async (scratch) => {
        // One goal in memory at a time: the limits bound a goal, not the whole branch.
        for (const id of pulled) {
          const wanted = await goalContents(goals.get(id) ?? [], commit, scratch);
          await replaceGoalDir(options.stateRoot, id, wanted);
        }
      });
      return { commit, goals: pulled };
    },

    async peek(goalId, file) {
      assertId(goalId, 'goal id');
      if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file) || file.split('/').includes('..')) {
        throw new GitError(`Invalid goal file name '${file}'.`);
      }
      const tip = await fetchTip();
      if (tip === null) return null;
      // The one entry, checked like a pull (a link, a gitlink or a blob over the limit is refused).
      const path = `${GOALS_DIR}/${goalId}/${file}`;
      const listed = await git(['ls-tree', '-l', '-z', '--full-tree', tip, '--', path]);
      const entry = parseLsTree(listed.stdout).find((found) => found.path === path);
      if (entry === undefined || entry.type === 'tree') return null;
      const found = groupStateFiles([entry], tip).get(goalId)?.[0];
      if (found === undefined) return null;
      return (await git(['cat-file', 'blob', found.oid])).stdout;
    },

    async push(goalId, message, scope = {}) {
      assertId(goalId, 'goal id');
      const goalDir = goalPaths(options.stateRoot, goalId).dir;
      const found = await stat(goalDir).catch(() => null);
      if (found === null || !found.isDirectory()) {
        throw new NotFoundError(`Goal ${goalId} has no local directory to push (${goalDir}).`);
      }
      return withScratch(async (scratch) => {
        let base = await fetchTip();
        for (let attempt = 1; ; attempt++) {
          // A creating push builds only on a tip without the goal; a race lost to another creator
          // reads the new tip below, and finds it there.
          if (scope.create === true && base !== null && (await goalTreeAt(base, goalId)) !== null) {
            throw new GoalExistsError(goalId, where);
          }
          // What others wrote to this goal is merged into the local copy first; then this goal
          // comes from disk and everything else from the tip just fetched.
          if (options.reconcile !== undefined && scope.only === undefined && base !== null) {
            const theirs = await readGoal(goalId, base, scratch);
            if (theirs !== null) await options.reconcile(goalId, theirs);
          }
          const inScope = scopeFilter(scope.only);
          const all = await collectGoalFiles(goalDir, maxFileBytes, join(scratch, `stubs-${attempt}`), scrub);
          const files = inScope ? all.filter((file) => inScope(file.path)) : all;
          // What no read would take back is not pushed: the goal would be unreadable for every job.
          if (attempt === 1) await checkPushable(goalId, all);
          const commit = await buildStateCommit(git, { base, goalId, files, message, scratch, inScope });
          if (commit === base) return commit;
          await options.beforePush?.({ goalId, attempt, base, commit });
          const rejected = await tryPush(commit);
          if (rejected === null) {
            await git(['update-ref', STATE_TRACKING_REF, commit]);
            return commit;
          }
          const tip = await fetchTip();
          if (tip === base) {
            // Nobody else moved the branch, so this is a refusal (a hook, a protection rule), not a race.
            throw new GitError(`${refuser} refused the push of goal ${goalId} to ${branch}: ${rejected}.`, {
              hint: `Check the remote's rules for ${branch}; omk needs to push to it fast-forward.`,
            });
          }
          if (attempt >= maxAttempts) {
            throw new BusyError(
              `Could not push goal ${goalId} to ${where}: another writer kept winning (${attempt} attempts).`,
              {
                hint: 'Another omk run is updating the state branch at the same time. Run the command again.',
              },
            );
          }
          await sleep(Math.min(1000, 25 * 2 ** (attempt - 1)) + Math.random() * 25);
          base = tip;
        }
      });
    },
  };
}

/** Refuses a goal over STATE_LIMITS' file count or sizes (its names are checked on the way back). */
async function checkPushable(goalId: string, files: readonly GoalFile[]): Promise<void> {
  const tooLarge = (why: string): never => {
    throw new StateError(`Goal ${goalId} is too large for the state branch: ${why}.`, {
      hint: 'Nothing was pushed. Remove what the goal does not need from its directory (old artifacts), or keep the goal on this machine.',
    });
  };
  if (files.length > STATE_LIMITS.goalFiles) {
    tooLarge(`${files.length} files, over the limit of ${STATE_LIMITS.goalFiles}`);
  }
  let total = 0;
  for (const file of files) {
    const { size } = await stat(file.source);
    if (size > STATE_LIMITS.fileBytes) {
      tooLarge(`${file.path} is ${size} bytes, over the ${STATE_LIMITS.fileBytes}-byte limit for one file`);
    }
    total += size;
  }
  if (total > STATE_LIMITS.goalBytes) {
    tooLarge(`its files hold ${total} bytes, over the ${STATE_LIMITS.goalBytes}-byte limit for one goal`);
  }
}

/** A predicate for goal-relative paths inside `only` ('dir/' covers everything below it). */
function scopeFilter(only: readonly string[] | undefined): ((path: string) => boolean) | undefined {
  if (only === undefined) return undefined;
  return (path) => only.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The tokens inside `AUTHORIZATION: basic base64(x-access-token:TOKEN)` extra headers of a git environment. */
export function tokensOfAuthEnv(env: Readonly<Record<string, string>>): string[] {
  const tokens: string[] = [];
  for (const value of Object.values(env)) {
    const header = /^authorization:\s*basic\s+([A-Za-z0-9+/=]+)$/i.exec(value.trim());
    if (!header?.[1]) continue;
    const decoded = Buffer.from(header[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) tokens.push(decoded.slice(colon + 1));
  }
  return tokens;
}
