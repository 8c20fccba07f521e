import { describe, expect, it } from 'vitest';
import {
  compareGoVersions,
  goModUnmet,
  goVersionOf,
  neededInstall,
  pytestAddopts,
  readGoMod,
} from './toolchain-requirements.js';

const files = (tree: Record<string, string>) => async (path: string) => tree[path] ?? null;

describe('go.mod against the go installed', () => {
  it('reads the go and toolchain lines, comments dropped', () => {
    expect(readGoMod('module m // x\n\ngo 1.22.1 // needs range-over-int\n\ntoolchain go1.23.0\n')).toEqual({
      go: '1.22.1',
      toolchain: 'go1.23.0',
    });
    expect(readGoMod('module m\n')).toEqual({ go: null, toolchain: null });
  });

  it("reads `go version`'s answer and orders versions by their numbers", () => {
    expect(goVersionOf('go version go1.19.8 linux/amd64\n')).toBe('1.19.8');
    expect(goVersionOf('go version go1.22rc1 darwin/arm64\n')).toBe('1.22rc1');
    expect(goVersionOf('go version devel go1.23-abc linux/amd64\n')).toBeNull();
    expect(compareGoVersions('1.21.0', '1.21')).toBe(0);
    expect(compareGoVersions('1.21rc2', '1.21.0')).toBeLessThan(0);
    expect(compareGoVersions('1.9', '1.19.8')).toBeLessThan(0);
    expect(compareGoVersions('1.22.1', '1.22.0')).toBeGreaterThan(0);
  });

  it("applies the go command's rule: advice before 1.21, a requirement from 1.21", () => {
    expect(goModUnmet({ go: '1.99', toolchain: null }, '1.19.8')).toBeNull();
    expect(goModUnmet({ go: '1.21.0', toolchain: null }, '1.20.14')).toContain("invalid go version '1.21.0'");
    expect(goModUnmet({ go: '1.19', toolchain: 'go1.21.0' }, '1.19.8')).toContain(
      'unknown directive: toolchain',
    );
    expect(goModUnmet({ go: '1.22.1', toolchain: null }, '1.22.0')).toBe(
      'go: go.mod requires go >= 1.22.1, this go is 1.22.0',
    );
    expect(goModUnmet({ go: '1.21', toolchain: 'go1.99.0' }, '1.21.4')).toBeNull();
  });
});

describe('pytest addopts', () => {
  it('reads the configuration pytest picks: pytest.ini first, even without addopts', async () => {
    const tree = {
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'pyproject.toml': '[tool.pytest.ini_options]\naddopts = "--cov"\n',
    };
    expect(await pytestAddopts(files(tree))).toEqual({ where: 'pytest.ini [pytest]', options: [] });
  });

  it('reads a TOML array over lines, tox.ini and setup.cfg with continuation lines', async () => {
    const toml =
      '[tool.pytest.ini_options]\naddopts = [\n  "--cov=m",\n  "-n", "auto",\n]\ntestpaths = ["t"]\n';
    expect(await pytestAddopts(files({ 'pyproject.toml': toml }))).toEqual({
      where: 'pyproject.toml [tool.pytest.ini_options]',
      options: ['--cov=m', '-n', 'auto'],
    });
    const tox = '[tox]\nenvlist = py\n\n[pytest]\naddopts = -ra\n    --timeout=30\nmarkers = slow\n';
    expect(await pytestAddopts(files({ 'tox.ini': tox }))).toEqual({
      where: 'tox.ini [pytest]',
      options: ['-ra', '--timeout=30'],
    });
    const cfg = '[metadata]\nname = m\n[tool:pytest]\naddopts = --reruns 2\n';
    expect(await pytestAddopts(files({ 'setup.cfg': cfg }))).toEqual({
      where: 'setup.cfg [tool:pytest]',
      options: ['--reruns', '2'],
    });
    expect(await pytestAddopts(files({ 'setup.cfg': '[metadata]\nname = m\n' }))).toBeNull();
  });
});

describe('neededInstall', () => {
  it('names the go or the plugin a reason asks for, and nothing for a tool simply missing', () => {
    expect(neededInstall('go: go.mod requires go >= 1.22, this go is 1.21.0 (exit 1)')).toMatch(
      /^Install go >= 1\.22 /,
    );
    expect(neededInstall('go: this go cannot read go.mod: unknown directive: toolchain (…)')).toMatch(
      /^Install go >= 1\.21 /,
    );
    expect(neededInstall('ruff: could not start (spawn ruff ENOENT)')).toBeNull();
    // `python3 -m pytest` where that python lacks pytest: PATH is not where it is missing.
    for (const reason of [
      'pytest: no module named pytest (exit 1)',
      'pytest: no module named pytest in the python the gates run',
    ]) {
      expect(neededInstall(reason)).toMatch(/^Install pytest into the python the gates run /);
    }
    expect(
      neededInstall(
        '--frobnicate: pytest does not know --frobnicate (exit 4): the plugin that adds it is not installed',
      ),
    ).toBeNull();
  });
});
