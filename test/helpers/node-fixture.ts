import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

export interface NodeGoalRun {
  env: ExecutionEnv;
  id: string;
  stderr: string;
  proof: Awaited<ReturnType<ExecutionEnv['proof']>>;
}

/**
 * A describe file's Node project: the template installed once (beforeAll), and a function that
 * commits the project (`files` and the template's lockfile), copies the template's node_modules in
 * as a user's install leaves them and runs one `omk goal run --json` with a script agent whose body
 * is given; each run's environment is removed after its test.
 */
export function nodeProject(
  project: string,
  devDependency: string,
  packageJson: string,
  files: Record<string, string>,
): (agentBody: string) => Promise<NodeGoalRun> {
  let template: NodeTemplate | undefined;
  let env: ExecutionEnv | undefined;
  beforeAll(async () => {
    template = await nodeTemplate(project, devDependency, packageJson);
  }, 120_000);
  afterAll(async () => {
    await template?.remove();
  });
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });
  return async (agentBody) => {
    if (template === undefined) throw new Error('the Node template was not installed');
    env = await createExecutionEnv({ ...files, 'package-lock.json': template.lockfile });
    await cp(join(template.dir, 'node_modules'), join(env.repo.root, 'node_modules'), { recursive: true });
    const agent = await env.kit.script('agent', agentBody);
    const result = await runOmk(['goal', 'run', GOALS.single, '--agent', agent, '--json'], {
      cwd: env.repo.root,
      stateDir: env.stateDir,
    });
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    return { env, id, stderr: result.stderr, proof: await env.proof(id) };
  };
}
