import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createExecutionEnv, type ExecutionEnv, GOALS } from './execution.js';
import { lockfileSubset } from './lockfile-subset.js';
import { runOmk } from './omk.js';

/** A Node project's package.json and lockfile, with node_modules installed once, to copy per test. */
export interface NodeTemplate {
  dir: string;
  lockfile: string;
  remove(): Promise<void>;
}

/**
 * Installs `devDependency` (a package of omk's own lockfile) into a template project by
 * `npm ci --offline` from a lockfile cut from omk's own: real packages from npm, no network, even
 * on a machine whose npm cache only omk's `npm ci` filled.
 */
export async function nodeTemplate(
  project: string,
  devDependency: string,
  packageJson: string,
): Promise<NodeTemplate> {
  const dir = await mkdtemp(join(tmpdir(), `omk-${project}-`));
  await writeFile(join(dir, 'package.json'), packageJson);
  const omkLock = JSON.parse(await readFile(new URL('../../package-lock.json', import.meta.url), 'utf8'));
  const lockfile = `${JSON.stringify(lockfileSubset(omkLock, project, devDependency), null, 2)}\n`;
  await writeFile(join(dir, 'package-lock.json'), lockfile);
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
  return { dir, lockfile, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * `from`'s node_modules copied into `to` (a real copy: no file is shared with the template, which
 * the next test copies again). `cp -a` keeps node_modules/.bin's links relative, as `npm ci` left
 * them (node's recursive `fs.cp` made them absolute links into the template), and takes about a
 * fifth of the time: vitest's 730 files (25 MB) in 0.2 s against 1.1-1.7 s at load 12.
 */
export function copyNodeModules(from: string, to: string): void {
  execFileSync('cp', ['-a', join(from, 'node_modules'), join(to, 'node_modules')]);
}

export interface NodeGoalRun {
  env: ExecutionEnv;
  id: string;
  stderr: string;
  proof: Awaited<ReturnType<ExecutionEnv['proof']>>;
}

/** What one goal run of a Node project varies; an agent body alone is `{ agent }`. */
export interface NodeRunOptions {
  /** The script agent's body. */
  agent: string;
  /** The goal text; the single-slice goal of test/helpers/execution.ts by default. */
  goal?: string;
  /** Files committed on top of the project's (a package.json of this run's, a config, hooks). */
  files?: Record<string, string>;
  /** The template's node_modules copied into the checkout, as a user's install leaves them (the
   * default); false: a fresh clone, with nothing installed. */
  installed?: boolean;
  /** Run in the checkout after it is set up, before omk (the user's own set-up). */
  setUp?: (root: string) => void | Promise<void>;
}

/**
 * Templates by what they install (project, dependency, package.json), shared by the describes of
 * a file that ask for the same one: `users` counts them as they are declared, all before the first
 * hook runs, so the first to start installs it and the last to end removes it.
 */
const templates = new Map<string, { users: number; template: Promise<NodeTemplate> | null }>();

/**
 * A describe file's Node project: the template installed once (beforeAll) from `packageJson`, or
 * shared with another describe of the file that installs the same (`templates`), and
 * a function that commits the project (`files`, the template's lockfile and the run's own files),
 * copies the template's node_modules in unless the run says not, and runs one
 * `omk goal run --json` with a script agent; each run's environment is removed after its test.
 */
export function nodeProject(
  project: string,
  devDependency: string,
  packageJson: string,
  files: Record<string, string>,
): (run: string | NodeRunOptions) => Promise<NodeGoalRun> {
  let template: NodeTemplate | undefined;
  let env: ExecutionEnv | undefined;
  const key = JSON.stringify([project, devDependency, packageJson]);
  const shared = templates.get(key) ?? { users: 0, template: null };
  templates.set(key, shared);
  shared.users += 1;
  beforeAll(async () => {
    shared.template ??= nodeTemplate(project, devDependency, packageJson);
    template = await shared.template;
  }, 120_000);
  afterAll(async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    templates.delete(key);
    await template?.remove();
  });
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });
  return async (run) => {
    const options = typeof run === 'string' ? { agent: run } : run;
    if (template === undefined) throw new Error('the Node template was not installed');
    env = await createExecutionEnv({ ...files, 'package-lock.json': template.lockfile, ...options.files });
    if (options.installed ?? true) copyNodeModules(template.dir, env.repo.root);
    await options.setUp?.(env.repo.root);
    const agent = await env.kit.script('agent', options.agent);
    const result = await runOmk(['goal', 'run', options.goal ?? GOALS.single, '--agent', agent, '--json'], {
      cwd: env.repo.root,
      stateDir: env.stateDir,
    });
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    return { env, id, stderr: result.stderr, proof: await env.proof(id) };
  };
}
