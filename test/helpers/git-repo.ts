import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * One template per distinct set of files per test process: `git init` twice, add, commit and
 * push are six git processes; a copy of the finished template is two (`cp -a`, then the index
 * refresh below). About 200 ms against 55 ms a repository on this 2-core machine at load 5.
 */
const templates = new Map<string, Promise<string>>();
let templatesRoot: string | undefined;

/**
 * Templates live under omk-repo-templates/<parent pid>/<pid>: removed when the process exits,
 * and, because a test runner may end its workers without an exit event, those of runs whose parent
 * (the runner) is gone are removed by the next process that makes a template.
 */
function templatesDir(): string {
  if (templatesRoot !== undefined) return templatesRoot;
  const all = join(tmpdir(), 'omk-repo-templates');
  mkdirSync(all, { recursive: true });
  for (const run of readdirSync(all)) {
    if (Number(run) === process.ppid || alive(Number(run))) continue;
    // Another process may be removing it too.
    try {
      rmSync(join(all, run), { recursive: true, force: true });
    } catch {}
  }
  const root = join(all, String(process.ppid), String(process.pid));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  templatesRoot = root;
  return root;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** The template for `files`, built on first use; concurrent first uses share one build. */
function template(files: Record<string, string>): Promise<string> {
  const key = JSON.stringify(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const known = templates.get(key);
  if (known !== undefined) return known;
  const base = join(templatesDir(), String(templates.size));
  const built = buildRepo(base, files).then(() => base);
  templates.set(key, built);
  // A failed build is not kept: the next call tries again (and this one reports the failure).
  built.catch(() => templates.delete(key));
  return built;
}

/** Builds work/ and origin.git/ under `base`: `files` committed on main and pushed. */
async function buildRepo(base: string, files: Record<string, string>): Promise<void> {
  const root = join(base, 'work');
  const origin = join(base, 'origin.git');
  await mkdir(root, { recursive: true });
  git(base, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(root, 'init', '--quiet', '--initial-branch=main');
  // What `git config <key> <value>` (five times) and `git remote add origin` write, appended in
  // one write instead of six git processes.
  await appendFile(join(root, '.git', 'config'), REPO_CONFIG(origin));
  await writeFiles(root, files);
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '--allow-empty', '-m', 'initial');
  git(root, 'push', '--quiet', 'origin', 'main');
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** `config` with its origin URL `from` replaced by `to`; throws if `from` is not there. */
function withOrigin(config: string, from: string, to: string): string {
  const line = `\turl = ${from}\n`;
  if (!config.includes(line))
    throw new Error(`test repository template: no origin URL ${from} in its config`);
  return config.replace(line, `\turl = ${to}\n`);
}

/**
 * A real repository with gc off and a user set, and a local bare repository as `origin`: `files`
 * committed on main ("initial") and pushed. Each call gets its own copy (its own directories, the
 * same commits as every other copy made from the same files in this process).
 */
export async function createTempRepo(
  files: Record<string, string> = { 'README.md': '# fixture\n' },
): Promise<TempRepo> {
  const from = await template(files);
  const base = await mkdtemp(join(tmpdir(), 'omk-repo-'));
  const root = join(base, 'work');
  const origin = join(base, 'origin.git');
  execFileSync('cp', ['-a', `${from}/.`, base]);
  // The only absolute path in either repository: the work repository's origin URL.
  await writeFile(
    join(root, '.git', 'config'),
    withOrigin(
      await readFile(join(from, 'work', '.git', 'config'), 'utf8'),
      join(from, 'origin.git'),
      origin,
    ),
  );
  refreshIndex(root);
  return {
    root,
    origin,
    async commit(changes, message = 'fixture') {
      await writeFiles(root, changes);
      git(root, 'add', '--all');
      git(root, 'commit', '--quiet', '--allow-empty', '-m', message);
      return git(root, 'rev-parse', 'HEAD');
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * A copied index records the template's inodes and times: every file looks stat-dirty until the
 * index is refreshed, and some commands (`sparse-checkout set`) then keep files a fresh checkout
 * would drop. One `update-index --refresh` makes the copy's index what a checkout writes.
 */
function refreshIndex(root: string): void {
  git(root, 'update-index', '-q', '--refresh');
}
