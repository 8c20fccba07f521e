import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../action/harness.js';

// `npm ci` warns EBADENGINE for every installed package whose `engines.node` the running node
// does not satisfy. The lock file holds each package's range, so this checks, without a second
// node, that the oldest node package.json accepts satisfies all of them (issue 14).

type Version = [number, number, number];

/** A version with `x`/`*` or missing parts: the parts given, for prefix matching. */
function parts(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/^v/, '').split('.')) {
    if (part === 'x' || part === 'X' || part === '*' || part === '') break;
    out.push(Number.parseInt(part, 10));
  }
  return out;
}

function compare(a: Version, b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** One comparator (`>=20.19.0`, `^20.18.1`, `~14.17`, `14`, `6.*`, `*`) against a version. */
function comparator(version: Version, text: string): boolean {
  const match = /^(>=|<=|>|<|\^|~|=)?(.*)$/.exec(text);
  const op = match?.[1] ?? '';
  const want = parts(match?.[2] ?? '');
  const prefix = (n: number) => want.slice(0, n).every((part, i) => version[i] === part);
  switch (op) {
    case '>=':
      return compare(version, want) >= 0;
    case '>':
      return compare(version, want) > 0;
    case '<=':
      return compare(version, want) <= 0;
    case '<':
      return compare(version, want) < 0;
    case '^':
      return compare(version, want) >= 0 && prefix(want[0] === 0 ? 2 : 1);
    case '~':
      return compare(version, want) >= 0 && prefix(want.length > 1 ? 2 : 1);
    default:
      return prefix(want.length);
  }
}

/** An npm range: `||` alternatives of space-separated comparators (`>= 18` is one). */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .filter((token) => token !== '')
      .every((token) => comparator(version, token)),
  );
}

describe('npm engines', () => {
  it('reads npm ranges as npm does', () => {
    expect(satisfies([20, 18, 0], '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies([20, 18, 0], '^20.18.1 || >= 22')).toBe(false);
    expect(satisfies([20, 18, 1], '^20.18.1 || >= 22')).toBe(true);
    expect(satisfies([20, 19, 0], '>=18.20.0 <20 || >=20.12.1')).toBe(true);
    expect(satisfies([20, 19, 0], '6.* || 8.* || >= 10.*')).toBe(true);
    expect(satisfies([20, 19, 0], '>=16 || 14 >=14.17')).toBe(true);
    expect(satisfies([20, 19, 0], '^18.18.0 || ^20.9.0 || >=21.1.0')).toBe(true);
    expect(satisfies([20, 19, 0], '>=0.6.11 <=0.7.0 || >=0.7.3')).toBe(true);
    expect(satisfies([20, 19, 0], '*')).toBe(true);
    expect(satisfies([20, 19, 0], '^22')).toBe(false);
  });

  it('the oldest node package.json accepts satisfies every installed package (no EBADENGINE on npm ci)', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const floor = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(pkg.engines.node);
    expect(floor, `engines.node is a plain floor: ${pkg.engines.node}`).not.toBeNull();
    const oldest: Version = [Number(floor?.[1]), Number(floor?.[2]), Number(floor?.[3] ?? 0)];
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const refused = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      // Only what npm installs on this platform (optional native builds for others are skipped).
      if (path === '' || range === undefined || !existsSync(join(ROOT, path))) return [];
      return satisfies(oldest, range)
        ? []
        : [`${path.replace(/^.*node_modules\//, '')} asks for node ${range}`];
    });
    expect(refused, `node ${oldest.join('.')} (package.json engines)`).toEqual([]);
  });
});
