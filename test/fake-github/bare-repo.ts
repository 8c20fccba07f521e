import { runGit } from '../../src/adapters/git/run-git.js';

const SHA = /^[0-9a-f]{40}$/;

/** The identity GitHub uses for merge commits it creates. */
const GITHUB_IDENTITY = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

/** Git queries and updates on the bare repository behind the fake, all argv through runGit. */
export class BareRepo {
  constructor(readonly path: string) {}

  private async run(args: string[], ok: number[] = [0], input?: string) {
    return runGit(args, { cwd: this.path, okExitCodes: ok, env: GITHUB_IDENTITY, input });
  }

  /** The commit a fully qualified ref points at, or null. */
  async resolveRef(ref: string): Promise<string | null> {
    if (!ref.startsWith('refs/')) return null;
    const r = await this.run(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
      [0, 1],
    );
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  branchSha(branch: string): Promise<string | null> {
    return this.resolveRef(`refs/heads/${branch}`);
  }

  /** Resolves what GitHub accepts as `{ref}`: a commit SHA, a branch, a tag, or `refs/...`. */
  async resolveCommitish(ref: string): Promise<string | null> {
    if (SHA.test(ref)) return (await this.commitExists(ref)) ? ref : null;
    for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
      const sha = await this.resolveRef(candidate);
      if (sha) return sha;
    }
    return null;
  }

  async commitExists(sha: string): Promise<boolean> {
    if (!SHA.test(sha)) return false;
    const r = await this.run(['cat-file', '-e', `${sha}^{commit}`], [0, 1, 128]);
    return r.exitCode === 0;
  }

  async objectType(sha: string): Promise<string> {
    return (await this.run(['cat-file', '-t', sha])).stdout.trim();
  }

  async defaultBranch(): Promise<string> {
    const r = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], [0, 1]);
    return r.exitCode === 0 ? r.stdout.trim() : 'main';
  }

  /** The file at `path` in `commit` (its blob id and bytes), or null when there is no such file. */
  async blobAt(commit: string, path: string): Promise<{ sha: string; bytes: Buffer } | null> {
    const found = await this.run(['rev-parse', '--verify', '--quiet', `${commit}:${path}`], [0, 1, 128]);
    const sha = found.exitCode === 0 ? found.stdout.trim() : '';
    if (!SHA.test(sha) || (await this.objectType(sha)) !== 'blob') return null;
    const content = await this.run(['cat-file', 'blob', sha]);
    return { sha, bytes: Buffer.from(content.stdout, 'utf8') };
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const r = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], [0, 1]);
    return r.exitCode === 0;
  }

  /** The tree of merging `head` into `base`, or null on conflicts (git ≥ 2.38). */
  async mergeTree(base: string, head: string): Promise<string | null> {
    const r = await this.run(['merge-tree', '--write-tree', '--no-messages', base, head], [0, 1]);
    if (r.exitCode !== 0) return null;
    return r.stdout.split('\n')[0]?.trim() ?? null;
  }

  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    return (await this.run(args, [0], message)).stdout.trim();
  }

  /** Compare-and-swap: moves `ref` to `next` only if it still points at `expected`. */
  async updateRef(ref: string, next: string, expected: string): Promise<boolean> {
    const r = await this.run(['update-ref', '-m', 'fake-github merge', ref, next, expected], [0, 1, 128]);
    return r.exitCode === 0;
  }

  async commitCount(base: string, head: string): Promise<number> {
    const r = await this.run(['rev-list', '--count', `${base}..${head}`]);
    return Number.parseInt(r.stdout.trim(), 10) || 0;
  }

  /** Lines added/deleted and files changed between the merge base and head (three-dot diff). */
  async diffStat(
    base: string,
    head: string,
  ): Promise<{ additions: number; deletions: number; files: number }> {
    const r = await this.run(['diff', '--numstat', `${base}...${head}`]);
    let additions = 0;
    let deletions = 0;
    let files = 0;
    for (const line of r.stdout.split('\n')) {
      const [added, deleted] = line.split('\t');
      if (added === undefined || deleted === undefined) continue;
      files += 1;
      additions += Number.parseInt(added, 10) || 0;
      deletions += Number.parseInt(deleted, 10) || 0;
    }
    return { additions, deletions, files };
  }

  async commitSubjects(base: string, head: string): Promise<string[]> {
    const r = await this.run(['log', '--reverse', '--format=%s', `${base}..${head}`]);
    return r.stdout.split('\n').filter((line) => line.length > 0);
  }
}
