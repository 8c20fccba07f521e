import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Yarn 4 as its maintainers publish it on npm: one file, no dependency. */
export const YARN_BERRY_VERSION = '4.18.1';

export interface YarnBerry {
  /** PATH with the directory of `yarn` first. */
  path: string;
  /**
   * `yarn install` in `dir`, as the user ran it once: what it wrote stays (yarn.lock and the
   * install). `--no-immutable`: under CI Yarn would refuse to write the lockfile.
   */
  install(dir: string): void;
  remove(): Promise<void>;
}

/**
 * `yarn` (Berry) from the npm package `@yarnpkg/cli-dist`, installed in a directory of its own
 * (npm's cache answers after the first time), with a HOME of its own for its global folder.
 */
export async function yarnBerry(): Promise<YarnBerry> {
  const dir = await mkdtemp(join(tmpdir(), 'omk-yarn-berry-'));
  await writeFile(join(dir, 'package.json'), '{ "private": true }\n');
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', `@yarnpkg/cli-dist@${YARN_BERRY_VERSION}`],
    { cwd: dir, stdio: 'pipe' },
  );
  // npm links `yarn` here and makes the package's script executable.
  const bin = join(dir, 'node_modules', '.bin');
  const home = join(dir, 'home');
  await mkdir(home);
  const path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
  return {
    path,
    install: (project) =>
      void execFileSync('yarn', ['install', '--no-immutable'], {
        cwd: project,
        stdio: 'pipe',
        env: { ...process.env, PATH: path, HOME: home, YARN_ENABLE_TELEMETRY: '0' },
      }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The lockfile Yarn writes for `files` (a package.json and its workspaces' own), made by
 * `yarn install` in a scratch copy of them.
 */
export async function yarnLockFor(yarn: YarnBerry, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omk-yarn-lock-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    yarn.install(dir);
    return await readFile(join(dir, 'yarn.lock'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
