import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARDENED_CONFIG } from '../../src/adapters/git/run-git.js';
import { BUGGY_FIXTURE } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { nodeProject } from '../helpers/node-fixture.js';

/**
 * Real JavaScript projects whose install sets up git hooks: husky (`"prepare": "husky"` runs
 * `git config core.hooksPath .husky/_`) and simple-git-hooks (`"prepare": "simple-git-hooks"`
 * writes `.git/hooks/pre-commit`). Both come from npm as real devDependencies of omk's, installed
 * into the fixture by `npm ci --offline` from a lockfile cut from omk's own
 * (test/helpers/node-fixture.ts): no network. The base has a committed failing test and the agent
 * makes the correct fix. In a worktree both tools write to the repository's shared `.git`; omk's
 * own installs run with their opt-outs and put back what is still written, while an agent or a gate
 * that writes there stays blocked.
 */
const OMK_LOCK = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const version = (name: string): string => {
  const found = OMK_LOCK.packages[`node_modules/${name}`]?.version;
  if (found === undefined) throw new Error(`${name} is not a devDependency of omk's`);
  return found;
};

type Tool = 'husky' | 'simple-git-hooks';

const packageJson = (tool: Tool, scripts: Record<string, string> = {}): string =>
  `${JSON.stringify(
    {
      name: `${tool}-fixture`,
      private: true,
      type: 'module',
      scripts: { prepare: tool, test: 'node --test test/', ...scripts },
      devDependencies: { [tool]: version(tool) },
      ...(tool === 'simple-git-hooks' ? { 'simple-git-hooks': { 'pre-commit': 'npm test' } } : {}),
    },
    null,
    2,
  )}\n`;

/** The correct fix of BUGGY_FIXTURE's parser. */
const FIX = `write('src/parser.js', read('src/parser.js').replace('(text) => text;', '(text) => text.trim();'));`;
/** The fix, and a line in package.json the goal asks for: the integrated tree's install runs. */
const FIX_WITH_MANIFEST = `${FIX}
write('package.json', read('package.json').replace('"private": true', '"private": true, "description": "trims"'));`;
const GOAL_WITH_MANIFEST = 'fix the bug in src/parser.js and package.json';

/** What the user's repository keeps in its shared `.git` that a hook installer writes to. */
async function sharedGit(root: string): Promise<{ config: string; hooks: string[] }> {
  return {
    config: await readFile(join(root, '.git', 'config'), 'utf8'),
    hooks: (await readdir(join(root, '.git', 'hooks'))).sort(),
  };
}

/**
 * One fixture: its template installed once (outside git, with the tool's own package.json), and a
 * goal run per test on a fresh repository whose package.json is `pkg` (the same dependencies),
 * with what the shared `.git` held before and after the run.
 */
function fixture(tool: Tool, pkg: string = packageJson(tool)) {
  const runGoal = nodeProject(`${tool}-fixture`, tool, packageJson(tool), {
    ...BUGGY_FIXTURE,
    'package.json': pkg,
    '.gitignore': 'node_modules/\n',
  });
  return async (options: {
    agent: string;
    goal?: string;
    /** The user's install left node_modules in the checkout (else: a fresh clone). */
    installed?: boolean;
    files?: Record<string, string>;
    /** Run in the checkout before omk (the user's own set-up). */
    setUp?: (root: string) => void;
  }) => {
    const seen: { before?: Awaited<ReturnType<typeof sharedGit>> } = {};
    const { env, id, proof, stderr } = await runGoal({
      ...options,
      installed: options.installed ?? false,
      setUp: async (root) => {
        options.setUp?.(root);
        seen.before = await sharedGit(root);
      },
    });
    const { before } = seen;
    if (before === undefined) throw new Error('the checkout was not set up before the goal run');
    const prepareLog = async (label: string) =>
      readFile(join(env.goalDir(id), 'artifacts', 'prepare', `${label}.log`), 'utf8');
    return { env, proof, before, after: await sharedGit(env.repo.root), stderr, prepareLog };
  };
}

const gitFindings = (proof: { findings: { severity: string; message: string }[] }) =>
  proof.findings.filter((finding) => finding.message.includes('.git/'));

describe.each([
  { tool: 'husky' as const, skipped: 'HUSKY=0 skip install' },
  { tool: 'simple-git-hooks' as const, skipped: 'SKIP_INSTALL_SIMPLE_GIT_HOOKS is set to "1"' },
])('a Node project whose install sets up git hooks with $tool', ({ tool, skipped }) => {
  const run = fixture(tool);

  it('fresh clone: omk installs each worktree with the opt-out, the fix is ready, .git ends as it began', async () => {
    const { proof, before, after, prepareLog } = await run({ agent: FIX });
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(after).toEqual(before);
    expect(gitFindings(proof)).toEqual([]);
    // The tool ran in omk's install and stood down.
    expect(await prepareLog('base')).toContain(skipped);
    expect(await prepareLog('s1-fix-the-bug-in-src-parser-js')).toContain(skipped);
  }, 180_000);

  it("installed checkout, a fix that changes package.json: the integration's install blocks nothing", async () => {
    const { proof, before, after, prepareLog } = await run({
      agent: FIX_WITH_MANIFEST,
      goal: GOAL_WITH_MANIFEST,
      installed: true,
    });
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(gitFindings(proof)).toEqual([]);
    expect(after).toEqual(before);
    expect(await prepareLog('integration')).toContain(skipped);
  }, 180_000);
});

describe('a project whose prepare script sets core.hooksPath itself (no opt-out)', () => {
  const run = fixture('husky', packageJson('husky', { prepare: 'git config core.hooksPath .githooks' }));

  it('omk puts back what its own install wrote, says so in the proof, and blames no agent', async () => {
    const { proof, before, after } = await run({
      agent: FIX_WITH_MANIFEST,
      goal: GOAL_WITH_MANIFEST,
      installed: true,
    });
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(gitFindings(proof)).toEqual([]);
    expect(after).toEqual(before);
    expect(proof.decisions).toContainEqual({
      kind: 'workspace',
      decision: "omk's own step wrote to the shared .git",
      reason: expect.stringMatching(
        /preparation of the integration worktree wrote \.git\/config \(changed\); omk put it back/,
      ),
    });
  }, 180_000);
});

describe('what stays blocked, and what omk never runs (husky)', () => {
  const run = fixture('husky');

  it('an agent that reruns the install (husky writes core.hooksPath) is blocked; .git is put back', async () => {
    // An installed checkout: no `npm ci` in each worktree (the fresh clones above show those), and
    // the agent's husky is the one omk linked into its slice.
    const { proof, before, after } = await run({
      agent: `${FIX}
const { execFileSync } = await import('node:child_process');
execFileSync('npm', ['run', 'prepare'], { stdio: 'ignore' });`,
      installed: true,
    });
    expect(proof.status).not.toBe('ready');
    expect(gitFindings(proof)).toContainEqual(
      expect.objectContaining({ severity: 'blocking', message: expect.stringContaining('.git/config') }),
    );
    expect(after).toEqual(before);
  }, 180_000);

  it("a gate that runs the project's prepare (husky writes core.hooksPath) is blocked; .git is put back", async () => {
    const { proof, before, after } = await run({
      agent: FIX,
      files: {
        '.omk/config.yml': [
          'version: 1',
          'gates:',
          '  list:',
          '    - name: test',
          '      run: ["sh", "-c", "npm run prepare && npm test"]',
          '',
        ].join('\n'),
      },
      installed: true,
    });
    expect(proof.status).not.toBe('ready');
    expect(gitFindings(proof)).toContainEqual(
      expect.objectContaining({ severity: 'blocking', message: expect.stringContaining('.git/config') }),
    );
    // The same write by the base's gates (the checkout's own code, before any agent) is put back.
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'workspace',
        reason: expect.stringContaining('the gates on the base wrote .git/config (changed)'),
      }),
    );
    expect(after).toEqual(before);
  }, 180_000);

  it("the user's own install set core.hooksPath: omk's git runs none of those hooks", async () => {
    // Every hook git runs around checkouts and commits would leave a mark outside the repository.
    const marks = join(process.env.TMPDIR ?? '/tmp', `omk-hook-marks-${process.pid}-${Date.now()}`);
    const hook = `#!/bin/sh\necho "$0" >> "${marks}"\n`;
    const hooks = [
      'post-checkout',
      'pre-commit',
      'prepare-commit-msg',
      'commit-msg',
      'post-commit',
      'post-merge',
    ];
    expect(HARDENED_CONFIG.join(' ')).toContain('core.hooksPath=/dev/null');
    const { proof, before, after } = await run({
      agent: FIX,
      installed: true,
      files: Object.fromEntries(hooks.map((name) => [`.githooks/${name}`, hook])),
      setUp: (root) => {
        for (const name of hooks) git(root, 'update-index', '--chmod=+x', `.githooks/${name}`);
        git(root, 'commit', '-qm', 'hooks are executable');
        git(root, 'config', 'core.hooksPath', '.githooks');
      },
    });
    expect(before.config).toContain('hooksPath = .githooks');
    expect(after).toEqual(before);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(existsSync(marks)).toBe(false);
  }, 180_000);
});
