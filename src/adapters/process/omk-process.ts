import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * Whether `pid` is a live omk process of this host other than this one and none of its
 * descendants, by what `/proc` says of it: its command line runs a script of an omk package (this
 * one's CLI, bot or Action, or another checkout's or version's sharing the state root) or a
 * program named `omk`, and no parent up its chain is this process (an agent or gate omk runs, and
 * whatever they started, descend from it: the subreaper adopts what they leave; a sandboxed one
 * cannot start anything else). Null where there is no `/proc` to ask.
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

/** How far up from a script its package's package.json is looked for (`<root>/dist/post/x.js`: 2). */
const PACKAGE_DEPTH = 4;

/** Directories whose package.json names omk's package, or does not (a cache: packages do not move). */
const omkPackages = new Map<string, boolean>();

function isOmkPackage(dir: string): boolean {
  let known = omkPackages.get(dir);
  if (known === undefined) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      known = typeof manifest === 'object' && manifest !== null && Reflect.get(manifest, 'name') === 'omk';
    } catch {
      known = false;
    }
    omkPackages.set(dir, known);
  }
  return known;
}

/** Whether `file` lies in an omk package: a directory up to PACKAGE_DEPTH above it has omk's package.json. */
function inOmkPackage(file: string): boolean {
  let dir = dirname(file);
  for (let depth = 0; depth <= PACKAGE_DEPTH; depth++) {
    if (isOmkPackage(dir)) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
  return false;
}

/**
 * Whether a command line names a program called `omk` or runs a script (`.js`, `.mjs`, `.cjs`) that
 * is a file of an omk package (a relative one from `cwd`): two checkouts of omk, or an old and a
 * new version, may share one state root, and each writes its own goals there.
 */
function runsOmk(args: readonly string[], cwd: string | null): boolean {
  return args.some((arg) => {
    if (arg === '' || arg.startsWith('-')) return false;
    if (basename(arg) === 'omk') return true;
    if (!/\.[cm]?js$/.test(arg) || (!isAbsolute(arg) && cwd === null)) return false;
    const file = realOrNull(isAbsolute(arg) ? arg : resolve(cwd ?? '/', arg));
    return file !== null && inOmkPackage(file);
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

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
