import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layer rules of docs/architecture.md, checked over the source instead of by grep in review.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRONT_DOORS = ['src/cli', 'src/action', 'src/bot'];
/**
 * What a front door may import of the runtime: the use-case API, its renderings, its ports, and
 * the small job layout the Action's post step loads without the rest.
 */
const FRONT_DOOR_API = [
  'src/runtime/app/index.ts',
  'src/runtime/app/render.ts',
  'src/runtime/app/ports.ts',
  'src/runtime/app/job-layout.ts',
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  }
  return found;
}

/** A relative specifier as a repository path ending in `.ts`; a package name as it is. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const path = relative(ROOT, resolve(ROOT, dirname(file), specifier))
    .split('\\')
    .join('/');
  return path.replace(/\.js$/, '.ts');
}

/** The front-door files that import a runtime module other than the use-case API. */
function frontDoorViolations(files: Array<{ file: string; source: string }>): string[] {
  const bad: string[] = [];
  for (const { file, source } of files) {
    for (const specifier of specifiers(source)) {
      const path = target(file, specifier);
      if (path.startsWith('src/runtime/') && !FRONT_DOOR_API.includes(path)) bad.push(`${file} → ${path}`);
    }
  }
  return bad;
}

function read(files: string[]): Array<{ file: string; source: string }> {
  return files.map((file) => ({ file, source: readFileSync(join(ROOT, file), 'utf8') }));
}

describe('layers', () => {
  it('the import scan sees static, type-only, re-exported and dynamic imports', () => {
    const bad = frontDoorViolations([
      {
        file: 'src/bot/x.ts',
        source: [
          "import { a } from '../runtime/goal/store.js';",
          "import type {\n  B,\n} from '../runtime/proof/types.js';",
          "export { c } from '../runtime/app/deliver.js';",
          "const d = await import('../runtime/state/paths.js');",
          "import { ok } from '../runtime/app/index.js';",
          "import { adapter } from '../adapters/git/repo.js';",
        ].join('\n'),
      },
    ]);
    expect(bad).toEqual([
      'src/bot/x.ts → src/runtime/goal/store.ts',
      'src/bot/x.ts → src/runtime/proof/types.ts',
      'src/bot/x.ts → src/runtime/app/deliver.ts',
      'src/bot/x.ts → src/runtime/state/paths.ts',
    ]);
  });

  it('a front door imports the runtime only through runtime/app (index, render, ports, job-layout)', () => {
    const files = FRONT_DOORS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(30);
    expect(frontDoorViolations(read(files))).toEqual([]);
  });

  it('the runtime imports no adapter, no front door and no node:child_process, and kills no process', () => {
    const bad: string[] = [];
    for (const { file, source } of read(sourceFiles('src/runtime'))) {
      for (const specifier of specifiers(source)) {
        const path = target(file, specifier);
        if (/^src\/(adapters|cli|action|bot)\//.test(path) || /^(node:)?child_process$/.test(path)) {
          bad.push(`${file} → ${path}`);
        }
      }
      if (/\bprocess\.kill\s*\(/.test(source)) bad.push(`${file} calls process.kill`);
    }
    expect(bad).toEqual([]);
  });

  it('runGit is called only inside the git adapter', () => {
    const outside = read(sourceFiles('src'))
      .filter(({ file, source }) => !file.startsWith('src/adapters/git/') && /\brunGit\b/.test(source))
      .map(({ file }) => file);
    expect(outside).toEqual([]);
  });
});
