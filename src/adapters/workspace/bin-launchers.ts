import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A launcher is a short shell script; anything larger under `.bin` is not pnpm's. */
const LAUNCHER_BYTES = 64 * 1024;

/** pnpm's store inside a node_modules: its packages' own `.bin` launchers live under it. */
const STORE = '.pnpm';

/**
 * The files under a node_modules' `.bin` directories (as paths relative to it: `.bin/<name>`,
 * `.pnpm/node_modules/.bin/<name>`, `.pnpm/<id>/node_modules/<package>/node_modules/.bin/<name>`)
 * whose text names the checkout: pnpm's launchers are shell scripts that set NODE_PATH to
 * absolute paths in the checkout's `.pnpm` store (`<checkout>/node_modules/.pnpm/node_modules`,
 * where `dudo-game -> ../../../game` is the user's package), and the store's own ones prepend
 * them to a NODE_PATH already set. npm's `.bin` entries are links, and not read.
 */
export async function launchersNaming(tree: string, checkout: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of await binDirs(tree)) {
    const names = await readdir(join(tree, dir)).catch(() => [] as string[]);
    const named = await Promise.all(
      names.map(async (name) =>
        (await launcherText(join(tree, dir, name), checkout)) === null ? null : `${dir}/${name}`,
      ),
    );
    found.push(...named.filter((path): path is string => path !== null));
  }
  return found;
}

/**
 * The `.bin` directories of a node_modules: its own, and in pnpm's store the hoisted one and each
 * package's (`.pnpm/<id>/node_modules/<package>`, a directory; its dependencies beside it are links
 * to other ids, read where they are).
 */
async function binDirs(tree: string): Promise<string[]> {
  const ids = await readdir(join(tree, STORE), { withFileTypes: true }).catch(() => []);
  if (ids.length === 0) return ['.bin'];
  const dirs = ['.bin', `${STORE}/node_modules/.bin`];
  for (const id of ids) {
    if (!id.isDirectory() || id.name === 'node_modules') continue;
    for (const pkg of await realPackages(join(tree, STORE, id.name, 'node_modules'))) {
      dirs.push(`${STORE}/${id.name}/node_modules/${pkg}/node_modules/.bin`);
    }
  }
  return dirs;
}

/** The package directories (not links) of a node_modules: `name` or `@scope/name`. */
async function realPackages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    if (!entry.name.startsWith('@')) found.push(entry.name);
    else for (const name of await realPackages(join(dir, entry.name))) found.push(`${entry.name}/${name}`);
  }
  return found;
}

/**
 * Points the launchers under `tree`'s `.bin` directories that name `checkout` at the same places in `worktree`,
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
