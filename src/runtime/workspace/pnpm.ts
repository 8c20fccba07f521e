import type { DetectContext } from '../gates/detector.js';

/** pnpm's workspace file: it, not package.json's `workspaces`, names a pnpm monorepo's packages. */
export const PNPM_WORKSPACE = 'pnpm-workspace.yaml';

/** Another package manager's lockfile: it, not pnpm, installed node_modules. */
const OTHER_LOCKFILES = ['yarn.lock', 'package-lock.json', 'npm-shrinkwrap.json'];

/**
 * A pnpm project without pnpm-lock.yaml: what says it is pnpm's (`packageManager "pnpm@9.15.9"`
 * in package.json, or `pnpm-workspace.yaml`), or null when it is not one or has a lockfile (pnpm's
 * or another manager's, which then says who installs).
 */
export function pnpmWithoutLockfile(context: Pick<DetectContext, 'has' | 'read'>): string | null {
  if (context.has('pnpm-lock.yaml') || OTHER_LOCKFILES.some((file) => context.has(file))) return null;
  const manager = /"packageManager"\s*:\s*"(pnpm@[^"]*)"/.exec(context.read('package.json') ?? '')?.[1];
  if (manager !== undefined) return `packageManager "${manager}"`;
  return context.has(PNPM_WORKSPACE) ? PNPM_WORKSPACE : null;
}
