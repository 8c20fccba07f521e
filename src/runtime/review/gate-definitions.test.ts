import { describe, expect, it } from 'vitest';
import {
  GATE_DEFINITION_EDITED,
  type GateCommand,
  gateDefinitionPaths,
  gateDefinitionReview,
  sectionLines,
} from './gate-definitions.js';

const NPM_TEST: GateCommand = { name: 'test', argv: ['npm', 'run', 'test'] };
const PYTEST: GateCommand = { name: 'test', argv: ['python3', '-m', 'pytest'] };
const MAKE_TEST: GateCommand = { name: 'test', argv: ['make', 'test'] };
const CARGO_TEST: GateCommand = { name: 'test', argv: ['cargo', 'test'] };

const PACKAGE = (scripts: string, extra = '') =>
  `{\n  "name": "fixture",${extra}\n  "scripts": {\n    ${scripts}\n  }\n}\n`;

/** The labels of the findings for a change from `before` to `after` (path → text; null: none). */
function edited(
  gates: readonly GateCommand[],
  before: Record<string, string | null>,
  after: Record<string, string | null>,
): string[] {
  const findings = gateDefinitionReview(
    gates,
    new Map(Object.entries(before)),
    new Map(Object.entries(after)),
  );
  for (const found of findings) expect(found.severity).toBe('blocking');
  return findings.map((found) => /^The change edits "([^"]+)"/.exec(found.message)?.[1] ?? found.message);
}

describe('the gate-definition review', () => {
  it("counts a pnpm workspace package's own script as the definition of a root `pnpm -r test` gate", () => {
    // lefun-fun/dudo: the root's test runs each package's; editing game's runs what the change wrote.
    const PNPM_TEST: GateCommand = { name: 'test', argv: ['pnpm', 'run', 'test'] };
    const game = 'packages/game/package.json';
    const changed = [game, 'packages/game/src/bid.ts', 'node_modules/x/package.json'];
    expect(gateDefinitionPaths([PNPM_TEST], changed)).toContain(game);
    expect(gateDefinitionPaths([PNPM_TEST], changed)).not.toContain('node_modules/x/package.json');
    expect(gateDefinitionPaths([NPM_TEST], changed)).not.toContain(game);
    const root = (test: string) => PACKAGE(`"test": "${test}"`);
    const before = {
      'package.json': root('pnpm -r test'),
      [game]: PACKAGE('"test": "vitest run", "build": "tsc"'),
    };
    const excluded = PACKAGE('"test": "vitest run --exclude src/bid.test.ts", "build": "tsc"');
    expect(edited([PNPM_TEST], before, { ...before, [game]: excluded })).toEqual([`${game} scripts.test`]);
    // Its other scripts, and a root that runs no package's script, are no gate's definition.
    const built = PACKAGE('"test": "vitest run", "build": "tsc -p ."');
    expect(edited([PNPM_TEST], before, { ...before, [game]: built })).toEqual([]);
    // A package the change adds runs tests the base never had: none of them hidden.
    const added = { ...before, 'packages/dice/package.json': null };
    expect(edited([PNPM_TEST], added, { ...before, 'packages/dice/package.json': excluded })).toEqual([]);
    // A package the change deletes runs none of the tests it had.
    expect(edited([PNPM_TEST], before, { ...before, [game]: null })).toEqual([`${game} scripts.test`]);
    const own = { ...before, 'package.json': root('vitest run') };
    expect(edited([PNPM_TEST], own, { ...own, [game]: excluded })).toEqual([]);
  });

  it("counts pnpm-workspace.yaml's packages list narrowed as an edit of a root `pnpm -r test` gate", () => {
    const PNPM_TEST: GateCommand = { name: 'test', argv: ['pnpm', 'test'] };
    expect(gateDefinitionPaths([PNPM_TEST])).toContain('pnpm-workspace.yaml');
    expect(gateDefinitionPaths([NPM_TEST])).not.toContain('pnpm-workspace.yaml');
    const yaml = (...globs: string[]) => `packages:\n${globs.map((glob) => `  - ${glob}\n`).join('')}`;
    const root = { 'package.json': PACKAGE('"test": "pnpm -r test"') };
    const change = (before: string | null, after: string | null) =>
      edited(
        [PNPM_TEST],
        { ...root, 'pnpm-workspace.yaml': before },
        { ...root, 'pnpm-workspace.yaml': after },
      );
    const base = yaml("'packages/*'", 'tools/lint');
    const label = ['pnpm-workspace.yaml packages'];
    // A glob dropped, narrowed, or a package left out: its tests leave `pnpm -r test` unseen.
    expect(change(base, yaml('tools/lint'))).toEqual(label);
    expect(change(base, yaml('packages/game', 'tools/lint'))).toEqual(label);
    expect(change(base, yaml("'packages/*'", 'tools/lint', '!packages/game'))).toEqual(label);
    expect(change(base, null)).toEqual(label);
    expect(change(null, base)).toEqual(label);
    expect(change(base, 'packages: [packages/*]\n')).toEqual(label);
    // A package added, the quotes, `./`, a comment or the order changed: every base package still runs.
    expect(change(base, yaml('packages/*', 'tools/lint', 'apps/*'))).toEqual([]);
    expect(change(base, `# workspace\n${yaml('./tools/lint/', '"packages/*"')}`)).toEqual([]);
    expect(change(yaml('a', '!a/old'), yaml('a'))).toEqual([]);
    // A root that runs no package's script runs none of the list's packages.
    const own = { 'package.json': PACKAGE('"test": "vitest run"') };
    expect(
      edited([PNPM_TEST], { ...own, 'pnpm-workspace.yaml': base }, { ...own, 'pnpm-workspace.yaml': null }),
    ).toEqual([]);
  });

  it('makes the same findings warnings when the goal was created to change them, each with its code', () => {
    const before = new Map([['package.json', PACKAGE('"test": "node --test test/"')]]);
    const after = new Map([['package.json', PACKAGE('"test": "node --test --test-timeout=60000 test/"')]]);
    const blocked = gateDefinitionReview([NPM_TEST], before, after);
    const intended = gateDefinitionReview([NPM_TEST], before, after, true);
    expect(blocked.map((found) => [found.severity, found.code])).toEqual([
      ['blocking', GATE_DEFINITION_EDITED],
    ]);
    expect(intended.map((found) => [found.severity, found.code])).toEqual([
      ['warning', GATE_DEFINITION_EDITED],
    ]);
    expect(intended[0]?.message).toMatch(
      /^The change edits "package\.json scripts\.test".* until a person reads/,
    );
    expect(intended[0]?.paths).toEqual(['package.json']);
  });

  it("names package.json's test script rewritten, however the JSON spells its key", () => {
    const base = { 'package.json': PACKAGE('"test": "node --test test/"') };
    expect(edited([NPM_TEST], base, { 'package.json': PACKAGE('"test": "exit 0"') })).toEqual([
      'package.json scripts.test',
    ]);
    // A \u escape, and a repeated key (the last one wins for npm, as for JSON.parse): no line of
    // the diff reads `"test":`, but the script npm runs is another.
    expect(edited([NPM_TEST], base, { 'package.json': PACKAGE('"t\\u0065st": "exit 0"') })).toEqual([
      'package.json scripts.test',
    ]);
    expect(
      edited([NPM_TEST], base, {
        'package.json': PACKAGE('"test": "node --test test/",\n    "test": "true"'),
      }),
    ).toEqual(['package.json scripts.test']);
    // npm runs pretest and posttest around it.
    expect(
      edited([NPM_TEST], base, {
        'package.json': PACKAGE('"pretest": "sed -i s/a/b/ test/x.js",\n    "test": "node --test test/"'),
      }),
    ).toEqual(['package.json scripts.pretest']);
  });

  it('passes a package.json change that leaves the scripts a gate runs as they were', () => {
    const base = { 'package.json': PACKAGE('"test": "node --test test/",\n    "build": "tsc"') };
    const after = {
      'package.json': PACKAGE(
        '"test": "node --test test/",\n    "build": "tsc -p ."',
        '\n  "version": "2.0.0",',
      ),
    };
    expect(edited([NPM_TEST], base, after)).toEqual([]);
    // `npm test` and yarn's and pnpm's own spellings run the same script.
    for (const argv of [
      ['npm', 'test'],
      ['yarn', 'test'],
      ['pnpm', 'test'],
    ]) {
      expect(edited([{ name: 'test', argv }], base, { 'package.json': PACKAGE('"test": "exit 0"') })).toEqual(
        ['package.json scripts.test'],
      );
    }
  });

  it("names a package manager's config added in the root (.npmrc's script-shell runs every script)", () => {
    expect(edited([NPM_TEST], { '.npmrc': null }, { '.npmrc': 'script-shell=/bin/true\n' })).toEqual([
      '.npmrc',
    ]);
    expect(gateDefinitionPaths([{ name: 'test', argv: ['yarn', 'test'] }])).toEqual([
      '.yarnrc',
      '.yarnrc.yml',
      'package.json',
    ]);
  });

  it("names pytest's configuration changed in pyproject.toml, as a table, a dotted key or an inline table", () => {
    const base = '[project]\nname = "calc"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n';
    const cases = [
      `${base}addopts = "--co"\n`,
      `${base.replace('[tool.pytest.ini_options]', '[tool."py\\u0074est".ini_options]')}addopts = "--co"\n`,
      `${base}\n[tool]\npytest.ini_options.addopts = "--co"\n`,
      `tool.pytest.ini_options.addopts = "-p no:python"\n${base}`,
      `${base}addopts = [\n  "--co",\n]\n`,
    ];
    for (const after of cases) {
      expect(edited([PYTEST], { 'pyproject.toml': base }, { 'pyproject.toml': after }), after).toEqual([
        'pyproject.toml [tool.pytest]',
      ]);
    }
    // The project's own fields, a comment, a dependency on pytest: not what pytest reads.
    const unrelated = base.replace(
      '[project]\nname = "calc"',
      '[project]\nname = "calc"\ndependencies = ["pytest>=8"]  # pytest\n# addopts = "--co"',
    );
    expect(edited([PYTEST], { 'pyproject.toml': base }, { 'pyproject.toml': unrelated })).toEqual([]);
  });

  it('names a pytest.ini added (it takes over from pyproject.toml), and setup.cfg and tox.ini sections', () => {
    expect(edited([PYTEST], { 'pytest.ini': null }, { 'pytest.ini': '[pytest]\naddopts = --co\n' })).toEqual([
      'pytest.ini',
    ]);
    expect(
      edited(
        [PYTEST],
        { 'setup.cfg': '[metadata]\nname = calc\n' },
        { 'setup.cfg': '[metadata]\nname = calc\n[tool:pytest]\naddopts = --co\n' },
      ),
    ).toEqual(['setup.cfg [tool:pytest]']);
    expect(sectionLines('[tox]\nenvlist = py3\n[pytest]\naddopts = -q\n', 'pytest')).toBe(
      '[pytest]\naddopts = -q',
    );
  });

  it("names a Makefile's change for a make gate (a GNUmakefile added takes over) and a cargo runner", () => {
    expect(edited([MAKE_TEST], { GNUmakefile: null }, { GNUmakefile: 'test:\n\ttrue\n' })).toEqual([
      'GNUmakefile',
    ]);
    expect(
      edited(
        [CARGO_TEST],
        { '.cargo/config.toml': null },
        { '.cargo/config.toml': '[target.\'cfg(all())\']\nrunner = "true"\n' },
      ),
    ).toEqual(['.cargo/config.toml']);
  });

  it('reads nothing for a gate whose tool reads no project file omk knows, and names a file once', () => {
    expect(gateDefinitionPaths([{ name: 'lint', argv: ['ruff', 'check', '.'] }])).toEqual([]);
    const lint: GateCommand = { name: 'lint', argv: ['npm', 'run', 'lint'] };
    const found = gateDefinitionReview(
      [NPM_TEST, lint],
      new Map([['.npmrc', null]]),
      new Map([['.npmrc', 'script-shell=/bin/true\n']]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('"test", "lint" gates');
    expect(found[0]?.paths).toEqual(['.npmrc']);
  });

  it('reads the runner configs among the changed paths, wherever they are, for the gates that use them', () => {
    const changed = [
      'src/a.js',
      'vitest.config.ts',
      'web/jest.config.mjs',
      'tests/conftest.py',
      'Cargo.toml',
    ];
    expect(gateDefinitionPaths([NPM_TEST], changed)).toEqual([
      '.npmrc',
      'package.json',
      'vitest.config.ts',
      'web/jest.config.mjs',
    ]);
    expect(gateDefinitionPaths([PYTEST], changed)).toContain('tests/conftest.py');
    expect(gateDefinitionPaths([CARGO_TEST], changed)).toEqual([
      '.cargo/config',
      '.cargo/config.toml',
      'Cargo.toml',
    ]);
  });

  it("names a vitest or jest config added or changed, and package.json's jest key", () => {
    expect(
      edited(
        [NPM_TEST],
        { 'vitest.config.js': null },
        { 'vitest.config.js': "export default { test: { include: ['none/**'], passWithNoTests: true } };\n" },
      ),
    ).toEqual(['vitest.config.js']);
    const base = { 'package.json': PACKAGE('"test": "jest"') };
    expect(
      edited([NPM_TEST], base, {
        'package.json': PACKAGE('"test": "jest"', '\n  "jest": { "testPathIgnorePatterns": ["test/"] },'),
      }),
    ).toEqual(['package.json jest']);
  });

  it('names a coverage threshold lowered wherever the runner reads it: a weak agent must not pass the gate so', () => {
    const vitest = (lines: number) =>
      `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: { coverage: { provider: 'v8', thresholds: { lines: ${lines} } } },\n});\n`;
    expect(
      edited([NPM_TEST], { 'vitest.config.js': vitest(80) }, { 'vitest.config.js': vitest(30) }),
    ).toEqual(['vitest.config.js']);
    const jest = (lines: number) =>
      PACKAGE('"test": "jest"', `\n  "jest": { "coverageThreshold": { "global": { "lines": ${lines} } } },`);
    expect(edited([NPM_TEST], { 'package.json': jest(80) }, { 'package.json': jest(30) })).toEqual([
      'package.json jest',
    ]);
    // nyc and c8: their rc files, or their package.json keys.
    const nyc = (lines: number) =>
      PACKAGE('"test": "nyc mocha"', `\n  "nyc": { "check-coverage": true, "lines": ${lines} },`);
    expect(edited([NPM_TEST], { 'package.json': nyc(80) }, { 'package.json': nyc(30) })).toEqual([
      'package.json nyc',
    ]);
    const c8 = (lines: number) => PACKAGE('"test": "c8 node --test"', `\n  "c8": { "lines": ${lines} },`);
    expect(edited([NPM_TEST], { 'package.json': c8(80) }, { 'package.json': c8(30) })).toEqual([
      'package.json c8',
    ]);
    expect(gateDefinitionPaths([NPM_TEST], ['.nycrc.json', '.c8rc', 'nyc.config.cjs', 'src/a.js'])).toEqual([
      '.c8rc',
      '.npmrc',
      '.nycrc.json',
      'nyc.config.cjs',
      'package.json',
    ]);
    expect(
      edited(
        [NPM_TEST],
        { '.nycrc': '{ "check-coverage": true, "lines": 80 }\n' },
        { '.nycrc': '{ "check-coverage": false }\n' },
      ),
    ).toEqual(['.nycrc']);
    // pytest-cov's --cov-fail-under sits in addopts (read already); coverage.py's own fail_under too.
    const pyproject = (under: number) =>
      `[project]\nname = "fixture"\n\n[tool.coverage.report]\nfail_under = ${under}\nshow_missing = true\n`;
    expect(
      edited([PYTEST], { 'pyproject.toml': pyproject(90) }, { 'pyproject.toml': pyproject(40) }),
    ).toEqual(['pyproject.toml [tool.coverage]']);
    expect(
      edited([PYTEST], { '.coveragerc': '[report]\nfail_under = 90\n' }, { '.coveragerc': null }),
    ).toEqual(['.coveragerc']);
    expect(
      edited(
        [PYTEST],
        { 'setup.cfg': '[coverage:report]\nfail_under = 90\n' },
        { 'setup.cfg': '[coverage:report]\nfail_under = 10\n' },
      ),
    ).toEqual(['setup.cfg [coverage:report]']);
  });

  it('names a conftest.py hook added, however it is registered, and passes a change that adds a fixture', () => {
    const base = 'import pytest\n\n\n@pytest.fixture\ndef one():\n    return 1\n';
    const fixture = `${base}\n\n@pytest.fixture\ndef two():\n    return 2\n`;
    expect(edited([PYTEST], { 'tests/conftest.py': base }, { 'tests/conftest.py': fixture })).toEqual([]);
    const hooks = [
      `${base}\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    outcome = yield\n    outcome.get_result().outcome = 'passed'\n`,
      // A plugin class registered from a fixture: the hook is a method.
      `${base}\n\nclass P:\n    def pytest_runtest_logreport(self, report):\n        report.outcome = 'passed'\n\n\n@pytest.fixture(autouse=True)\ndef reg(request):\n    request.config.pluginmanager.register(P())\n`,
      `pytest_plugins = ["forger"]\n${base}`,
    ];
    for (const after of hooks) {
      expect(edited([PYTEST], { 'tests/conftest.py': base }, { 'tests/conftest.py': after }), after).toEqual([
        'tests/conftest.py pytest hooks',
      ]);
    }
    // A hook's body changed counts; a new conftest.py holding only fixtures does not.
    const hooked = `${base}\ndef pytest_collection_modifyitems(items):\n    items.sort(key=str)\n`;
    expect(
      edited(
        [PYTEST],
        { 'conftest.py': hooked },
        { 'conftest.py': hooked.replace('items.sort(key=str)', 'items.clear()') },
      ),
    ).toEqual(['conftest.py pytest hooks']);
    expect(edited([PYTEST], { 'conftest.py': null }, { 'conftest.py': base })).toEqual([]);
  });

  it("names a workspace's members or exclude list changed (a member's tests no longer run), not a workspace dependency", () => {
    // The Rust Book's add workspace: excluding add_one drops its tests from `cargo test --workspace`.
    const base = '[workspace]\nresolver = "3"\nmembers = [\n    "add_one",\n    "adder",\n]\n';
    const WORKSPACE_TEST: GateCommand = {
      name: 'test',
      argv: ['cargo', 'test', '--workspace', '--no-fail-fast'],
    };
    const CLIPPY: GateCommand = {
      name: 'lint',
      argv: ['cargo', 'clippy', '--workspace', '--', '-D', 'warnings'],
    };
    const label = 'Cargo.toml [workspace] members and exclude';
    expect(
      edited(
        [WORKSPACE_TEST, CLIPPY],
        { 'Cargo.toml': base },
        { 'Cargo.toml': `${base}exclude = ["add_one"]\n` },
      ),
    ).toEqual([label]);
    expect(
      edited(
        [WORKSPACE_TEST],
        { 'Cargo.toml': base },
        { 'Cargo.toml': base.replace('    "add_one",\n', '') },
      ),
    ).toEqual([label]);
    expect(
      edited(
        [WORKSPACE_TEST],
        { 'Cargo.toml': base },
        { 'Cargo.toml': `${base}default-members = ["adder"]\n\n[workspace.dependencies]\nregex = "1"\n` },
      ),
    ).toEqual([label]);
    expect(
      edited(
        [WORKSPACE_TEST],
        { 'Cargo.toml': base },
        { 'Cargo.toml': `${base}\n[workspace.dependencies]\nregex = "1"\n` },
      ),
    ).toEqual([]);
    // A member's own manifest lists no members.
    expect(
      edited(
        [WORKSPACE_TEST],
        { 'add_one/Cargo.toml': '[package]\nname = "add_one"\n' },
        { 'add_one/Cargo.toml': '[package]\nname = "add_one"\nedition = "2024"\n' },
      ),
    ).toEqual([]);
  });

  it("names a Cargo.toml target's harness or test key changed, not a dependency added", () => {
    const base = '[package]\nname = "calc"\nversion = "0.1.0"\n\n[dependencies]\n';
    expect(
      edited(
        [CARGO_TEST],
        { 'Cargo.toml': base },
        { 'Cargo.toml': `${base}\n[[test]]\nname = "fake"\npath = "tests/fake.rs"\nharness = false\n` },
      ),
    ).toEqual(['Cargo.toml test targets (harness, test)']);
    expect(
      edited([CARGO_TEST], { 'Cargo.toml': base }, { 'Cargo.toml': `${base}\n[lib]\ntest = false\n` }),
    ).toEqual(['Cargo.toml test targets (harness, test)']);
    expect(edited([CARGO_TEST], { 'Cargo.toml': base }, { 'Cargo.toml': `${base}regex = "1"\n` })).toEqual(
      [],
    );
  });
});
