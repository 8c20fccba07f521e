import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A launcher is a short shell script; anything larger under `.bin` is not pnpm's. */
const LAUNCHER_BYTES = 64 * 1024;

/**
 * The files under a node_modules' `.bin` (as `.bin/<name>`) whose text names the checkout: pnpm's
 * launchers are shell scripts that set NODE_PATH to absolute paths in the checkout's `.pnpm` store
 * (`<checkout>/node_modules/.pnpm/node_modules`, where `dudo-game -> ../../../game` is the user's
 * package). npm's `.bin` entries are links, and not read.
 */
export async function launchersNaming(tree: string, checkout: string): Promise<string[]> {
  const names = await readdir(join(tree, '.bin')).catch(() => [] as string[]);
  const found = await Promise.all(
    names.map(async (name) =>
      (await launcherText(join(tree, '.bin', name), checkout)) === null ? null : name,
    ),
  );
  return found.filter((name): name is string => name !== null).map((name) => `.bin/${name}`);
}

/**
 * Points the launchers under `tree/.bin` that name `checkout` at the same places in `worktree`,
 * each as a new file: a file made of hard links (to omk's shared copy, or to the checkout's own
 * for the base) is never written in place. Run as given, the worktree's tests would otherwise
 * resolve a require() through NODE_PATH into the checkout: the user's code, not the agent's.
 */
export async function retargetLaunchers(tree: string, checkout: string, worktree: string): Promise<void> {
  for (const path of await launchersNaming(tree, checkout)) {
    const file = join(tree, path);
    const text = await launcherText(file, checkout);
    if (text === null) continue;
    const { mode } = await lstat(file);
    await rm(file);
    await writeFile(file, text.replaceAll(`${checkout}/`, `${worktree}/`), { mode });
  }
}

async function launcherText(file: string, checkout: string): Promise<string | null> {
  // lstat: npm's .bin entries are links to a package's file, never rewritten here.
  const info = await lstat(file).catch(() => null);
  if (info === null || !info.isFile() || info.size > LAUNCHER_BYTES) return null;
  const text = await readFile(file, 'utf8').catch(() => null);
  return text?.includes(`${checkout}/`) ? text : null;
}
