import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  for (const [key, value] of Object.entries({
    'user.name': 'omk test',
    'user.email': 'omk-test@example.invalid',
    'gc.auto': '0',
    'commit.gpgsign': 'false',
    'core.autocrlf': 'false',
  })) {
    git(root, 'config', key, value);
  }
  git(root, 'remote', 'add', 'origin', origin);
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
