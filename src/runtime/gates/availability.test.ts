import { describe, expect, it } from 'vitest';
import type { ProcessResult } from '../ports.js';
import {
  CANNOT_START_EXIT_CODES,
  cannotStart,
  gateTool,
  NO_MODULE_PATTERN,
  NOT_FOUND_LINE_PATTERNS,
  unavailableAdvice,
  unavailableNote,
  unavailableTool,
  unavailableWhy,
} from './availability.js';

function ended(exitCode: number | null, tail: string, spawnError: string | null = null): ProcessResult {
  return {
    exitCode,
    signal: null,
    timedOut: false,
    cancelled: false,
    spawnError,
    durationMs: 1,
    stdout: '',
    tail,
  };
}

describe('the patterns that say a gate cannot start', () => {
  it('are the shell codes 126 and 127, and not-found lines for the tool itself', () => {
    expect(CANNOT_START_EXIT_CODES).toEqual([126, 127]);
    expect(NOT_FOUND_LINE_PATTERNS).toHaveLength(2);
    expect(NO_MODULE_PATTERN).toContain('No module named {tool}');
  });
});

describe('cannotStart', () => {
  it('names the plugin a pytest option needs when pytest refuses it (addopts = --cov without pytest-cov)', () => {
    // What pytest 7 to 9 print, exit 4, when addopts in pyproject.toml names options of plugins
    // that are not installed where the gates run.
    const usage =
      'ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]\n' +
      '__main__.py: error: unrecognized arguments: --cov=humanize --cov-report=term-missing -n\n' +
      '  inifile: /w/pyproject.toml\n  rootdir: /w\n';
    const pytest = ['python3', '-m', 'pytest', '-rA', '--junitxml=/a/r.xml'];
    expect(cannotStart(pytest, ended(4, usage))).toEqual({
      tool: 'pytest-cov',
      reason:
        'pytest-cov: pytest does not know --cov=humanize --cov-report=term-missing -n (exit 4): the plugins that add them (pytest-cov, pytest-xdist) are not installed where the gates run; addopts in the pytest configuration may name them',
    });
    expect(
      cannotStart(['pytest'], ended(4, 'pytest: error: unrecognized arguments: --frobnicate\n')),
    ).toEqual({
      tool: '--frobnicate',
      reason:
        '--frobnicate: pytest does not know --frobnicate (exit 4): the plugin that adds it is not installed where the gates run; addopts in the pytest configuration may name it',
    });
    // humanize's filterwarnings names coverage.exceptions.CoverageWarning: without coverage
    // installed, pytest 7 stops with a usage error, pytest 8 and 9 raise the config warning
    // (filterwarnings = error); no test ran either way.
    const pytest7 =
      'ERROR: while parsing the following warning configuration:\n\n' +
      "  ignore:sys.monitoring isn't available:coverage.exceptions.CoverageWarning\n\n" +
      'This error occurred:\n\nTraceback (most recent call last):\n' +
      "ModuleNotFoundError: No module named 'coverage'\n";
    const filterReason = (exit: number) =>
      `coverage: pytest's filterwarnings names a warning class from module coverage, which is not installed where the gates run (exit ${exit})`;
    expect(cannotStart(pytest, ended(4, pytest7))).toEqual({ tool: 'coverage', reason: filterReason(4) });
    const pytest9 =
      'Traceback (most recent call last):\n    warnings.warn(\n' +
      "pytest.PytestConfigWarning: Failed to import filter module 'coverage': ignore:sys.monitoring:coverage.exceptions.CoverageWarning\n";
    expect(cannotStart(pytest, ended(1, pytest9))).toEqual({ tool: 'coverage', reason: filterReason(1) });
    // Shown as a warning in the summary of a run whose tests failed, it is no reason: they ran.
    const summary =
      "  /v/_pytest/config/__init__.py:1: PytestConfigWarning: Failed to import filter module 'coverage': x\n" +
      'FAILED tests/test_a.py::test_a - assert 1 == 2\n';
    expect(cannotStart(pytest, ended(1, summary))).toBeNull();
    // Another exit code, or a tool that is not pytest, is a failure like any other.
    expect(cannotStart(pytest, ended(1, usage))).toBeNull();
    expect(cannotStart(['ruff', 'check', '.'], ended(4, usage))).toBeNull();
  });

  it('names the cargo subcommand or rustup component the toolchain lacks, and how to add it', () => {
    const noClippy =
      'error: no such command: `clippy`\n\nhelp: view all installed commands with `cargo --list`\n';
    expect(cannotStart(['cargo', 'clippy', '--', '-D', 'warnings'], ended(101, noClippy))).toEqual({
      tool: 'cargo-clippy',
      reason:
        'cargo-clippy: cargo has no clippy command (exit 101); with rustup: rustup component add clippy',
    });
    const noFmt =
      "error: 'cargo-fmt' is not installed for the toolchain 'stable-x86_64-unknown-linux-gnu'.\n" +
      'To install, run `rustup component add rustfmt`\n';
    expect(cannotStart(['cargo', 'fmt', '--check'], ended(1, noFmt))).toEqual({
      tool: 'cargo-fmt',
      reason:
        'cargo-fmt: not installed for the toolchain (exit 1); with rustup: rustup component add rustfmt',
    });
    // A test that prints cargo's words about another command, or a clippy that ran and failed, started.
    expect(cannotStart(['cargo', 'test'], ended(101, noClippy))).toBeNull();
    expect(cannotStart(['cargo', 'clippy'], ended(101, 'error: this `return` is needless\n'))).toBeNull();
    expect(cannotStart(['npm', 'test'], ended(1, noFmt))).toBeNull();
  });

  it('knows a go that cannot read the go.mod: a go line newer than it, which no agent can fix', () => {
    // go 1.19's words on a module whose go.mod says `go 1.15.0` (three parts parse from Go 1.21).
    const old =
      "go: errors parsing go.mod:\n/tmp/m/go.mod:3: invalid go version '1.15.0': must match format 1.23\n";
    expect(cannotStart(['go', 'test', './...', '-json'], ended(1, old))).toEqual({
      tool: 'go',
      reason:
        "go: this go cannot read go.mod: invalid go version '1.15.0' (a three-part go line needs Go 1.21 or newer) (exit 1)",
    });
    // Go 1.21 and later, told not to download a newer toolchain (a gate has no network anyway).
    const local = 'go: go.mod requires go >= 1.22 (running go 1.21.0; GOTOOLCHAIN=local)\n';
    expect(cannotStart(['go', 'vet', './...'], ended(1, local))).toEqual({
      tool: 'go',
      reason: 'go: go.mod requires go >= 1.22, this go is 1.21.0 (exit 1)',
    });
    // go 1.19 on a toolchain line (go.mod written by Go 1.21 or later): the same, the go is too old.
    const toolchain = 'go: errors parsing go.mod:\n/tmp/m/go.mod:5: unknown directive: toolchain\n';
    expect(cannotStart(['go', 'test', './...'], ended(1, toolchain))).toEqual({
      tool: 'go',
      reason:
        'go: this go cannot read go.mod: unknown directive: toolchain (a toolchain line needs Go 1.21 or newer) (exit 1)',
    });
    // A test that prints those words, in a module go read, started.
    expect(cannotStart(['go', 'test', './...'], ended(1, `--- FAIL: TestX\n    ${old}FAIL\n`))).toBeNull();
    expect(cannotStart(['npm', 'test'], ended(1, old))).toBeNull();
  });

  it('names the executable when it could not be spawned', () => {
    expect(cannotStart(['ruff', 'check', '.'], ended(-2, '', 'spawn ruff ENOENT'))).toEqual({
      tool: 'ruff',
      reason: 'ruff: could not start (spawn ruff ENOENT)',
    });
    expect(cannotStart(['./lint.sh'], ended(-13, '', 'spawn ./lint.sh EACCES'))?.tool).toBe('lint.sh');
  });

  it.each([
    ['dash', 'sh: 1: ts-scripts: not found', 127, 'ts-scripts: command not found (exit 127)'],
    ['bash', 'bash: line 1: ts-scripts: command not found', 127, 'ts-scripts: command not found (exit 127)'],
    ['sh, not executable', 'sh: 1: ./run: Permission denied', 126, './run: not executable (exit 126)'],
    ['an unnamed command', 'Error: spawn failed', 127, 'npm: a command it runs was not found (exit 127)'],
  ])('reads the missing command from %s on exit 126/127', (_shell, tail, code, reason) => {
    const found = cannotStart(
      ['npm', 'run', 'test'],
      ended(code, `> fixture@ test\n> ts-scripts\n\n${tail}\n`),
    );
    expect(found?.reason).toBe(reason);
  });

  it('takes a not-found line on another exit code only when it names the gate’s own executable', () => {
    expect(cannotStart(['ruff', 'check'], ended(1, 'zsh: command not found: ruff'))?.tool).toBe('ruff');
    expect(cannotStart(['ruff', 'check'], ended(2, 'sh: 1: ruff: not found'))?.tool).toBe('ruff');
    // A test that fails while talking about some other missing command has started: it failed.
    expect(cannotStart(['npm', 'test'], ended(1, 'AssertionError: sh: 1: git-lfs: not found'))).toBeNull();
    expect(
      cannotStart(['npm', 'test'], ended(1, 'expected "ruff: command not found" to be empty')),
    ).toBeNull();
    expect(cannotStart(['npm', 'test'], ended(0, 'sh: 1: npm: not found'))).toBeNull();
  });

  it("knows pnpm's own not-found: a package script's `pnpm vitest` without node_modules exits 254, not 127", () => {
    // lefun-fun/dudo's `pnpm -r test` in a tree without node_modules, as pnpm 9.15 prints it.
    const recursive = [
      'Scope: 2 of 3 workspace projects',
      'game test$ pnpm vitest run src',
      'game test: undefined',
      'game test:  ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command "vitest" not found',
      'game test: Did you mean "pnpm test"?',
      'game test: Failed',
      '/tmp/pnpm-proj/game:',
      ' ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  dudo-game@1.0.0 test: `pnpm vitest run src`',
      'Exit status 254',
      ' WARN   Local package.json exists, but node_modules missing, did you mean to install?',
    ].join('\n');
    expect(cannotStart(['pnpm', 'run', 'test'], ended(254, recursive))).toEqual({
      tool: 'vitest',
      reason: 'vitest: command not found (exit 254)',
    });
    const single =
      'undefined\n ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command "vitest" not found\n\nDid you mean "pnpm test"?';
    expect(cannotStart(['pnpm', 'run', 'test'], ended(254, single))?.tool).toBe('vitest');
    // A test that prints pnpm's words about something else has started: it failed.
    expect(
      cannotStart(['pnpm', 'run', 'test'], ended(1, 'expected \'Command "vitest" not found\' to be empty')),
    ).toBeNull();
  });

  it("knows Yarn Berry's project that was never installed: `yarn run test` in a Plug'n'Play tree without .pnp.cjs", () => {
    // Yarn 4.5.1 in a worktree of 000alen/toposort (rebuilt) that got no install, as the gate log holds it.
    const tail = [
      "Usage Error: The project in /tmp/omk-state-yarn/worktrees/g/base/package.json doesn't seem to have been installed - running an install there might help",
      '',
      '$ yarn run [--inspect] [--inspect-brk] [-T,--top-level] [-B,--binaries-only] [--require #0] <scriptName> ...',
    ].join('\n');
    expect(cannotStart(['yarn', 'run', 'test', '--reporter=default'], ended(1, tail))).toEqual({
      tool: 'yarn',
      reason:
        'yarn: the project is not installed (no .pnp.cjs or node_modules; yarn install makes it) (exit 1)',
    });
    // Another program's output quoting yarn's words has started: it failed.
    expect(cannotStart(['npm', 'test'], ended(1, tail))).toBeNull();
    // yarn itself is on PATH: the note says what installs the project instead of asking for it.
    const reason = cannotStart(['yarn', 'run', 'test'], ended(1, tail))?.reason ?? '';
    expect(unavailableNote(reason, null)).toBe(
      'yarn: the project is not installed (no .pnp.cjs or node_modules; yarn install makes it) (exit 1)',
    );
  });

  it('knows a python -m gate whose module is not installed', () => {
    const result = ended(1, '/usr/bin/python3: No module named pytest');
    expect(cannotStart(['python3', '-m', 'pytest'], result)).toEqual({
      tool: 'pytest',
      reason: 'pytest: no module named pytest (exit 1)',
    });
    expect(cannotStart(['python3', '-m', 'mypy'], result)).toBeNull();
    expect(gateTool(['/usr/bin/python3.12', '-m', 'pytest'])).toEqual({
      executable: 'python3.12',
      module: 'pytest',
    });
  });

  it('leaves ordinary failures alone', () => {
    expect(cannotStart(['npm', 'test'], ended(1, '1 failing'))).toBeNull();
    expect(cannotStart(['npm', 'test'], ended(null, ''))).toBeNull();
  });
});

describe('unavailableTool', () => {
  it('reads the tool from the note verify puts on top of the tail', () => {
    expect(unavailableTool('[omk] ruff: could not start (spawn ruff ENOENT); is it installed')).toBe('ruff');
    expect(unavailableTool('some output')).toBeNull();
  });
});

describe('unavailableAdvice', () => {
  it('names what a known reason asks for, not the tool alone: a newer go, a pytest plugin', () => {
    const go = unavailableAdvice(
      { name: 'test', kind: 'test' },
      'go',
      ['test'],
      null,
      'go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1)',
    );
    expect(go).toMatch(/^Install go >= 1\.99 where omk runs the gates/);
    expect(go).not.toContain('Install go where');
    const invalid = unavailableAdvice(
      { name: 'lint', kind: 'lint' },
      'go',
      ['lint'],
      null,
      "go: this go cannot read go.mod: invalid go version '1.21.0' (a three-part go line needs Go 1.21 or newer) (exit 1)",
    );
    expect(invalid).toMatch(/^Install go >= 1\.21\.0 where/);
    const plugin = unavailableAdvice(
      { name: 'test', kind: 'test' },
      'pytest-cov',
      ['test'],
      null,
      'pytest-cov: pytest does not know --cov=m (exit 4): the plugin that adds it (pytest-cov) is not installed where the gates run; addopts in the pytest configuration may name it',
    );
    expect(plugin).toMatch(/^Install pytest-cov into the python the gates run/);
  });

  it("gives an unavailable gate's reason without the note's question, which its advice answers", () => {
    expect(unavailableWhy('[omk] go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1)\n=== …')).toBe(
      'go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1).',
    );
    expect(
      unavailableWhy('[omk] ruff: could not start (spawn ruff ENOENT); is it installed and on PATH?'),
    ).toBe('ruff: could not start (spawn ruff ENOENT).');
    expect(
      unavailableWhy(
        '[omk] ruff: could not start (spawn ruff ENOENT); it cannot start on base b either: is it installed and on PATH?',
      ),
    ).toBe('ruff: could not start (spawn ruff ENOENT); it cannot start on base b either.');
  });

  it('asks whether the tool is installed only when the reason names nothing better to install', () => {
    expect(unavailableNote('ruff: could not start (spawn ruff ENOENT)', null)).toBe(
      'ruff: could not start (spawn ruff ENOENT); is it installed and on PATH?',
    );
    expect(unavailableNote('go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1)', 'abc')).toBe(
      'go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1); it cannot start on base abc either',
    );
  });

  it('turns off a gate of a kind the goal requires, so the goal stops requiring the kind', () => {
    expect(unavailableAdvice({ name: 'lint', kind: 'lint' }, 'ruff', ['test', 'lint'])).toBe(
      'Install ruff where omk runs the gates (on PATH), or turn the gate off (the goal then does not require lint) in .omk/config.yml: gates: { list: [ { name: "lint", enabled: false } ] }',
    );
  });

  it('makes a gate optional when only its own flag requires it', () => {
    expect(unavailableAdvice({ name: 'e2e', kind: 'custom' }, 'playwright', ['test'])).toContain(
      'make the gate optional in .omk/config.yml: gates: { list: [ { name: "e2e", required: false } ] }',
    );
  });

  it('points a test gate at another command: no goal is ready without one', () => {
    expect(unavailableAdvice({ name: 'test', kind: 'test' }, 'ts-scripts', ['test'])).toContain(
      '{ name: "test", run: ["<a test command that is installed>"] }',
    );
  });
});
