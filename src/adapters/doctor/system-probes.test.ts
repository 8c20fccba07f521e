import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../../../test/helpers/git-repo.js';
import { parseConfig } from '../../runtime/config/load.js';
import { defaultConfig } from '../../runtime/config/schema.js';
import { ConfigError } from '../../runtime/errors.js';
import { createSystemProbes, probeWritableDir } from './system-probes.js';

describe('probeWritableDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-doctor-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes and removes a file in an existing directory', async () => {
    expect(await probeWritableDir(dir)).toEqual({ ok: true, value: { exists: true, tested: dir } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('tests the nearest existing ancestor of a missing directory and creates nothing', async () => {
    const missing = join(dir, 'state', 'omk');
    expect(await probeWritableDir(missing)).toEqual({ ok: true, value: { exists: false, tested: dir } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails when a file stands where the directory should be', async () => {
    await writeFile(join(dir, 'state'), '');
    const probed = await probeWritableDir(join(dir, 'state'));
    expect(probed).toEqual({ ok: false, error: `${join(dir, 'state')} exists and is not a directory` });
  });
});

describe('createSystemProbes', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await createTempRepo({ 'package.json': '{ "scripts": { "test": "node --test" } }\n' });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('asks git and the detectors about a real repository', async () => {
    const probes = createSystemProbes({ env: { PATH: process.env.PATH }, cwd: repo.root });
    const version = await probes.gitVersion();
    expect(version.ok && version.value).toMatch(/^git version \d+\.\d+/);
    const inspected = await probes.inspectRepo(repo.root);
    expect(inspected.ok && inspected.value.headSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await probes.listWorktrees(repo.root)).toEqual({ ok: true, value: 1 });
    const gates = await probes.detectGates(repo.root, defaultConfig());
    expect(gates.map((gate) => `${gate.name}:${gate.argv.join(' ')}`)).toEqual(['test:npm run test']);
    expect(await probes.findOnPath('git')).toMatch(/\/git$/);
  });

  it("reads HEAD's package.json scripts, not an uncommitted edit", async () => {
    const probes = createSystemProbes({ env: {}, cwd: repo.root });
    await writeFile(join(repo.root, 'package.json'), '{ "scripts": { "test": "mocha" } }\n');
    expect(await probes.packageScripts(repo.root)).toEqual({ test: 'node --test' });
  });

  it("says the run installs its own node_modules when the checkout's package.json differs from HEAD", async () => {
    const probes = createSystemProbes({ env: {}, cwd: repo.root });
    const config = defaultConfig();
    await repo.commit({ 'package.json': '{ "devDependencies": { "mocha": "^10.0.0" } }\n' }, 'add mocha');
    expect(await probes.ownInstall(repo.root, config)).toBeNull();
    await writeFile(join(repo.root, 'package.json'), '{ "devDependencies": { "mocha": "^11.0.0" } }\n');
    expect(await probes.ownInstall(repo.root, config)).toBe(
      'package.json differs from the base commit, so the run installs the dependencies',
    );
  });

  it('reports a directory outside any repository as an error, not a throw', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'omk-not-a-repo-'));
    try {
      const probed = await createSystemProbes({ env: {}, cwd: outside }).inspectRepo(outside);
      expect(probed.ok).toBe(false);
      expect(!probed.ok && probed.error).toContain('is not inside a git repository');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('validates an agent the way a run builds it', () => {
    const probes = createSystemProbes({ env: {}, cwd: repo.root });
    // Parsed, not defaultConfig() mutated: zod hands out the same default object to every parse.
    const config = parseConfig('agents:\n  settings:\n    claude:\n      env: [GITHUB_TOKEN]\n', 'test');
    expect(() => probes.validateAgent('claude', repo.root, config)).toThrow(ConfigError);
    expect(() => probes.validateAgent('claude', repo.root, defaultConfig())).not.toThrow();
  });

  it("runs an agent CLI's --version with the agent environment, and reports one that cannot start", async () => {
    const probes = createSystemProbes({ env: { PATH: process.env.PATH }, cwd: repo.root });
    const version = await probes.agentCliOutput([process.execPath, '--version'], repo.root);
    expect(version).toEqual({ ok: true, value: expect.stringContaining(process.version) });
    const missing = await probes.agentCliOutput(['omk-no-such-agent-cli', '--version'], repo.root);
    expect(missing).toMatchObject({ ok: false, error: expect.stringContaining('ENOENT') });
  });
});
