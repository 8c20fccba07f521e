import { execFile } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { basicCredential } from '../../src/adapters/github/token-mask.js';
import { ROOT } from './harness.js';

// Issue 14's start-up target: the runner's first line (the token's mask) within 1.3x of
// `node -e 0`. Starting node's ES module loader alone costs ~30% of that, so the runner's entry,
// dist/index.cjs, is CommonJS: it masks, then import()s dist/action/main.js (zod, yaml, Octokit,
// the runtime). The post step has no target; it is ESM and loads little before its first line.
// bench/action-startup.mjs times both.

/** Where a bundled module imports another statically: `import{a as b}from"./x.js"`, `import"./x.js"`. */
const STATIC_IMPORT = /(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.\.?\/[^"']+)["']/g;

/** An ES module and every module it imports statically, with their sizes. */
async function staticClosure(entry: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (sizes.has(file)) continue;
    const text = await readFile(file, 'utf8');
    sizes.set(file, Buffer.byteLength(text));
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const target = match[1];
      if (target !== undefined) pending.push(resolve(dirname(file), target));
    }
  }
  return sizes;
}

const work: string[] = [];
afterAll(async () => {
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

describe('the Action entry', () => {
  it('reads the static imports of a bundled module, and no dynamic import()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-startup-'));
    work.push(dir);
    writeFileSync(join(dir, 'a.js'), 'import{a as b}from"./b.js";import"./c.js";await import("./d.js");');
    writeFileSync(join(dir, 'b.js'), 'export const a=1;');
    writeFileSync(join(dir, 'c.js'), 'import {x} from "./b.js"\nconsole.log(x)');
    writeFileSync(join(dir, 'd.js'), 'export const big = 1;'.repeat(100));
    const files = [...(await staticClosure(join(dir, 'a.js'))).keys()].map((f) => f.slice(dir.length + 1));
    expect(files.sort()).toEqual(['a.js', 'b.js', 'c.js']);
  });

  // The main step's first line is the token's mask, printed by a CommonJS file that loads nothing
  // but node's own modules: an ES module (a static `import`) here would start node's ES module
  // loader before the mask, and a require() of a chunk would load what import() defers.
  it('dist/index.cjs is one small CommonJS file that import()s the Action after masking', async () => {
    const text = await readFile(join(ROOT, 'dist', 'index.cjs'), 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024);
    expect(() => new Script(text, { filename: 'dist/index.cjs' })).not.toThrow();
    expect(text).not.toMatch(/\brequire\(/);
    expect([...text.matchAll(/\bimport\(/g)]).toHaveLength(1);
    expect(text).toContain('"./action/main.js"');
    expect(text).not.toContain('Invalid input: expected');
  });

  // The post step needs none of the runtime: it cleans up with git and paths only.
  it('dist/post.js loads under 32 KiB before its first line, no zod or yaml', async () => {
    const closure = await staticClosure(join(ROOT, 'dist', 'post.js'));
    const total = [...closure.values()].reduce((sum, size) => sum + size, 0);
    const listing = [...closure].map(([file, size]) => `${file.slice(ROOT.length)} ${size} B`).join('\n');
    expect(total, listing).toBeLessThan(32 * 1024);
    for (const file of closure.keys()) {
      // zod's and yaml's own error texts: neither may be parsed before the first line.
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain('Invalid input: expected');
      expect(text, file).not.toContain('Implicit keys need to be on a single line');
    }
  });

  it('masks first and still words a failure, which it loads only then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-startup-'));
    work.push(dir);
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    const token = 'ghs_startupCanary0123456789';
    const run = await promisify(execFile)(process.execPath, [join(dir, 'dist', 'index.cjs')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, INPUT_COMMAND: 'nope', 'INPUT_GITHUB-TOKEN': token },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${token}`);
    // Masked once, by the entry: run() is told, and does not print the masks again.
    expect(lines.filter((line) => line.startsWith('::add-mask::'))).toEqual([
      `::add-mask::${token}`,
      `::add-mask::${basicCredential(token)}`,
    ]);
    expect(run.code).toBe(1);
    expect(lines.some((line) => line.startsWith('::error::') && line.includes("command: 'nope'"))).toBe(true);
  });
});
