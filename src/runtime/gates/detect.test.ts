import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatesConfig, gatesConfigSchema } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { detectGates, detectGatesIn, GATE_DETECTORS } from './detect.js';
import { makeTargets } from './detect-make.js';
import { treeDetectContext } from './detector.js';

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'omk-detect-'));
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

/** Writes a fixture tree and returns its file list, as `git ls-files` would. */
async function tree(files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  return Object.keys(files);
}

function gates(raw: unknown = {}): { gates: GatesConfig } {
  return { gates: gatesConfigSchema.parse(raw) };
}

/** name → argv, the part of a gate most tests care about. */
function commands(files: readonly string[], config = gates()): Record<string, string[]> {
  return Object.fromEntries(detectGates(repo, files, config).map((gate) => [gate.name, gate.argv]));
}

const pkg = (scripts: Record<string, string>) => JSON.stringify({ name: 'x', scripts });

describe('detectGates: ecosystems', () => {
  it('reads package.json scripts with npm, and skips the npm init placeholder test', async () => {
    const files = await tree({
      'package.json': pkg({
        test: 'echo "Error: no test specified" && exit 1',
        lint: 'eslint .',
        'type-check': 'tsc --noEmit',
        'format:check': 'prettier --check .',
        build: 'tsc',
      }),
    });
    const found = detectGates(repo, files, gates());
    expect(
      found.map(({ name, kind, argv, source, required }) => ({ name, kind, argv, source, required })),
    ).toEqual([
      {
        name: 'format',
        kind: 'format',
        argv: ['npm', 'run', 'format:check'],
        source: 'package.json scripts.format:check',
        required: true,
      },
      {
        name: 'lint',
        kind: 'lint',
        argv: ['npm', 'run', 'lint'],
        source: 'package.json scripts.lint',
        required: true,
      },
      {
        name: 'typecheck',
        kind: 'typecheck',
        argv: ['npm', 'run', 'type-check'],
        source: 'package.json scripts.type-check',
        required: true,
      },
    ]);
    expect(found.every((gate) => gate.timeoutMs === 600_000)).toBe(true);
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['package-lock.json', 'npm'],
  ])('uses the package manager that %s implies', async (lockfile, manager) => {
    const files = await tree({ 'package.json': pkg({ test: 'vitest run' }), [lockfile]: '' });
    expect(commands(files)).toEqual({ test: [manager, 'run', 'test'] });
  });

  it('runs a pnpm project without pnpm-lock.yaml with pnpm: packageManager says so, or pnpm-workspace.yaml', async () => {
    const managed = JSON.stringify({ packageManager: 'pnpm@9.15.9', scripts: { test: 'vitest run' } });
    expect(commands(await tree({ 'package.json': managed }))).toEqual({ test: ['pnpm', 'run', 'test'] });
    const workspace = await tree({
      'package.json': pkg({ test: 'pnpm -r test' }),
      'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n',
    });
    expect(commands(workspace)).toEqual({ test: ['pnpm', 'run', 'test'] });
    // Another manager's lockfile says who installed node_modules.
    expect(commands(await tree({ 'package.json': managed, 'package-lock.json': '{}' }))).toEqual({
      test: ['npm', 'run', 'test'],
    });
  });

  it('finds nothing in a broken package.json', async () => {
    expect(commands(await tree({ 'package.json': '{ "scripts": ' }))).toEqual({});
  });

  it('detects cargo gates from Cargo.toml', async () => {
    const files = await tree({ 'Cargo.toml': '[package]\nname = "x"\n', 'src/main.rs': 'fn main() {}\n' });
    expect(commands(files)).toEqual({
      format: ['cargo', 'fmt', '--check'],
      typecheck: ['cargo', 'check'],
      lint: ['cargo', 'clippy', '--', '-D', 'warnings'],
      test: ['cargo', 'test', '--no-fail-fast'],
    });
  });

  it("checks, lints and tests every member of a Cargo workspace, not only its root package's", async () => {
    // The Rust Book's add workspace with `adder` as its root package: bare `cargo test` there ran
    // adder's tests alone, never add_one's.
    const manifest =
      '[package]\nname = "adder"\nversion = "0.1.0"\nedition = "2024"\n\n[workspace]\nmembers = ["add_one"]\n\n[dependencies]\nadd_one = { path = "add_one" }\n';
    const rooted = await tree({ 'Cargo.toml': manifest, 'src/main.rs': 'fn main() {}\n' });
    expect(commands(rooted)).toEqual({
      format: ['cargo', 'fmt', '--check'],
      typecheck: ['cargo', 'check', '--workspace'],
      lint: ['cargo', 'clippy', '--workspace', '--', '-D', 'warnings'],
      test: ['cargo', 'test', '--workspace', '--no-fail-fast'],
    });
    const virtual = await tree({
      'Cargo.toml': '[workspace] # the members\nresolver = "3"\nmembers = ["add_one"]\n',
    });
    expect(commands(virtual).test).toEqual(['cargo', 'test', '--workspace', '--no-fail-fast']);
    // A table under [workspace] makes it a workspace too; a crate's own [package.metadata.workspace] does not.
    const dependencies = await tree({ 'Cargo.toml': '[package]\nname = "x"\n\n[workspace.dependencies]\n' });
    expect(commands(dependencies).test).toEqual(['cargo', 'test', '--workspace', '--no-fail-fast']);
    const single = await tree({ 'Cargo.toml': '[package]\nname = "x"\n\n[package.metadata.workspace]\n' });
    expect(commands(single).test).toEqual(['cargo', 'test', '--no-fail-fast']);
  });

  it('detects go gates, with gofmt failing on any output', async () => {
    const files = await tree({ 'go.mod': 'module example.com/x\n', 'main.go': 'package main\n' });
    const found = detectGates(repo, files, gates());
    expect(found.map((gate) => [gate.name, gate.kind, gate.argv.join(' ')])).toEqual([
      ['format', 'format', 'gofmt -l .'],
      ['lint', 'lint', 'go vet ./...'],
      ['test', 'test', 'go test ./...'],
    ]);
    expect(found[0]?.failOnOutput).toBe(true);
    expect(found[1]?.failOnOutput).toBeUndefined();
  });

  it('detects python tools only when they are configured or tests exist', async () => {
    // ruff checks without fixing: humanize's [tool.ruff] says `fix = true`, with which `ruff check .`
    // rewrites the tree it verifies and passes where the committed code does not.
    const configured = await tree({
      'pyproject.toml':
        '[project]\nname = "x"\n\n[tool.ruff]\nfix = true\n\n[tool.ruff.lint]\nselect = ["E"]\n\n[tool.mypy]\nstrict = true\n',
      'pkg/tests/test_core.py': 'def test_x(): pass\n',
    });
    expect(commands(configured)).toEqual({
      lint: ['ruff', 'check', '--no-fix', '.'],
      typecheck: ['mypy', '.'],
      test: ['python3', '-m', 'pytest'],
    });
  });

  it('finds pytest and mypy from their own files, and respects mypy `files`', async () => {
    const files = await tree({
      'requirements-dev.txt': 'pytest\n',
      'pytest.ini': '[pytest]\n',
      'mypy.ini': '[mypy]\nfiles = src\n',
      'ruff.toml': 'line-length = 100\n',
    });
    const found = detectGates(repo, files, gates());
    expect(found.map((gate) => [gate.name, gate.argv.join(' '), gate.source])).toEqual([
      ['lint', 'ruff check --no-fix .', 'ruff.toml'],
      ['typecheck', 'mypy', 'mypy.ini'],
      ['test', 'python3 -m pytest', 'pytest.ini'],
    ]);
  });

  it("runs the standard library's unittest, verbose, when the project declares it and never names pytest", async () => {
    // tomli: its tests are unittest.TestCase classes in tests/test_*.py, run by tox and CI as
    // `python -m unittest`; pytest is installed nowhere its tests run.
    const tomli = await tree({
      'pyproject.toml':
        '[project]\nname = "tomli"\n\n[tool.tox.env_run_base]\ncommands = [\n    ["python", "-m", "unittest", { replace = "posargs", extend = true }],\n]\n',
      'tests/test_misc.py': 'import unittest\n',
    });
    const found = detectGates(repo, tomli, gates());
    expect(found.map((gate) => [gate.name, gate.argv.join(' '), gate.source])).toEqual([
      ['test', 'python3 -m unittest -v', 'pyproject.toml (-m unittest)'],
    ]);
    expect(found[0]).not.toHaveProperty('report');
  });

  it("keeps a declared unittest command's arguments, and runs pytest wherever the project names it", async () => {
    // The declared discovery decides which files are tests (`-p '*_test.py'`); a variable or
    // substitution ends what omk takes, `-q` would hide the names, and `-v` is added once.
    const makefile = await tree({
      'setup.py': 'from setuptools import setup\n',
      Makefile: "test:\n\tpython3 -m unittest discover -s tests -p '*_test.py' -q $(ARGS)\n",
    });
    expect(commands(makefile)).toEqual({
      test: ['python3', '-m', 'unittest', 'discover', '-s', 'tests', '-p', '*_test.py', '-v'],
    });
    const toxIni = await tree({ 'tox.ini': '[testenv]\ncommands = coverage run -m unittest -v {posargs}\n' });
    expect(commands([...makefile, ...toxIni]).test).toEqual(['python3', '-m', 'unittest', '-v']);
    const pytestSigns: Record<string, string>[] = [
      { 'tox.ini': '[testenv]\ndeps = pytest\ncommands = python -m unittest\n' },
      { 'tests/conftest.py': '' },
      { 'requirements-dev.txt': 'pytest>=7\ncoverage\n' },
    ];
    for (const pytest of pytestSigns) {
      const files = await tree({
        'setup.py': '',
        'tests/test_x.py': '',
        'tox.ini': 'commands = python -m unittest\n',
        ...pytest,
      });
      expect(commands(files).test).toEqual(['python3', '-m', 'pytest']);
      await rm(join(repo, Object.keys(pytest)[0] ?? ''));
    }
  });

  it('runs pytest in a project whose only python marker is its pytest or tox configuration', async () => {
    // A scripts repo: pytest.ini and tests/, no pyproject.toml, setup.py or requirements file.
    const pytestIni = await tree({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'scripts/rename.py': 'def rename(x): return x\n',
      'tests/test_rename.py': 'def test_rename(): pass\n',
    });
    expect(
      detectGates(repo, pytestIni, gates()).map((gate) => [gate.name, gate.argv.join(' '), gate.source]),
    ).toEqual([['test', 'python3 -m pytest', 'pytest.ini']]);
    await rm(join(repo, 'pytest.ini'));
    const rest = pytestIni.filter((path) => path !== 'pytest.ini');
    const toxSection = await tree({ 'tox.ini': '[tox]\nenvlist = py3\n\n[pytest]\ntestpaths = tests\n' });
    expect(detectGates(repo, [...rest, ...toxSection], gates()).map((gate) => gate.source)).toEqual([
      'tox.ini [pytest]',
    ]);
    // tox alone, whose test environment runs pytest over files pytest would not find by name.
    const toxCommand = await tree({
      'tox.ini': '[testenv]\ndeps = pytest\ncommands = pytest {posargs}\n',
      'checks/rename_checks.py': 'def test_rename(): pass\n',
    });
    expect(
      detectGates(repo, toxCommand, gates()).map((gate) => [gate.name, gate.argv.join(' '), gate.source]),
    ).toEqual([['test', 'python3 -m pytest', 'tox.ini (pytest)']]);
    const setupCfg = await tree({ 'setup.cfg': '[tool:pytest]\ntestpaths = tests\n' });
    expect(commands([...rest, ...setupCfg]).test).toEqual(['python3', '-m', 'pytest']);
  });

  it('runs no python tool a bare project does not use', async () => {
    const files = await tree({ 'setup.py': 'from setuptools import setup\n', 'x.py': 'print(1)\n' });
    expect(commands(files)).toEqual({});
  });

  it('reads make targets, and only for kinds no ecosystem covered', async () => {
    const makefile =
      'X := 1\nY ::= 2\n.PHONY: test lint\ntest lint: deps\n\tgo test\ncheck:\n\t@true\nfmt-check :\n\ttrue\n';
    const makeOnly = await tree({ Makefile: makefile });
    expect(commands(makeOnly)).toEqual({
      format: ['make', 'fmt-check'],
      lint: ['make', 'lint'],
      test: ['make', 'test'],
      check: ['make', 'check'],
    });
    const withGo = await tree({ 'go.mod': 'module x\n' });
    expect(commands([...makeOnly, ...withGo])).toEqual({
      format: ['gofmt', '-l', '.'],
      lint: ['go', 'vet', './...'],
      test: ['go', 'test', './...'],
    });
  });

  it('parses rule heads, not assignments or recipes', () => {
    expect([...makeTargets('A = b\nB := c\nall: test\n\t@echo lint:\ntest:\nci::\n# lint:\n')]).toEqual([
      'all',
      'test',
      'ci',
    ]);
  });

  it('keeps both gates when two ecosystems share a name, in a stable order', async () => {
    const files = await tree({ 'package.json': pkg({ test: 'vitest' }), 'Cargo.toml': '' });
    const names = detectGates(repo, files, gates()).map((gate) => gate.name);
    expect(names).toEqual(['test', 'format', 'typecheck', 'lint', 'rust-test']);
    expect(detectGates(repo, [...files].reverse(), gates()).map((gate) => gate.name)).toEqual(names);
  });

  it('does not read files that are not in the list (untracked or ignored)', async () => {
    await tree({ 'package.json': pkg({ test: 'vitest' }) });
    expect(commands([])).toEqual({});
  });
});

describe('detectGates: config', () => {
  it('overrides a detected gate by name without replacing its command', async () => {
    const files = await tree({ 'package.json': pkg({ lint: 'eslint .', test: 'vitest' }) });
    const found = detectGates(
      repo,
      files,
      gates({ timeout: '2m', list: [{ name: 'lint', required: false }] }),
    );
    expect(found.find((gate) => gate.name === 'lint')).toEqual({
      name: 'lint',
      kind: 'lint',
      argv: ['npm', 'run', 'lint'],
      required: false,
      timeoutMs: 120_000,
      source: 'package.json scripts.lint, overridden by .omk/config.yml gates.list[0]',
    });
    expect(found.find((gate) => gate.name === 'test')?.required).toBe(true);
  });

  it("carries a gate's own network onto it; a gate without one has none (the run's applies)", async () => {
    const files = await tree({ 'package.json': pkg({ test: 'vitest' }) });
    const config = gates({
      list: [
        { name: 'test', network: 'open' },
        { name: 'e2e', run: ['node', 'e2e.js'], network: 'none' },
        { name: 'smoke', run: ['node', 'smoke.js'] },
      ],
    });
    const found = detectGates(repo, files, config);
    expect(found.map((gate) => [gate.name, gate.network])).toEqual([
      ['test', 'open'],
      ['e2e', 'none'],
      ['smoke', undefined],
    ]);
  });

  it('carries preExisting: block onto detected and configured gates; allow is the default and left out', async () => {
    const files = await tree({ 'package.json': pkg({ lint: 'eslint .', test: 'vitest' }) });
    const config = gates({
      list: [
        { name: 'lint', preExisting: 'block' },
        { name: 'test', preExisting: 'allow' },
        { name: 'e2e', run: ['node', 'e2e.js'], preExisting: 'block' },
      ],
    });
    const found = detectGates(repo, files, config);
    expect(found.map((gate) => [gate.name, gate.preExisting])).toEqual([
      ['lint', 'block'],
      ['test', undefined],
      ['e2e', 'block'],
    ]);
    expect(() => gatesConfigSchema.parse({ list: [{ name: 'test', preExisting: 'ignore' }] })).toThrow(
      /allow|block/,
    );
  });

  it('replaces a command, adds config-only gates after detected ones, and removes disabled ones', async () => {
    const files = await tree({ 'go.mod': 'module x\n' });
    const config = gates({
      list: [
        { name: 'e2e', run: ['node', 'e2e.js'], timeout: '30m' },
        { name: 'format', run: ['gofumpt', '-d', '.'] },
        { name: 'lint', enabled: false },
        { name: 'bench', kind: 'benchmark', run: ['go', 'test', '-bench', '.'], required: true },
      ],
    });
    const found = detectGates(repo, files, config);
    expect(found.map((gate) => [gate.name, gate.kind, gate.required, gate.argv.join(' ')])).toEqual([
      ['format', 'format', true, 'gofumpt -d .'],
      ['test', 'test', true, 'go test ./...'],
      ['e2e', 'custom', false, 'node e2e.js'],
      ['bench', 'benchmark', true, 'go test -bench .'],
    ]);
    expect(found[0]?.failOnOutput).toBeUndefined();
    expect(found[0]?.source).toBe('.omk/config.yml gates.list[1]');
    expect(found[2]?.timeoutMs).toBe(1_800_000);
  });

  it('asks detected pytest and go test for reports, and never adds them to a command the user wrote', async () => {
    const files = await tree({ 'pyproject.toml': '', 'pytest.ini': '[pytest]\n', 'go.mod': 'module x\n' });
    const detected = detectGates(repo, files, gates({ list: [{ name: 'test', required: false }] }));
    expect(detected.find((gate) => gate.name === 'test')?.report).toEqual({
      format: 'go-test-json',
      args: ['-json'],
    });
    expect(detected.find((gate) => gate.name === 'python-test')?.report).toEqual({
      format: 'junit-xml',
      args: ['-rA', '--junitxml={file}'],
    });
    const replaced = detectGates(
      repo,
      files,
      gates({ list: [{ name: 'python-test', run: ['python3', '-m', 'pytest', '-x'] }] }),
    );
    expect(replaced.find((gate) => gate.name === 'python-test')).not.toHaveProperty('report');
  });

  it('asks vitest and jest run by scripts.test for a report naming every test, never a configured command', async () => {
    const pkg = (test: string) => JSON.stringify({ scripts: { test } });
    const vitest = await tree({ 'package.json': pkg('tsc -p . && vitest run') });
    expect(detectGates(repo, vitest, gates()).find((gate) => gate.name === 'test')?.report).toEqual({
      format: 'junit-xml',
      prefer: 'report',
      args: [
        '--',
        '--reporter=default',
        '--reporter=junit',
        '--outputFile.junit={file}',
        '--coverage.reportOnFailure',
      ],
    });
    const jest = await tree({ 'package.json': pkg('jest --ci'), 'pnpm-lock.yaml': '' });
    const found = detectGates(repo, jest, gates()).find((gate) => gate.name === 'test');
    expect(found?.argv).toEqual(['pnpm', 'run', 'test']);
    expect(found?.report).toEqual({
      format: 'jest-json',
      prefer: 'report',
      args: ['--json', '--outputFile={file}'],
    });
    for (const body of [
      'vitest',
      'vitest watch',
      'jest --watch',
      'vitest run && node after.js',
      'node --test',
      'mocha',
    ]) {
      const files = await tree({ 'package.json': pkg(body) });
      const report = detectGates(repo, files, gates()).find((gate) => gate.name === 'test')?.report;
      expect(report === undefined, body).toBe(body !== 'vitest');
    }
    const configured = detectGates(
      repo,
      vitest,
      gates({ list: [{ name: 'test', run: ['npx', 'vitest', 'run'] }] }),
    );
    expect(configured.find((gate) => gate.name === 'test')).not.toHaveProperty('report');
  });

  it("asks each package's vitest of a pnpm workspace's `pnpm -r test` for its verbose reporter, only when every package runs vitest", async () => {
    // pnpm 9.15.9 hands what follows `--` to every package's script: `node --test --reporter\=verbose`
    // stops with `node: bad option`, so one package that is not vitest leaves the run as it is.
    const workspace = (tools: string, root = 'pnpm -r test') => ({
      'package.json': JSON.stringify({ name: 'pw', private: true, scripts: { test: root } }),
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n',
      'packages/game/package.json': pkg({ test: 'pnpm vitest run src' }),
      'packages/ui/package.json': pkg({ test: 'vitest run', build: 'tsc' }),
      'packages/tools/package.json': tools,
      'packages/tools/test/fixtures/node_modules/x/package.json': pkg({ test: 'node --test' }),
      // A test's fixture project: no package of the workspace's (`packages/*`), which pnpm never runs.
      'packages/tools/test/fixtures/app/package.json': pkg({ test: 'node --test' }),
    });
    const report = async (files: Record<string, string>) =>
      detectGates(repo, await tree(files), gates()).find((gate) => gate.name === 'test')?.report;
    expect(await report(workspace(pkg({ test: 'vitest run' })))).toEqual({
      format: 'console',
      args: ['--', '--reporter=verbose'],
    });
    // A package without the script is one pnpm skips.
    expect(await report(workspace(pkg({ build: 'tsc' })))).toEqual({
      format: 'console',
      args: ['--', '--reporter=verbose'],
    });
    for (const tools of [
      pkg({ test: 'node --test' }),
      pkg({ test: 'jest' }),
      pkg({ test: 'vitest run --reporter=dot' }),
      pkg({ test: 'vitest' }).replace('{', '{,'),
    ]) {
      expect(await report(workspace(tools)), tools).toBeUndefined();
    }
    expect(
      await report(workspace(pkg({ test: 'vitest run' }), 'pnpm -r test -- --coverage')),
    ).toBeUndefined();
    // Behind `run` pnpm hands `--` on to vitest (`vitest run -- --reporter\=verbose`, which then keeps
    // its default reporter): the option goes bare.
    for (const root of ['pnpm run -r test', 'pnpm -r run test']) {
      expect(await report(workspace(pkg({ test: 'vitest run' }), root)), root).toEqual({
        format: 'console',
        args: ['--reporter=verbose'],
      });
    }
  });

  it('runs only configured gates when detection is off', async () => {
    const files = await tree({ 'Cargo.toml': '' });
    const config = gates({ detect: false, list: [{ name: 'test', run: ['cargo', 'nextest', 'run'] }] });
    expect(detectGates(repo, files, config)).toEqual([
      {
        name: 'test',
        kind: 'test',
        argv: ['cargo', 'nextest', 'run'],
        required: true,
        timeoutMs: 600_000,
        source: '.omk/config.yml gates.list[0]',
      },
    ]);
  });

  it('ignores tuning for a gate this tree lacks, but refuses a required gate with nothing to run', async () => {
    const files = await tree({ 'Cargo.toml': '' });
    expect(detectGates(repo, files, gates({ list: [{ name: 'e2e', required: false }] }))).toHaveLength(4);
    const run = () => detectGates(repo, files, gates({ list: [{ name: 'e2e', required: true }] }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/gate 'e2e' is required but was not detected and has no `run`.*detected: format/);
  });
});

describe('detection over a commit read beforehand', () => {
  const TEXTS: Record<string, string> = {
    'package.json': pkg({ test: 'vitest run', lint: 'eslint .' }),
    'pyproject.toml': '[tool.ruff]\n[tool.mypy]\n[tool.pytest.ini_options]\n',
    'setup.cfg': '[mypy]\n',
    'mypy.ini': '[mypy]\nfiles = src\n',
    Makefile: 'test:\n\tpytest\nfmt-check:\n\tblack --check .\n',
    'Cargo.toml': '[package]\nname = "x"\n',
    'go.mod': 'module x\n',
    'tests/test_x.py': '',
  };

  it('finds the same gates as the checkout when every detector declares what it reads', async () => {
    const files = await tree(TEXTS);
    const declared = GATE_DETECTORS.flatMap((detector) => detector.reads);
    const texts = new Map(declared.map((path) => [path, TEXTS[path] ?? null]));
    const config = gates();
    expect(detectGatesIn(treeDetectContext(files, texts), config)).toEqual(detectGates(repo, files, config));
  });

  it('throws when a detector reads a file it did not declare', () => {
    const context = treeDetectContext(['pyproject.toml'], new Map([['package.json', null]]));
    expect(() => context.read('pyproject.toml')).toThrow(/which no detector declares/);
    expect(context.read('package.json')).toBeNull();
  });
});
