/** pnpm options that take a value as the next word (`--filter ui`, `-C dir`). */
const WITH_VALUE = new Set(['--filter', '-F', '--workspace-concurrency', '-C', '--dir', '--reporter']);

export interface PnpmRecursiveRun {
  /** The script pnpm runs in each workspace package: `test` for `pnpm -r test`. */
  script: string;
  /** False with `--no-bail`: pnpm then runs every package's script even after one fails. */
  bails: boolean;
}

/**
 * A script body that runs a script in every package of a pnpm workspace (`pnpm -r test`, `pnpm
 * --recursive run test`, `pnpm run -r test`): one command, no shell operators. Null otherwise.
 */
export function pnpmRecursiveRun(body: string): PnpmRecursiveRun | null {
  if (/[;&|<>`$\n]/.test(body)) return null;
  const words = body.trim().split(/\s+/);
  if (words[0] !== 'pnpm') return null;
  let recursive = false;
  let script: string | undefined;
  for (let i = 1; i < words.length && script === undefined; i++) {
    const word = words[i] ?? '';
    if (word === '-r' || word === '--recursive') recursive = true;
    else if (WITH_VALUE.has(word)) i++;
    else if (word.startsWith('-')) continue;
    else if (word !== 'run') script = word;
  }
  if (!recursive || script === undefined) return null;
  return { script, bails: !words.includes('--no-bail') };
}
