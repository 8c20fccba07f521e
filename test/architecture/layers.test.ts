import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

// The layer rules of docs/architecture.md, checked over the source instead of by grep in review.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRONT_DOORS = ['src/cli', 'src/action', 'src/bot'];
/**
 * What a front door may import of the runtime: the use-case API, its renderings, its ports, and
 * the small job layout the Action's post step loads without the rest.
 */
const USE_CASE_API = ['src/runtime/app/index.ts', 'src/runtime/app/render.ts', 'src/runtime/app/ports.ts'];
const FRONT_DOOR_API = [...USE_CASE_API, 'src/runtime/app/job-layout.ts'];
/** The front doors held to USE_CASE_API alone (no job layout, nothing else of the runtime). */
const STRICT_DOORS = ['src/cli', 'src/action', 'src/bot'];

/**
 * What a door's own unit tests may import of the runtime besides USE_CASE_API: fixtures that build
 * a proof, a gap or sample issues and steps, and the runtime functions the door's words are
 * checked through (`wordHint`, the list of request fields).
 */
const DOOR_TEST_FIXTURES = [
  'src/runtime/proof/build.ts',
  'src/runtime/proof/test-evidence.ts',
  'src/runtime/proof/gaps.ts',
  'src/runtime/test-wording-samples.ts',
  'src/runtime/next-steps.ts',
  'src/runtime/request-issues.ts',
];

/** The TypeScript files under `dir`: its sources, or (`tests`) its unit tests. */
function tsFiles(dir: string, tests: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...tsFiles(path, tests));
    else if (entry.name.endsWith('.ts') && entry.name.endsWith('.test.ts') === tests) out.push(path);
  }
  return out;
}

const sourceFiles = (dir: string): string[] => tsFiles(dir, false);

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

/** The front-door files that import a runtime module other than those `allowed`. */
function frontDoorViolations(
  files: Array<{ file: string; source: string }>,
  allowed: readonly string[] = FRONT_DOOR_API,
): string[] {
  const bad: string[] = [];
  for (const { file, source } of files) {
    for (const specifier of specifiers(source)) {
      const path = target(file, specifier);
      if (path.startsWith('src/runtime/') && !allowed.includes(path)) bad.push(`${file} → ${path}`);
    }
  }
  return bad;
}

function read(files: string[]): Array<{ file: string; source: string }> {
  return files.map((file) => ({ file, source: readFileSync(join(ROOT, file), 'utf8') }));
}

/**
 * Runtime files that still touch the disk themselves, with why: goal state goes through the store
 * port (`runtime/state/port.ts`, adapter `adapters/state/local-files.ts`); these read or write
 * something else, or are not converted yet. Convert one, and its entry must go.
 */
const NODE_FS_EXCEPTIONS = new Map<string, string>([
  [
    'src/runtime/agents/credentials.ts',
    "looks for an agent CLI's credential files in the user's home, not goal state",
  ],
  [
    'src/runtime/agents/follow-ups.ts',
    'reads and removes the follow-up file an agent leaves in its worktree, not goal state',
  ],
  [
    'src/runtime/agents/registry.ts',
    'checks that a custom agent command is an executable file (a host probe; issue 10 moves it to an adapter)',
  ],
  [
    'src/runtime/config/load.ts',
    "reads the repository's .omk/config.yml, not goal state (a config source port would take it)",
  ],
  [
    'src/runtime/controller/fail-to-pass.ts',
    "swaps test files in a worktree to run them against the base: the workspace's files, not goal state",
  ],
  [
    'src/runtime/controller/slice.ts',
    "startPoint (synchronous) checks that a dependency's worktree is on this machine",
  ],
  ['src/runtime/doctor/path-lookup.ts', 'a doctor probe on PATH (issue 10 moves the probes to adapters)'],
  ['src/runtime/gates/detector.ts', "reads the repository's manifests to detect gates, not goal state"],
  [
    'src/runtime/gates/verify.ts',
    'runs gate processes and writes their logs (issue 10 moves gate running to an adapter)',
  ],
]);

/** The files that import node:fs or fs (either, /promises too), statically or dynamically. */
function nodeFsImporters(files: Array<{ file: string; source: string }>): string[] {
  return files
    .filter(({ source }) =>
      specifiers(source).some((specifier) => /^(node:)?fs(\/promises)?$/.test(specifier)),
    )
    .map(({ file }) => file)
    .sort();
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

  it('a strict door imports the runtime only through runtime/app index, render and ports', () => {
    const probe = [
      "import { a } from '../runtime/app/index.js';",
      "import { b } from '../runtime/app/render.js';",
      "import type { C } from '../runtime/app/ports.js';",
      "import { d } from '../runtime/app/job-layout.js';",
      "import { e } from '../runtime/app/execute.js';",
    ].join('\n');
    expect(frontDoorViolations([{ file: 'src/cli/x.ts', source: probe }], USE_CASE_API)).toEqual([
      'src/cli/x.ts → src/runtime/app/job-layout.ts',
      'src/cli/x.ts → src/runtime/app/execute.ts',
    ]);
    const files = STRICT_DOORS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(15);
    expect(frontDoorViolations(read(files), USE_CASE_API)).toEqual([]);
  });

  it("a door's unit tests import the runtime through the same API, but for named fixtures", () => {
    const tests = STRICT_DOORS.flatMap((dir) => tsFiles(dir, true));
    expect(tests.length).toBeGreaterThan(10);
    expect(frontDoorViolations(read(tests), [...USE_CASE_API, ...DOOR_TEST_FIXTURES])).toEqual([]);
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

  it('the node:fs scan sees fs and fs/promises, with or without node:, static or dynamic', () => {
    const files = [
      { file: 'src/runtime/a.ts', source: "import { readFile } from 'node:fs/promises';" },
      { file: 'src/runtime/b.ts', source: "import { existsSync } from 'fs';" },
      { file: 'src/runtime/c.ts', source: "const { mkdir } = await import('node:fs/promises');" },
      {
        file: 'src/runtime/d.ts',
        source: "import { join } from 'node:path';\nimport type { StateFiles } from './port.js';",
      },
    ];
    expect(nodeFsImporters(files)).toEqual(['src/runtime/a.ts', 'src/runtime/b.ts', 'src/runtime/c.ts']);
  });

  it('no runtime file imports node:fs but the named exceptions, and the list only shrinks', () => {
    const importers = nodeFsImporters(read(sourceFiles('src/runtime')));
    expect(importers.filter((file) => !NODE_FS_EXCEPTIONS.has(file))).toEqual([]);
    // An exception that no longer imports node:fs is dropped from the list (it cannot come back).
    expect([...NODE_FS_EXCEPTIONS.keys()].filter((file) => !importers.includes(file))).toEqual([]);
  });

  it('runGit is called only inside the git adapter', () => {
    const outside = read(sourceFiles('src'))
      .filter(({ file, source }) => !file.startsWith('src/adapters/git/') && /\brunGit\b/.test(source))
      .map(({ file }) => file);
    expect(outside).toEqual([]);
  });
});

/** Every long flag the omk CLI defines, read from its own command tree. */
function cliFlags(): string[] {
  const flags = new Set<string>();
  const walk = (command: ReturnType<typeof buildProgram>) => {
    for (const option of command.options) if (option.long) flags.add(option.long);
    for (const sub of command.commands) walk(sub);
  };
  walk(buildProgram({ stdout: () => {}, stderr: () => {}, env: {}, cwd: ROOT }, () => {}));
  return [...flags].sort();
}

/** The text of every string literal and template part in a TypeScript source (comments left out). */
function stringLiterals(file: string, source: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      out.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true));
  return out;
}

/** `file: --flag` for each omk CLI flag a literal spells, unless `allowed` names the pair. */
function flagSpellings(
  files: Array<{ file: string; source: string }>,
  flags: readonly string[],
  allowed: ReadonlyMap<string, string>,
): string[] {
  const bad = new Set<string>();
  for (const { file, source } of files) {
    for (const text of stringLiterals(file, source)) {
      for (const flag of flags) {
        const spelled = new RegExp(`(^|[^\\w-])${flag}(?![\\w-])`).test(text);
        if (spelled && !allowed.has(`${file}: ${flag}`)) bad.add(`${file}: ${flag}`);
      }
    }
  }
  return [...bad].sort();
}

/**
 * Where a runtime literal spells what is also an omk CLI flag and means something else, with why.
 * Anything else is a hint a front door must word (next-steps.ts, request-issues.ts, DoctorWords).
 */
const FLAG_EXCEPTIONS = new Map<string, string>([
  ['src/runtime/agents/presets.ts: --sandbox', "codex's own flag in its preset argv, not omk's"],
  ['src/runtime/agents/presets.ts: --json', "codex's own flag in its preset argv, not omk's"],
  ['src/runtime/agents/presets.ts: --format', "opencode's own flag in its preset argv, not omk's"],
  ['src/runtime/agents/presets.ts: --auto', "opencode's own flag in its preset argv, not omk's"],
  ['src/runtime/doctor/check-agent.ts: --version', "the agent CLI's own --version, which the doctor runs"],
  ['src/runtime/doctor/check-git.ts: --version', "git's own --version, which the doctor runs"],
  ['src/runtime/gates/detect-node.ts: --json', "jest's own flag in the gate argv, not omk's"],
  [
    'src/runtime/doctor/check-gates.ts: --verbose',
    "jest's own flag in the gate entry the doctor suggests, not omk's",
  ],
  [
    'src/runtime/next-steps.ts: --auto',
    "NEUTRAL_STEPS: omk's own command words for readers no front door words for (logs, PR bodies)",
  ],
  [
    'src/runtime/next-steps.ts: --allow-gate-edits',
    "NEUTRAL_STEPS: omk's own command words for readers no front door words for (logs, PR bodies)",
  ],
  [
    'src/runtime/next-steps.ts: --allow-workflow-edits',
    "NEUTRAL_STEPS: omk's own command words for readers no front door words for (logs, PR bodies)",
  ],
  [
    'src/runtime/next-steps.ts: --sandbox',
    "NEUTRAL_STEPS: omk's own command words for readers no front door words for (logs, PR bodies)",
  ],
  [
    'src/runtime/next-steps.ts: --all',
    "NEUTRAL_STEPS: omk's own command words for readers no front door words for (logs, PR bodies)",
  ],
]);

describe('the runtime spells no CLI flag', () => {
  it('the scan reads string literals and template parts, not comments or longer flags', () => {
    const source = [
      '// see --merge-policy in the docs',
      "const a = 'use --merge-policy gated';",
      // A template with a substitution: the parts around it are scanned.
      ['const b = `pass $', '{x} --agent claude`;'].join(''),
      "const c = '--merge-policy-x and --json-ish';",
    ].join('\n');
    expect(
      flagSpellings(
        [{ file: 'src/runtime/x.ts', source }],
        ['--agent', '--json', '--merge-policy'],
        new Map(),
      ),
    ).toEqual(['src/runtime/x.ts: --agent', 'src/runtime/x.ts: --merge-policy']);
  });

  it('no runtime file spells an omk CLI flag in a string, except the named exceptions', () => {
    const flags = cliFlags();
    expect(flags).toEqual(expect.arrayContaining(['--agent', '--merge-policy', '--state-dir']));
    const files = read(sourceFiles('src/runtime'));
    expect(flagSpellings(files, flags, FLAG_EXCEPTIONS)).toEqual([]);
    // An exception that no longer matches anything is dropped from the list.
    const used = new Set(flagSpellings(files, flags, new Map()));
    expect([...FLAG_EXCEPTIONS.keys()].filter((key) => !used.has(key))).toEqual([]);
  });
});
