import { pnpmWithoutLockfile } from '../workspace/pnpm.js';
import { YARN_BERRY_INSTALL, YARN_LOCK, YARNRC_YML, yarnBerry } from '../workspace/yarn-berry.js';
import { readPackageJson } from './detect-node.js';
import type { DetectContext } from './detector.js';

/**
 * Lock file → the install a developer runs to get exactly what it pins, first match wins (as the
 * worktrees' preparation picks them, workspace/plan.ts). Without one, plain `npm install`.
 */
const INSTALLS: readonly { file: string; install: string }[] = [
  { file: 'pnpm-lock.yaml', install: 'pnpm install --frozen-lockfile' },
  { file: 'yarn.lock', install: 'yarn install --frozen-lockfile' },
  { file: 'package-lock.json', install: 'npm ci' },
  { file: 'npm-shrinkwrap.json', install: 'npm ci' },
];
const WITHOUT_LOCKFILE = 'npm install';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'];

/** What package.json declares, and the project's install that brings it into node_modules. */
export interface NodeManifest {
  /** The packages of its dependencies, devDependencies and optionalDependencies. */
  declared: ReadonlySet<string>;
  /** The install for its lock file: `npm ci`, `pnpm install --frozen-lockfile`, … */
  install: string;
  /** A pnpm project without pnpm-lock.yaml: what a worktree's install then does, in words. */
  unpinned?: string;
}

/** The files `nodeManifest` reads: a committed tree's context must hold them. */
export const NODE_MANIFEST_READS: readonly string[] = ['package.json', YARNRC_YML, YARN_LOCK];

/** The tree's package.json as a manifest (it reads NODE_MANIFEST_READS); null without a readable one. */
export function nodeManifest(context: Pick<DetectContext, 'read' | 'has'>): NodeManifest | null {
  const parsed = readPackageJson(context);
  if (parsed === null) return null;
  const declared = new Set<string>();
  for (const field of DEPENDENCY_FIELDS) {
    const value: unknown = Reflect.get(parsed, field);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const name of Object.keys(value)) declared.add(name);
    }
  }
  const pnpm = pnpmWithoutLockfile(context);
  if (pnpm !== null) {
    const unpinned =
      `a pnpm project (${pnpm}) without pnpm-lock.yaml: a worktree that cannot reuse your checkout's node_modules ` +
      'installs with `pnpm install --lockfile=false`, which writes no lockfile into the change but takes the newest ' +
      'versions package.json allows, so its dependencies may differ from yours';
    return { declared, install: 'pnpm install', unpinned };
  }
  const install = yarnBerry(context)
    ? YARN_BERRY_INSTALL.join(' ')
    : (INSTALLS.find((each) => context.has(each.file))?.install ?? WITHOUT_LOCKFILE);
  return { declared, install };
}
