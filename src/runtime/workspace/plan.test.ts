import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { planPreparation } from './plan.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-plan-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function plan(files: Record<string, string>, workspace: Record<string, unknown> = {}) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const config = configSchema.parse({ workspace });
  return planPreparation({
    repoRoot: root,
    files: Object.keys(files),
    config,
    cacheDir: '/state/cache/g1',
    sharedCacheDir: '/state/shared-cache',
  });
}

const withDeps = JSON.stringify({ devDependencies: { semver: '7.7.2' } });

describe('planPreparation', () => {
  it('asks for nothing when package.json has no dependencies', async () => {
    const result = await plan({ 'package.json': '{"scripts":{"test":"node --test"}}' });
    expect(result).toEqual({
      steps: [],
      env: {},
      timeoutMs: 600_000,
      cacheDir: '/state/cache/g1',
      sharedCacheDir: '/state/shared-cache',
    });
  });

  it.each([
    ['package-lock.json', ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund']],
    ['pnpm-lock.yaml', ['pnpm', 'install', '--frozen-lockfile', '--prefer-offline']],
    ['yarn.lock', ['yarn', 'install', '--frozen-lockfile']],
  ])(
    'reuses node_modules while package.json and %s match, else installs with the lockfile',
    async (lock, install) => {
      const result = await plan({ 'package.json': withDeps, [lock]: '' });
      expect(result.steps).toEqual([{ kind: 'node-modules', manifests: ['package.json', lock], install }]);
    },
  );

  it('installs without writing a lockfile when there is none, and not at all with install: false', async () => {
    expect((await plan({ 'package.json': withDeps })).steps).toEqual([
      {
        kind: 'node-modules',
        manifests: ['package.json'],
        install: ['npm', 'install', '--no-package-lock', '--prefer-offline', '--no-audit', '--no-fund'],
      },
    ]);
    const off = await plan({ 'package.json': withDeps, 'package-lock.json': '' }, { install: false });
    expect(off.steps).toEqual([
      { kind: 'node-modules', manifests: ['package.json', 'package-lock.json'], install: null },
    ]);
  });

  it("names an npm workspaces monorepo's packages: npm nests a package's own versions in its node_modules", async () => {
    const root = JSON.stringify({ workspaces: ['packages/*'], devDependencies: { mocha: '^10.0.0' } });
    const result = await plan({
      'package.json': root,
      'package-lock.json': '',
      'packages/a/package.json': '{"devDependencies":{"mocha":"^9.0.0"}}',
      'packages/b/package.json': '{}',
      'test/fixtures/app/package.json': '{}',
    });
    expect(result.steps).toEqual([
      {
        kind: 'node-modules',
        manifests: ['package.json', 'package-lock.json'],
        install: ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund'],
        packages: ['packages/a', 'packages/b', 'test/fixtures/app'],
      },
    ]);
  });

  it("gives a pnpm workspace node_modules though its root package.json has no dependencies: its packages' do", async () => {
    // lefun-fun/dudo's layout: pnpm-workspace.yaml names the packages, the root only runs `pnpm -r test`.
    const result = await plan({
      'package.json': '{"name":"dudo","private":true,"scripts":{"test":"pnpm -r test"}}',
      'pnpm-workspace.yaml': 'packages:\n  - game\n  - ui\n',
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'game/package.json': '{"name":"dudo-game","devDependencies":{"vitest":"^1.2.1"}}',
      'ui/package.json': '{"name":"dudo-ui","dependencies":{"dudo-game":"workspace:*"}}',
    });
    expect(result.steps).toEqual([
      {
        kind: 'node-modules',
        manifests: ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'],
        install: ['pnpm', 'install', '--frozen-lockfile', '--prefer-offline'],
        packages: ['game', 'ui'],
      },
    ]);
  });

  it('installs a pnpm workspace without a lockfile with pnpm, writing none: npm knows no workspace: links', async () => {
    const result = await plan({
      'package.json': '{"name":"dudo","private":true}',
      'pnpm-workspace.yaml': 'packages:\n  - game\n  - ui\n',
      'game/package.json': '{"name":"dudo-game","devDependencies":{"vitest":"^1.2.1"}}',
      'ui/package.json': '{"name":"dudo-ui","dependencies":{"dudo-game":"workspace:*"}}',
    });
    expect(result.steps).toEqual([
      {
        kind: 'node-modules',
        manifests: ['package.json', 'pnpm-workspace.yaml'],
        install: ['pnpm', 'install', '--lockfile=false', '--prefer-offline'],
        packages: ['game', 'ui'],
      },
    ]);
  });

  it("looks for the checkout's virtualenv for Python and shares one cargo target per goal for Rust", async () => {
    const result = await plan({ 'requirements-dev.txt': 'pytest\n', 'Cargo.toml': '[package]\n' });
    expect(result.steps).toEqual([{ kind: 'python-venv', dirs: ['.venv', 'venv'] }]);
    expect(result.env).toEqual({ CARGO_TARGET_DIR: join('/state/cache/g1', 'cargo-target') });
    // A scripts repo whose pytest.ini (or tox.ini) is its only python file gets its pytest gate too.
    for (const config of ['pytest.ini', 'tox.ini']) {
      const scripts = await plan({ [config]: '[pytest]\n', 'tests/test_x.py': '' });
      expect(scripts.steps).toEqual([{ kind: 'python-venv', dirs: ['.venv', 'venv'] }]);
    }
  });

  it("gives Go's gates the goal's build cache, not the user's, with workspace.setup too", async () => {
    const gocache = { GOCACHE: join('/state/cache/g1', 'go-build') };
    expect(await plan({ 'go.mod': 'module x\n' })).toMatchObject({ steps: [], env: gocache });
    const setup = await plan({ 'go.mod': 'module x\n' }, { setup: [['make', 'deps']] });
    expect(setup).toMatchObject({ steps: [{ kind: 'command', argv: ['make', 'deps'] }], env: gocache });
    // A module in a subdirectory (a configured gate reaches it) or a go.work: the same.
    expect((await plan({ Makefile: 'test:\n', 'svc/go.mod': 'module svc\n' })).env).toEqual(gocache);
    expect((await plan({ 'go.work': 'go 1.19\n' })).env).toEqual(gocache);
    expect((await plan({ 'notes/go.mod.txt': '' })).env).toEqual({});
  });

  it('runs workspace.setup instead of anything detected', async () => {
    const result = await plan(
      { 'package.json': withDeps, 'Cargo.toml': '' },
      { setup: [['make', 'deps']], timeout: '2m' },
    );
    expect(result).toEqual({
      steps: [{ kind: 'command', argv: ['make', 'deps'] }],
      env: {},
      timeoutMs: 120_000,
      cacheDir: '/state/cache/g1',
      sharedCacheDir: '/state/shared-cache',
    });
  });
});
