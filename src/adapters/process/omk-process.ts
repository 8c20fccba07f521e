import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether `pid` is a live omk process of this host other than this one and none of its
 * descendants, by what `/proc` says of it: its command line runs a script of this omk's package
 * (the CLI, the bot, the Action) or a program named `omk`, and no parent up its chain is this
 * process (an agent or gate omk runs, and whatever they started, descend from it: the subreaper
 * adopts what they leave). Null where there is no `/proc` to ask.
 */
export function isOtherOmkProcess(pid: number): boolean | null {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return hasProc() ? false : null;
    return false;
  }
  if (!runsOmk(cmdline.split('\0'), cwdOf(pid))) return false;
  return !descendsFromThis(pid);
}

/** This omk's package root: the bundles live in `<root>/dist`, the sources in `<root>/src/adapters/process`. */
let packageRoot: string | undefined;
function omkPackageRoot(): string {
  if (packageRoot === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    const bundle = here.lastIndexOf(`${sep}dist`);
    packageRoot = realOrSame(bundle >= 0 ? here.slice(0, bundle) : dirname(dirname(dirname(here))));
  }
  return packageRoot;
}

/**
 * Whether a command line names a program called `omk` or runs a script (`.js`, `.mjs`, `.cjs`) that
 * is a file of omk's package (a relative one from `cwd`).
 */
function runsOmk(args: readonly string[], cwd: string | null): boolean {
  return args.some((arg) => {
    if (arg === '' || arg.startsWith('-')) return false;
    if (basename(arg) === 'omk') return true;
    if (!/\.[cm]?js$/.test(arg) || (!isAbsolute(arg) && cwd === null)) return false;
    const file = realOrNull(isAbsolute(arg) ? arg : resolve(cwd ?? '/', arg));
    return file?.startsWith(`${omkPackageRoot()}${sep}`) ?? false;
  });
}

function cwdOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** Walks `pid`'s parents (`/proc/<pid>/stat`, field 4) up to init; true when one is this process. */
function descendsFromThis(pid: number): boolean {
  let current = pid;
  for (let depth = 0; depth < 512 && current > 1; depth++) {
    if (current === process.pid) return true;
    const parent = parentOf(current);
    if (parent === null) return false;
    current = parent;
  }
  return false;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after its last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    return Number.isInteger(parent) ? parent : null;
  } catch {
    return null;
  }
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function realOrSame(path: string): string {
  return realOrNull(path) ?? path;
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
