import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Runs git in `cwd` for test set-up (argv, no shell); returns trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C' },
  }).trim();
}

export interface TempRepo {
  root: string;
  origin: string;
  /** Writes files (creating directories) and commits them; returns the new HEAD sha. */
  commit(files: Record<string, string>, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A test repository's own settings and its `origin` remote, as git config lines. */
const REPO_CONFIG = (origin: string): string =>
  [
    '[user]',
    '\tname = omk test',
    '\temail = omk-test@example.invalid',
    '[gc]',
    '\tauto = 0',
    '[commit]',
    '\tgpgsign = false',
    '[core]',
    '\tautocrlf = false',
    '[remote "origin"]',
    `\turl = ${origin}`,
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '',
  ].join('\n');

/** A real repository with gc off and a user set, and a local bare repository as `origin`. */
export async function createTempRepo(
  files: Record<string, string> = { 'README.md': '# fixture\n' },
): Promise<TempRepo> {
  const base = await mkdtemp(join(tmpdir(), 'omk-repo-'));
  const root = join(base, 'work');
  const origin = join(base, 'origin.git');
  await mkdir(root);
  git(base, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(root, 'init', '--quiet', '--initial-branch=main');
  // What `git config <key> <value>` (five times) and `git remote add origin` write, appended in
  // one write instead of six git processes (a repository is made for most tests).
  await appendFile(join(root, '.git', 'config'), REPO_CONFIG(origin));
  const repo: TempRepo = {
    root,
    origin,
    async commit(changes, message = 'fixture') {
      for (const [path, content] of Object.entries(changes)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), content);
      }
      git(root, 'add', '--all');
      git(root, 'commit', '--quiet', '--allow-empty', '-m', message);
      return git(root, 'rev-parse', 'HEAD');
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
  await repo.commit(files, 'initial');
  git(root, 'push', '--quiet', 'origin', 'main');
  return repo;
}
