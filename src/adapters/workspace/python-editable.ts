import { realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import type { ProcessRunner } from '../../runtime/ports.js';
import type { PrepareInput } from '../../runtime/workspace/port.js';

/**
 * What python3 imports from: sys.path, and the directories the import hooks of PEP 660 editable
 * installs (setuptools' `__editable___*_finder` modules, their MAPPING) load packages from.
 */
const PROBE = [
  'import json, os, sys',
  'paths = [p for p in sys.path if p]',
  'for name, module in list(sys.modules.items()):',
  "    mapping = getattr(module, 'MAPPING', None) if name.startswith('__editable__') else None",
  '    if isinstance(mapping, dict):',
  '        paths += [os.path.dirname(str(p)) for p in mapping.values()]',
  'print(json.dumps(paths))',
].join('\n');

export interface EditableRedirect {
  /** The worktree's own directories, in the order python3 found the checkout's. */
  paths: string[];
  /** The same directories relative to the root, for the line that says what was done. */
  shown: string[];
}

/**
 * A project installed in editable mode (`pip install -e .`) is imported from the user's checkout
 * wherever its tests run: a worktree's tests would test the checkout's code, not the agent's. The
 * directories python3 imports from inside the checkout are put, as the worktree's own, first on
 * PYTHONPATH (before site-packages, where the editable install's path or hook lives). Nothing when
 * python3 cannot run or imports nothing from the checkout: the gates say what is missing.
 */
export async function editableRedirect(
  run: ProcessRunner,
  input: Pick<PrepareInput, 'repoRoot' | 'path' | 'signal' | 'confine'>,
  env: Readonly<Record<string, string>>,
  /** Imported from but never mapped: the virtualenv, which may live inside the checkout. */
  venv: string | null,
): Promise<EditableRedirect | null> {
  const result = await run({
    argv: ['python3', '-c', PROBE],
    cwd: input.path,
    env,
    timeoutMs: 60_000,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.confine ? { confine: input.confine } : {}),
  });
  if (result.exitCode !== 0) return null;
  const found = parsePaths(result.stdout);
  const roots = await bothSpellings(input.repoRoot);
  const skipped = venv ? await bothSpellings(venv) : [];
  const paths: string[] = [];
  const shown: string[] = [];
  for (const entry of found) {
    for (const spelling of await bothSpellings(entry)) {
      if (skipped.some((dir) => inside(dir, spelling))) break;
      const root = roots.find((dir) => inside(dir, spelling));
      if (root === undefined) continue;
      const rel = relative(root, spelling);
      const own = join(input.path, rel);
      if (!paths.includes(own) && (await isDirectory(own))) {
        paths.push(own);
        shown.push(rel === '' ? '.' : `${rel}/`);
      }
      break;
    }
  }
  return paths.length > 0 ? { paths, shown } : null;
}

/** PYTHONPATH with the worktree's directories first, then whatever the gates had. */
export function pythonPath(paths: readonly string[], current: string | undefined): string {
  return [...paths, ...(current ? [current] : [])].join(delimiter);
}

function parsePaths(stdout: string): string[] {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const parsed: unknown = JSON.parse(line);
    return Array.isArray(parsed)
      ? parsed.filter((p): p is string => typeof p === 'string' && isAbsolute(p))
      : [];
  } catch {
    return [];
  }
}

/** The path as given and as resolved (a checkout reached through a link is both). */
async function bothSpellings(path: string): Promise<string[]> {
  const real = await realpath(path).catch(() => path);
  return real === path ? [path] : [path, real];
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}
