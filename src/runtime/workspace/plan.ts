import { join } from 'node:path';
import type { WorkspaceConfig } from '../config/schema.js';
import { createDetectContext, type DetectContext } from '../gates/detector.js';
import { PNPM_WORKSPACE, pnpmWithoutLockfile } from './pnpm.js';
import type { PreparationPlan, PreparationStep } from './port.js';
import { YARN_BERRY_INSTALL, YARNRC_YML, yarnBerry } from './yarn-berry.js';

/** Lockfile → package manager and its install that keeps the lockfile as it is. */
const NODE_LOCKFILES: readonly { file: string; install: readonly string[] }[] = [
  { file: 'pnpm-lock.yaml', install: ['pnpm', 'install', '--frozen-lockfile', '--prefer-offline'] },
  { file: 'yarn.lock', install: ['yarn', 'install', '--frozen-lockfile'] },
  { file: 'package-lock.json', install: ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund'] },
  { file: 'npm-shrinkwrap.json', install: ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund'] },
];

/** Without a lockfile npm would write one, which the slice would then commit as the agent's. */
const NPM_WITHOUT_LOCKFILE = [
  'npm',
  'install',
  '--no-package-lock',
  '--prefer-offline',
  '--no-audit',
  '--no-fund',
];

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'workspaces'];

/** A python project, as the python gate detector sees one (with a root requirements file). */
const PYTHON_MARKERS = ['pyproject.toml', 'setup.cfg', 'setup.py', 'pytest.ini', 'tox.ini'];

/** Virtualenv directories looked for in the checkout, in this order. */
/** The directories of a goal's cache its gates build into: cargo's target directory and Go's cache. */
export const CARGO_TARGET_CACHE = 'cargo-target';
export const GO_BUILD_CACHE = 'go-build';
/** The directory of a goal's cache where installs keep the package managers' download caches. */
export const DOWNLOADS_CACHE = 'downloads';

export const VENV_DIRS: readonly string[] = ['.venv', 'venv'];

export interface PlanInput {
  repoRoot: string;
  /** Tracked files of the checkout, repository-relative. */
  files: readonly string[];
  /** The tree's files already read (the goal's base commit); absent: read from `repoRoot`. */
  context?: DetectContext;
  config: { workspace: WorkspaceConfig };
  /** Where the goal keeps what its worktrees share (CARGO_TARGET_DIR). */
  cacheDir: string;
  /** Where every goal's worktrees share omk's copies of node_modules. */
  sharedCacheDir: string;
}

/**
 * What every worktree of a goal needs before an agent or gate runs in it: `workspace.setup` when
 * the config has one, else what the project's files call for. Go's build cache is the goal's
 * (GOCACHE), its module cache the user's (go.sum checks each download).
 */
export function planPreparation(input: PlanInput): PreparationPlan {
  const { workspace } = input.config;
  const timeoutMs = workspace.timeout;
  const { cacheDir, sharedCacheDir } = input;
  const context = input.context ?? createDetectContext(input.repoRoot, input.files);
  // Go's build and test cache of the goal's gates: not the user's, which an agent can write.
  const env: Record<string, string> = context.some(isGoModule)
    ? { GOCACHE: join(cacheDir, GO_BUILD_CACHE) }
    : {};
  if (workspace.setup) {
    return {
      steps: workspace.setup.map((argv) => ({ kind: 'command', argv })),
      env,
      timeoutMs,
      cacheDir,
      sharedCacheDir,
    };
  }
  const steps: PreparationStep[] = [];
  const node = nodeStep(context, workspace.install);
  if (node) steps.push(node);
  if (PYTHON_MARKERS.some((file) => context.has(file)) || context.some(isRootRequirements)) {
    steps.push({ kind: 'python-venv', dirs: VENV_DIRS });
  }
  // One target directory for the goal: slices, base and integration build the same crates.
  if (context.has('Cargo.toml')) env.CARGO_TARGET_DIR = join(input.cacheDir, CARGO_TARGET_CACHE);
  return { steps, env, timeoutMs, cacheDir, sharedCacheDir };
}

/**
 * How each worktree of the tree gets its node_modules: `'setup'` when `workspace.setup` replaces
 * omk's own steps (it may install anything), null when package.json asks for none, else the step.
 */
export function nodeModulesStep(
  context: DetectContext,
  workspace: WorkspaceConfig,
): NodeModulesStep | 'setup' | null {
  return workspace.setup ? 'setup' : nodeStep(context, workspace.install);
}

type NodeModulesStep = Extract<PreparationStep, { kind: 'node-modules' }>;

/**
 * A pnpm project without a lockfile (pnpmWithoutLockfile): npm would link none of a workspace's
 * `workspace:` packages; pnpm, writing no lockfile (`pnpm install` would write pnpm-lock.yaml, a
 * change of the slice's).
 */
const PNPM_WITHOUT_LOCKFILE = ['pnpm', 'install', '--lockfile=false', '--prefer-offline'];

function nodeStep(context: DetectContext, installAllowed: boolean): NodeModulesStep | null {
  const text = context.read('package.json');
  if (text === null) return null;
  // A pnpm workspace's root often depends on nothing itself: its packages' dependencies are installed
  // from the root all the same (node_modules/.pnpm, and each package's links into it).
  const pnpmWorkspace = context.has(PNPM_WORKSPACE);
  if (!pnpmWorkspace && !hasDependencies(text)) return null;
  const lock = NODE_LOCKFILES.find((candidate) => context.has(candidate.file));
  const berry = yarnBerry(context);
  const install = berry
    ? YARN_BERRY_INSTALL
    : (lock?.install ??
      (pnpmWithoutLockfile(context) === null ? NPM_WITHOUT_LOCKFILE : PNPM_WITHOUT_LOCKFILE));
  const packages = packageDirs(context);
  const manifests = lock ? ['package.json', lock.file] : ['package.json'];
  // Which packages get linked is the workspace file's say: a change to it is a change of install.
  if (pnpmWorkspace) manifests.push(PNPM_WORKSPACE);
  // So is Berry's linker (nodeLinker) and where it caches.
  if (berry && context.has(YARNRC_YML)) manifests.push(YARNRC_YML);
  return {
    kind: 'node-modules',
    manifests,
    install: installAllowed ? install : null,
    ...(packages.length > 0 ? { packages } : {}),
    ...(berry?.pnp ? { pnp: true } : {}),
  };
}

/** At most this many package directories are looked at for a node_modules of their own. */
const PACKAGE_DIRS_LIMIT = 200;

/** The directories of the tree's package.json files below the root, sorted. */
function packageDirs(context: DetectContext): string[] {
  const dirs: string[] = [];
  for (const path of context.files) {
    const match = /^(.+)\/package\.json$/.exec(path);
    if (match?.[1] && !match[1].split('/').includes('node_modules')) dirs.push(match[1]);
  }
  return dirs.sort().slice(0, PACKAGE_DIRS_LIMIT);
}

/** A package.json without dependencies needs no node_modules (and an unreadable one: npm decides). */
function hasDependencies(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return true;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  return DEPENDENCY_FIELDS.some((field) => {
    const value: unknown = Reflect.get(parsed, field);
    if (Array.isArray(value)) return value.length > 0;
    return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
  });
}

/** A Go module or workspace anywhere in the tree (a gate of the user's may `cd` into it). */
function isGoModule(path: string): boolean {
  return /(?:^|\/)go\.(?:mod|work)$/.test(path);
}

function isRootRequirements(path: string): boolean {
  return /^requirements[^/]*\.txt$/.test(path);
}
