import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { decideOracle } from '../../src/runtime/goal/intake.js';
import type { TaskDraft } from '../../src/runtime/graph/schema.js';
import type { PlanProposal } from '../../src/runtime/plan/planner.js';
import { findDefinitions, goalIdentifiers, goalWords } from '../../src/runtime/plan/symbols.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { heuristicPlan } from '../helpers/heuristic-plan.js';
import { expectWritesExplained } from '../helpers/plan-notes.js';

// The examples on small real repositories: goals that name a function, a method or a test
// file, constraints and two-part goals, planned from `git grep` over the tracked files.

const TS_PACKAGE: Record<string, string> = {
  'package.json': '{ "name": "cookie-kit", "scripts": { "test": "vitest run" } }\n',
  'src/index.ts': [
    "export { serialize } from './serialize.js';",
    'export function parseCookie(header: string): Record<string, string> {',
    '  return Object.fromEntries(header.split(";").map((pair) => pair.trim().split("=")));',
    '}',
    '',
  ].join('\n'),
  'src/serialize.ts': [
    'export class Cookie {',
    '  serialize(value: string): string {',
    '    return value;',
    '  }',
    '}',
    'export function serialize(name: string, value: string): string {',
    '  return name + "=" + value;',
    '}',
    '',
  ].join('\n'),
  // Names that share words with the goals below, and define nothing they name.
  'data/parse-cookie-samples.json': '["a=1", "b=2"]\n',
  'bench/parse-cookie.bench.ts': "import { parseCookie } from '../src/index.js';\nparseCookie('a=1');\n",
  'test/index.test.ts': "import { parseCookie } from '../src/index.js';\n",
  'test/serialize.test.ts': "import { serialize } from '../src/serialize.js';\n",
  'test/fixtures/cookie-header.txt': 'a=1; b=2\n',
  'README.md': '# cookie-kit\n',
};

const PY_PACKAGE: Record<string, string> = {
  'pyproject.toml': '[project]\nname = "semverkit"\n',
  'semverkit/__init__.py': 'from .version import Version\n',
  'semverkit/version.py': [
    'class Version:',
    '    def __init__(self, text):',
    '        self.parts = text.split(".")',
    '',
    '    def compare(self, other):',
    '        return (self.parts > other.parts) - (self.parts < other.parts)',
    '',
  ].join('\n'),
  'semverkit/headers.py': 'def parse_header(line):\n    return line.split(":")[:-1]\n',
  'examples/compare_versions.py':
    'from semverkit import Version\nprint(Version("1.0").compare(Version("2.0")))\n',
  'tests/test_version.py': 'from semverkit import Version\n',
  'tests/test_headers.py': 'from semverkit.headers import parse_header\n',
  'tests/fixtures/headers.txt': 'Host: example.com\n',
};

let ts: TempRepo;
let py: TempRepo;

beforeAll(async () => {
  [ts, py] = await Promise.all([createTempRepo(TS_PACKAGE), createTempRepo(PY_PACKAGE)]);
});
afterAll(async () => {
  await Promise.all([ts.cleanup(), py.cleanup()]);
});

async function planIn(repo: TempRepo, goalText: string): Promise<PlanProposal> {
  const repoFiles = await gitRepo.listFiles(repo.root);
  const definitions = await findDefinitions(
    gitRepo,
    repo.root,
    goalIdentifiers(goalText),
    goalWords(goalText),
  );
  return heuristicPlan(goalText, repoFiles, { definitions });
}

function writesOf(tasks: readonly TaskDraft[]): string[][] {
  return tasks.map((task) => task.writes);
}

describe('the heuristic planner searches the code for the symbols a goal names', () => {
  const cases: [string, () => TempRepo, string, string[]][] = [
    [
      'a TypeScript function, not the JSON data or benchmark sharing its name',
      () => ts,
      'parseCookie drops values that contain an equals sign; fix it',
      ['src/index.ts', 'test'],
    ],
    [
      'a method of a class',
      () => ts,
      'fix Cookie.serialize so it encodes spaces',
      ['src/serialize.ts', 'test'],
    ],
    [
      'a Python method, not the example that calls it',
      () => py,
      'fix Version.compare so that 1.10 sorts after 1.9',
      ['semverkit/version.py', 'tests'],
    ],
    [
      'a snake_case Python function',
      () => py,
      'parse_header drops the last field; fix it',
      ['semverkit/headers.py', 'tests'],
    ],
    [
      'a function written as a call',
      () => ts,
      'refactor `parseCookie()` to use a regular expression',
      ['src/index.ts', 'test/index.test.ts'],
    ],
  ];
  it.each(cases)('%s', async (_name, repo, goal, writes) => {
    const proposal = await planIn(repo(), goal);
    expect(writesOf(proposal.tasks)).toEqual([writes]);
    expect(proposal.notes.join('\n')).toMatch(/writes .*\(defines /);
    expectWritesExplained(proposal);
  });

  it('gives the whole repository when the goal names a symbol nothing defines', async () => {
    const proposal = await planIn(ts, 'fix parseCookieJar so that empty headers return an empty object');
    expect(writesOf(proposal.tasks)).toEqual([['.']]);
    expect(proposal.notes.join('\n')).toMatch(/no tracked file defines parseCookieJar/);
  });

  it('keeps a path the goal names next to the symbol it defines', async () => {
    const proposal = await planIn(ts, 'refactor add() in src/index.ts');
    expect(proposal.tasks[0]?.writes).toEqual(['src/index.ts']);
  });
});

describe('constraints bind slices instead of becoming slices', () => {
  it('turns "add no new dependencies" and "keep the public API" into acceptance lines', async () => {
    const goal =
      'refactor parse_header in semverkit/headers.py, add no new dependencies and keep the public API';
    const proposal = await planIn(py, goal);
    expect(proposal.tasks).toHaveLength(1);
    const [task] = proposal.tasks;
    expect(task?.writes).toEqual(['semverkit/headers.py', 'tests/test_headers.py']);
    expect(task?.acceptance).toEqual(
      expect.arrayContaining(['Constraint: add no new dependencies', 'Constraint: keep the public API']),
    );
    expect(decideOracle(goal).class).toBe('rewrite');
  });
});

describe('two-part goals', () => {
  it('writes the named test file, reads no fixture and runs both parts in parallel', async () => {
    const proposal = await planIn(
      py,
      'fix the crash in parse_header and add a regression test for Version in tests/test_version.py',
    );
    const [fix, test] = proposal.tasks;
    expect(fix?.writes).toEqual(['semverkit/headers.py', 'tests/test_headers.py']);
    expect(test?.ownerRole).toBe('test-author');
    expect(test?.writes).toEqual(['tests/test_version.py']);
    expect(test?.dependsOn).toEqual([]);
    for (const task of proposal.tasks) expect(task.reads.join(' ')).not.toMatch(/fixtures/);
    // It tests Version, which no slice changes: it cannot fail on the base commit.
    expect(test?.acceptance.join('\n')).not.toMatch(/fails on the base commit/);
    expect(test?.acceptance.join('\n')).toMatch(/pass on the head commit/);
  });

  it('makes a test slice about the fixed symbol wait for the fix and fail on the base', async () => {
    const proposal = await planIn(
      py,
      'fix the crash in parse_header and add a regression test for parse_header',
    );
    const [fix, test] = proposal.tasks;
    expect(test?.dependsOn).toEqual([fix?.id]);
    // No test file named: the test directory, so the agent may add a new file there.
    expect(test?.writes).toEqual(['tests']);
    expect(test?.acceptance.join('\n')).toMatch(
      /fails on the goal's base commit and passes on this slice's head/,
    );
  });

  it('may name a new test file under an existing test directory', async () => {
    const proposal = await planIn(ts, 'add tests for serialize in test/serialize-edge.test.ts');
    expect(proposal.tasks.map((task) => task.writes)).toEqual([['test/serialize-edge.test.ts']]);
  });
});

describe('paths the goal names', () => {
  it('keeps files that share only a base name with the named path out of the write set', async () => {
    const repo = await createTempRepo({
      'pkg00/mod000.js': 'export const a = 1;\n',
      'pkg01/mod000.js': 'export const b = 1;\n',
    });
    try {
      const proposal = await planIn(repo, 'update pkg00/mod000.js and update pkg01/mod000.js');
      // A greenfield change with no test slice after it writes its own new acceptance test too.
      expect(proposal.tasks.map((task) => [task.writes, task.dependsOn])).toEqual([
        [['pkg00/mod000.js', 'pkg00/mod000.test.js'], []],
        [['pkg01/mod000.js', 'pkg01/mod000.test.js'], []],
      ]);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('functions a goal names as plain words', () => {
  // Definitions of several shapes; `pad` is defined in three files (a common name, not a pointer),
  // and the README, a test and a caller only mention or use the words.
  const JS_PACKAGE: Record<string, string> = {
    'package.json': '{ "name": "strkit" }\n',
    'src/strings.js': 'export function trim(text) {\n  return text.replace(/^ +| +$/g, "");\n}\n',
    'src/math.js': 'export const clamp = (n, lo, hi) => Math.min(hi, Math.max(lo, n));\n',
    'src/table.js': 'export class Table {\n  pad(cell) {\n    return cell;\n  }\n}\n',
    'src/left.js': 'export function pad(text) {\n  return " " + text;\n}\n',
    'src/right.py': 'def pad(text):\n    return text + " "\n',
    'src/format.js': "import { trim } from './strings.js';\nexport const format = (s) => trim(s);\n",
    'test/strings.test.js': "import { trim } from '../src/strings.js';\nfunction trim2() {}\n",
    'README.md': '# strkit\n\nUse trim(text) to strip spaces; clamp(n) bounds a number.\n',
  };
  let js: TempRepo;
  beforeAll(async () => {
    js = await createTempRepo(JS_PACKAGE);
  });
  afterAll(async () => {
    await js.cleanup();
  });

  it.each([
    ['fix trim so it strips tabs too', ['src/strings.js', 'test'], 'defines trim (function, line 1)'],
    // No test slice follows: the fix writes the new test that shows it, where the tests live.
    ['fix clamp for negative numbers', ['src/math.js', 'test'], 'defines clamp (value, line 1)'],
  ])('%j writes the file defining the word', async (goal, writes, because) => {
    const proposal = await planIn(js, goal);
    expect(writesOf(proposal.tasks)).toEqual([writes]);
    expect(proposal.notes.join('\n')).toContain(`${writes[0]} (${because})`);
    expectWritesExplained(proposal);
  });

  it('finds only definitions of the words, with one git grep for all of them', async () => {
    const definitions = await findDefinitions(gitRepo, js.root, [], ['trim', 'clamp', 'pad', 'tabs']);
    expect(definitions.map((def) => `${def.name} ${def.path}:${def.line} ${def.kind}`).sort()).toEqual([
      'clamp src/math.js:1 value',
      'pad src/left.js:1 function',
      'pad src/right.py:1 function',
      'pad src/table.js:2 method',
      'trim src/strings.js:1 function',
    ]);
  });

  it('changes nothing for a word defined nowhere or in three files', async () => {
    expect(writesOf((await planIn(js, 'fix wrap so that emoji stay intact')).tasks)).toEqual([['.']]);
    expect(writesOf((await planIn(js, 'fix pad so it uses tabs')).tasks)).toEqual([['.']]);
  });
});
