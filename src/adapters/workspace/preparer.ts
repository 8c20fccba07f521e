import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { ProcessRunner } from '../../runtime/ports.js';
import type {
  PreparationFailure,
  PreparationStep,
  PreparedWorkspace,
  PrepareInput,
  WorkspacePreparer,
} from '../../runtime/workspace/port.js';
import { launchersNaming, retargetLaunchers } from './bin-launchers.js';
import { editableRedirect, pythonPath } from './python-editable.js';
import { createSnapshots } from './snapshot.js';

/** Written into a node_modules omk made: what it was made for. */
const MARKER = '.omk-prepared';
/** Where a copy is assembled before it becomes node_modules, so a crash never leaves half of one. */
const PARTIAL = 'node_modules.omk-partial';
const GITIGNORE = '.gitignore';
/** Added to the marker of a base worktree's node_modules of hard links to the checkout's files. */
const LENT = "hard links to the checkout's files: only the base commit's code may run with them\n";

type StepResult = { done: string; changed: boolean; env?: Record<string, string> } | PreparationFailure;

/**
 * Prepares worktrees on this machine: copies the checkout's node_modules or runs the install,
 * finds the checkout's virtualenv, runs `workspace.setup`. Commands run through `run` (their own
 * process group, the gate environment; confined when the input says so).
 */
export function createWorkspacePreparer(run: ProcessRunner): WorkspacePreparer & {
  /** Settles once no shared copy is being made in the background. */ idle(): Promise<void>;
} {
  const snapshots = createSnapshots();
  return {
    idle: () => snapshots.idle(),
    async prepare(input) {
      const done: string[] = [];
      const env: Record<string, string> = { ...input.plan.env };
      let changed = false;
      for (const step of input.plan.steps) {
        const result = await runStep(step, input, { run, snapshots }, { ...input.env, ...env }).catch(
          (error: unknown) => hostFailure(step, input, error),
        );
        if ('ok' in result) return { ...result, done };
        done.push(result.done);
        changed ||= result.changed;
        Object.assign(env, result.env);
      }
      return { ok: true, done, changed, env } satisfies PreparedWorkspace;
    },
  };
}

interface Tools {
  run: ProcessRunner;
  snapshots: ReturnType<typeof createSnapshots>;
}

function runStep(
  step: PreparationStep,
  input: PrepareInput,
  tools: Tools,
  env: Record<string, string>,
): Promise<StepResult> {
  switch (step.kind) {
    case 'node-modules':
      return nodeModules(step, input, tools, env);
    case 'python-venv':
      return pythonVenv(step.dirs, input, tools.run, env);
    case 'command':
      return command(step.argv, input, tools.run, env, 'setup');
  }
}

async function nodeModules(
  step: Extract<PreparationStep, { kind: 'node-modules' }>,
  input: PrepareInput,
  tools: Tools,
  env: Record<string, string>,
): Promise<StepResult> {
  if (step.pnp) return pnpInstall(step.install, input, tools.run, env);
  const target = join(input.path, 'node_modules');
  const wanted = await fingerprint(input.path, step.manifests);
  // What the marker of a node_modules of hard links to the checkout's own files says.
  const lent = `${wanted}${LENT}`;
  if (await isDirectory(target)) {
    const marker = await readFile(join(target, MARKER), 'utf8').catch(() => null);
    // Not ours (the agent installed, a setup of the user's, or tracked by the repository): not for
    // omk to replace.
    if (marker === null)
      return { done: 'node_modules already present in the worktree: kept', changed: false };
    if (marker === wanted || (marker === lent && input.base === 'checkout-code'))
      return { done: 'node_modules already prepared', changed: false };
    await rm(target, { recursive: true, force: true });
  }
  const source = join(input.repoRoot, 'node_modules');
  const differs = await firstDifference(input.repoRoot, input.path, step.manifests);
  const reusable = differs === null && (await isDirectory(source));
  if (reusable) {
    const started = performance.now();
    const dir = join(
      input.plan.sharedCacheDir,
      'node_modules',
      digest(input.repoRoot).slice(0, 16),
      wanted.slice(0, 16),
    );
    const partial = join(input.path, PARTIAL);
    const lend = input.base === 'checkout-code';
    // pnpm's launchers name the checkout's store: rewritten in each worktree (its own files), and
    // the shared copy takes the checkout's (`sealed`), as linking the rewritten ones would.
    const seal = async (tree: string) => {
      await retargetLaunchers(tree, input.repoRoot, input.path);
      await markOurs(tree, lend ? lent : wanted);
    };
    const sealed = [MARKER, GITIGNORE, ...(await launchersNaming(source, input.repoRoot))];
    const request = { source, dir, scope: input.plan.cacheDir, partial, target, seal, sealed };
    const { files, how } =
      (lend ? await tools.snapshots.lend(request) : null) ?? (await tools.snapshots.give(request));
    const ms = Math.round(performance.now() - started);
    const nested: string[] = [];
    for (const pkg of step.packages ?? []) {
      const given = await packageNodeModules(pkg, input, tools, { wanted, lent, lend, seal, sealed });
      if (given !== null) nested.push(`; ${pkg}/node_modules: ${given.how} (${given.files} files)`);
    }
    return {
      done: `node_modules from the checkout: ${how} (${files} files, ${ms} ms)${nested.join('')}`,
      changed: true,
    };
  }
  const why = differs === null ? 'the checkout has no node_modules' : `${differs} differs from the checkout`;
  if (step.install === null) {
    return { done: `node_modules not prepared: ${why} and workspace.install is false`, changed: false };
  }
  const installed = await command(step.install, input, tools.run, env, 'install');
  if ('ok' in installed) {
    // There was none before: half an install must not pass for a node_modules of someone else's.
    await rm(target, { recursive: true, force: true });
    return installed;
  }
  // npm ci empties node_modules first, so the marker is written after it.
  if (await isDirectory(target)) await markOurs(target, wanted);
  return { done: `${installed.done} (${why})`, changed: true };
}

/**
 * Yarn Plug'n'Play: the install is `.pnp.cjs` (with paths to the package cache relative to the
 * project) and the cache, not node_modules, where vitest keeps only its cache; so it is made in the
 * worktree by the install each time (quick once made), never copied from the checkout.
 */
async function pnpInstall(
  install: readonly string[] | null,
  input: PrepareInput,
  run: ProcessRunner,
  env: Record<string, string>,
): Promise<StepResult> {
  if (install === null) {
    return { done: "Yarn Plug'n'Play install not made: workspace.install is false", changed: false };
  }
  const installed = await command(install, input, run, env, 'install');
  if ('ok' in installed) return installed;
  return {
    done: `${installed.done} (Yarn Plug'n'Play: its install, .pnp.cjs, is made in each worktree)`,
    changed: true,
  };
}

/**
 * A workspace package's own node_modules in the checkout (`pkg/node_modules`), given to the
 * worktree like the root's, from its own snapshot. Null when the checkout has none or the worktree
 * has no such package, or keeps one that is not omk's.
 */
async function packageNodeModules(
  pkg: string,
  input: PrepareInput,
  tools: Tools,
  how: {
    wanted: string;
    lent: string;
    lend: boolean;
    seal: (tree: string) => Promise<void>;
    sealed: readonly string[];
  },
): Promise<{ files: number; how: string } | null> {
  const source = join(input.repoRoot, pkg, 'node_modules');
  const target = join(input.path, pkg, 'node_modules');
  if (!(await isDirectory(source)) || !(await exists(join(input.path, pkg, 'package.json')))) return null;
  if (await isDirectory(target)) {
    const marker = await readFile(join(target, MARKER), 'utf8').catch(() => null);
    if (marker === null || marker === how.wanted || (marker === how.lent && how.lend)) return null;
    await rm(target, { recursive: true, force: true });
  }
  const request = {
    source,
    // One snapshot directory per package: a checkout's snapshots are pruned by their parent.
    dir: join(
      input.plan.sharedCacheDir,
      'node_modules',
      digest(join(input.repoRoot, pkg)).slice(0, 16),
      how.wanted.slice(0, 16),
    ),
    scope: input.plan.cacheDir,
    partial: join(input.path, pkg, PARTIAL),
    target,
    seal: how.seal,
    sealed: [
      ...how.sealed.filter((path) => path === MARKER || path === GITIGNORE),
      ...(await launchersNaming(source, input.repoRoot)),
    ],
  };
  return (how.lend ? await tools.snapshots.lend(request) : null) ?? (await tools.snapshots.give(request));
}

async function pythonVenv(
  dirs: readonly string[],
  input: PrepareInput,
  run: ProcessRunner,
  env: Record<string, string>,
): Promise<StepResult> {
  let found: { dir: string; venv: string } | null = null;
  for (const dir of dirs) {
    const venv = join(input.repoRoot, dir);
    if (await exists(join(venv, 'bin', 'python'))) {
      found = { dir, venv };
      break;
    }
  }
  // Read, not copied: a virtualenv holds absolute paths to itself and does not survive a copy.
  const venvEnv: Record<string, string> = found
    ? {
        PATH: env.PATH ? `${join(found.venv, 'bin')}${delimiter}${env.PATH}` : join(found.venv, 'bin'),
        VIRTUAL_ENV: found.venv,
      }
    : {};
  const said = found
    ? `gates use the checkout's virtualenv ${found.dir}/ (first on PATH)`
    : `no virtualenv in the checkout (${dirs.join(', ')}): gates use python3 from PATH`;
  const active = venvEnv.VIRTUAL_ENV ?? env.VIRTUAL_ENV ?? null;
  const editable = await editableRedirect(run, input, { ...env, ...venvEnv }, active);
  if (editable === null) return { done: said, changed: false, env: venvEnv };
  return {
    done: `${said}; the project is installed in editable mode from the checkout, so PYTHONPATH starts with this worktree's ${editable.shown.join(', ')}`,
    changed: true,
    env: { ...venvEnv, PYTHONPATH: pythonPath(editable.paths, env.PYTHONPATH) },
  };
}

async function command(
  argv: readonly string[],
  input: PrepareInput,
  run: ProcessRunner,
  env: Record<string, string>,
  label: 'install' | 'setup',
): Promise<StepResult> {
  await mkdir(dirname(input.logPath), { recursive: true });
  const shown = argv.join(' ');
  await writeFile(input.logPath, `=== omk ${label} in ${input.path}\n=== argv ${JSON.stringify(argv)}\n`, {
    flag: 'a',
  });
  const result = await run({
    argv,
    cwd: input.path,
    env,
    timeoutMs: input.plan.timeoutMs,
    logPath: input.logPath,
    ...(input.logMaxBytes === undefined ? {} : { logMaxBytes: input.logMaxBytes }),
    tailChars: 4_000,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.confine ? { confine: input.confine } : {}),
  });
  await writeFile(
    input.logPath,
    `=== exit ${result.exitCode ?? '-'} in ${Math.round(result.durationMs)} ms\n`,
    {
      flag: 'a',
    },
  );
  const ms = Math.round(result.durationMs);
  if (result.exitCode === 0 && !result.timedOut && !result.cancelled && result.spawnError === null) {
    return { done: `${label}: ${shown} (${ms} ms)`, changed: true };
  }
  const detail = result.spawnError
    ? `could not start: ${result.spawnError}`
    : result.timedOut
      ? `timed out after ${input.plan.timeoutMs} ms`
      : result.cancelled
        ? 'cancelled'
        : `exit ${result.exitCode ?? result.signal ?? '-'}`;
  return {
    ok: false,
    done: [],
    what: shown,
    exitCode: result.exitCode,
    detail,
    tail: lastLines(result.tail, 30),
    logPath: input.logPath,
  };
}

/** The first manifest whose bytes differ between the two trees (missing in both is the same). */
async function firstDifference(a: string, b: string, files: readonly string[]): Promise<string | null> {
  for (const file of files) {
    const [left, right] = await Promise.all([readOrNull(join(a, file)), readOrNull(join(b, file))]);
    if (left === null ? right !== null : right === null || !left.equals(right)) return file;
  }
  return null;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function fingerprint(root: string, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update((await readOrNull(join(root, file))) ?? '\0missing');
  }
  return `${hash.digest('hex')}\n`;
}

/**
 * The marker says which manifests this node_modules was made for; the `.gitignore` keeps the slice's
 * `git add --all` from committing it even in a repository that does not ignore node_modules.
 */
async function markOurs(dir: string, fingerprintText: string): Promise<void> {
  for (const [name, text] of [
    [MARKER, fingerprintText],
    [GITIGNORE, '*\n'],
  ] as const) {
    // Removed first: a file of that name may be a link to the snapshot's.
    await rm(join(dir, name), { force: true });
    await writeFile(join(dir, name), text);
  }
}

const HOST_STEPS = {
  'node-modules': "giving the worktree the checkout's node_modules",
  'python-venv': "looking for the checkout's virtualenv",
} as const;

/** A copy or link that failed on the host (no space left, no permission): said like a command's. */
function hostFailure(step: PreparationStep, input: PrepareInput, error: unknown): PreparationFailure {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    done: [],
    what: step.kind === 'command' ? step.argv.join(' ') : HOST_STEPS[step.kind],
    exitCode: null,
    detail: message,
    tail: '',
    logPath: input.logPath,
  };
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

const readOrNull = (path: string) => readFile(path).catch(() => null);

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
