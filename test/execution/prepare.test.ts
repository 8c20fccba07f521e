import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { touchWrites as touchOnly } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { copyNodeModules, type NodeTemplate, nodeTemplate } from '../helpers/node-fixture.js';
import { runOmk } from '../helpers/omk.js';
import { YARN_BERRY_VERSION, type YarnBerry, yarnBerry, yarnLockFor } from '../helpers/yarn-berry.js';

/**
 * A Node project whose `npm test` needs node_modules/.bin/semver: a real devDependency, installed
 * once for this file by `npm ci --offline` from a lockfile cut from omk's own (test/helpers/
 * node-fixture.ts: real packages, no network). Worktrees live outside the repository, so without
 * preparation the gate ends with "semver: not found" (exit 127) on every tree.
 */
const SEMVER = (createRequire(import.meta.url)('semver/package.json') as { version: string }).version;
const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'fixture',
    private: true,
    type: 'module',
    scripts: { test: 'semver 1.2.3 && node --test test/' },
    devDependencies: { semver: SEMVER },
  },
  null,
  2,
)}\n`;

/** The agents touch their write set and fix the fixture's bug (its committed failing test). */
const touchWrites = `${touchOnly}\n${fixTheParser}`;

let template: NodeTemplate;
/**
 * npm's cache, which omk's own `npm ci` filled and the template's install read: an `npm ci` in a
 * worktree (whose HOME is the state directory) finds the packages there, with no network.
 */
const npmCache = process.env.npm_config_cache ?? join(homedir(), '.npm');
let lockfile: string;
let env: ExecutionEnv;

beforeAll(async () => {
  template = await nodeTemplate('fixture', 'semver', PACKAGE_JSON);
  lockfile = template.lockfile;
}, 120_000);

afterAll(async () => {
  await template.remove();
});

afterEach(async () => {
  await env.cleanup();
});

/** The repository as a user has it: the project committed, and (unless not) node_modules installed. */
async function nodeProject(
  options: { installed?: boolean; gitignore?: boolean; extra?: Record<string, string> } = {},
) {
  env = await createExecutionEnv({
    ...BUGGY_FIXTURE,
    'package.json': PACKAGE_JSON,
    'package-lock.json': lockfile,
    ...(options.gitignore === false ? {} : { '.gitignore': 'node_modules/\n' }),
    ...options.extra,
  });
  if (options.installed !== false) {
    copyNodeModules(template.dir, env.repo.root);
  }
}

async function runGoal(agentBody: string, text: string = GOALS.single) {
  const agent = await env.kit.script('agent', agentBody);
  return runOmk(['goal', 'run', text, '--agent', agent, '--no-llm-planner', '--json'], {
    cwd: env.repo.root,
    stateDir: env.stateDir,
    env: { npm_config_cache: npmCache },
  });
}

function goalId(stdout: string): string {
  return (JSON.parse(stdout) as { goal: { id: string } }).goal.id;
}

describe('a Node project whose test script needs node_modules/.bin', () => {
  it("passes its gates in the slice and the integration: the checkout's node_modules is reused", async () => {
    await nodeProject();
    const result = await runGoal(touchWrites);
    expect(result.code, result.stderr).toBe(0);
    const id = goalId(result.stdout);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:passed']]);
    const prepared = eventsOfType(events, 'workspace_prepared');
    // The gates run on the base before any agent (the baseline), in a prepared base worktree.
    expect(prepared.map((e) => e.data.workspace)).toEqual(['base', SLICES.bug, 'integration']);
    // The base's gates (the checkout's own code) read the checkout's files through hard links;
    // omk's shared copy is made from the checkout meanwhile, and the others link to it.
    expect(prepared.map((e) => e.data.done)).toEqual([
      [
        expect.stringMatching(
          /^node_modules from the checkout: hard links to the checkout's files, for the base's gates only \(/,
        ),
      ],
      [expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(/)],
      [expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(/)],
    ]);
    const proof = await env.proof(id);
    expect(proof.gates.map((gate) => `${gate.name}:${gate.outcome}`)).toEqual(['test:passed']);
    expect(proof.status).toBe('ready');
  });

  it('installs with npm ci in the worktree when the checkout has no node_modules', async () => {
    await nodeProject({ installed: false });
    const result = await runGoal(touchWrites);
    expect(result.code, result.stderr).toBe(0);
    const id = goalId(result.stdout);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:passed']]);
    const [first] = eventsOfType(events, 'workspace_prepared');
    expect(first?.data.done).toEqual([
      expect.stringMatching(
        /^install: npm ci --prefer-offline --no-audit --no-fund \(\d+ ms\) \(the checkout has no node_modules\)$/,
      ),
    ]);
    // The user's checkout is left as it was.
    await expect(stat(join(env.repo.root, 'node_modules'))).rejects.toThrow();
  });

  it("keeps an agent that writes into its node_modules away from the user's copy and out of the commit", async () => {
    // No .gitignore: the prepared node_modules must still not be committed as the agent's change.
    await nodeProject({ gitignore: false });
    const userFile = join(env.repo.root, 'node_modules', 'semver', 'index.js');
    const before = await readFile(userFile, 'utf8');
    const hostile = `
append('node_modules/semver/index.js', '\\nthrow new Error("tampered by the agent");\\n');
write('node_modules/.bin/semver', '#!/bin/sh\\nexit 0\\n');
${touchWrites}`;
    const result = await runGoal(hostile);
    expect(result.code, result.stderr).toBe(0);
    const id = goalId(result.stdout);

    expect(await readFile(userFile, 'utf8')).toBe(before);
    const userBin = await readFile(join(env.repo.root, 'node_modules', 'semver', 'bin', 'semver.js'), 'utf8');
    expect(userBin).not.toContain('exit 0');
    const proof = await env.proof(id);
    // The agent touches its write set: the lone fix's parser and its test directory (it shows its
    // own fail-to-pass).
    expect(proof.changedFiles.map((file) => file.path)).toEqual(['src/parser.js', `test/${SLICES.bug}.txt`]);
    // omk's shared copy was written to, so the integration got a fresh one, and its gate ran
    // the real tool.
    const [, , integration] = eventsOfType(await env.events(id), 'workspace_prepared');
    expect(integration?.data).toMatchObject({
      workspace: 'integration',
      done: [expect.stringMatching(/^node_modules from the checkout: copied \(/)],
    });
    expect(proof.gates.map((gate) => `${gate.name}:${gate.outcome}`)).toEqual(['test:passed']);
  });
});

describe("the base worktree's node_modules and an agent's code", () => {
  it("never lets the agent's tests run against the checkout's own node_modules, not even on the base", async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      'package.json': PACKAGE_JSON,
      'package-lock.json': lockfile,
      '.gitignore': 'node_modules/\n',
    });
    copyNodeModules(template.dir, env.repo.root);
    const probes = await mkdtemp(join(tmpdir(), 'omk-probe-'));
    const log = join(probes, 'seen.jsonl');
    const userFile = join(env.repo.root, 'node_modules', 'semver', 'README.md');
    const before = await readFile(userFile, 'utf8');
    // The regression test the agent adds says which node_modules file it was given, then writes
    // into it; fail-to-pass runs it in the base worktree, against the base's source.
    const probe = [
      "import assert from 'node:assert/strict';",
      "import { appendFileSync, realpathSync, statSync } from 'node:fs';",
      "import { test } from 'node:test';",
      "import { parse } from '../src/parser.js';",
      "const file = 'node_modules/semver/README.md';",
      `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ cwd: process.cwd(), ino: statSync(file).ino, real: realpathSync(file) }) + '\\n');`,
      "appendFileSync(file, '\\ntampered by the head test\\n');",
      "test('parse trims spaces', () => assert.equal(parse(' a '), 'a'));",
      '',
    ].join('\n');
    const agent = await env.kit.script(
      'fix-and-probe',
      [
        "if (writes.some((w) => w === 'src/parser.js' || w === 'src' || w === '.')) {",
        "  write('src/parser.js', 'export const parse = (text) => text.trim();\\n');",
        '}',
        "if (writes.some((w) => w.startsWith('test') || w === '.')) {",
        `  write('test/regression.test.js', ${JSON.stringify(probe)});`,
        '}',
      ].join('\n'),
    );
    try {
      // The lone fix slice adds the test (it may write test/): one agent and one gate run fewer
      // than the chain, the same runs of the head's test (base, slice, integration).
      const result = await env.omk(
        'goal',
        'run',
        GOALS.single,
        '--agent',
        agent,
        '--no-llm-planner',
        '--json',
      );
      expect(result.code, result.stderr).toBe(0);
      const id = goalId(result.stdout);
      const decision = (await env.proof(id)).decisions.findLast((d) => d.kind === 'oracle');
      expect(decision?.reason).toContain("the head's tests fail against the base's source");

      const seen = (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { cwd: string; ino: number; real: string });
      // It ran in the base worktree (fail-to-pass) as well as in the slice and the integration.
      expect(seen.some((run) => run.cwd.endsWith(join(id, 'base')))).toBe(true);
      const user = await stat(userFile);
      for (const run of seen) {
        expect(run.ino, run.cwd).not.toBe(user.ino);
        expect(run.real.startsWith(run.cwd), run.cwd).toBe(true);
      }
      expect(await readFile(userFile, 'utf8')).toBe(before);
      expect(user.nlink).toBe(1);
      // The base's gates were given the checkout's files; before the agent's test ran there, the
      // base was relinked to omk's copy.
      const base = eventsOfType(await env.events(id), 'workspace_prepared').filter(
        (e) => e.data.workspace === 'base',
      );
      expect(base.map((e) => e.data.done)).toEqual([
        [expect.stringMatching(/^node_modules from the checkout: hard links to the checkout's files/)],
        [
          expect.stringMatching(
            /^node_modules from the checkout: (linked from omk's shared cache|copied) \(/,
          ),
        ],
      ]);
    } finally {
      await rm(probes, { recursive: true, force: true });
    }
  });
});

describe('workspace.setup in .omk/config.yml', () => {
  const config = (argv: string[]) =>
    ['version: 1', 'workspace:', '  setup:', `    - ${JSON.stringify(argv)}`, ''].join('\n');

  it('runs instead of detection in every new worktree, before the agent and the gates', async () => {
    const setup = [
      'node',
      '-e',
      "require('fs').mkdirSync('build'); require('fs').writeFileSync('build/ok', '')",
    ];
    await nodeProject({
      installed: false,
      extra: {
        '.gitignore': 'node_modules/\nbuild/\n',
        '.omk/config.yml': config(setup),
        // The gate passes only where the setup ran.
        'package.json': PACKAGE_JSON.replace(
          'semver 1.2.3 && node --test test/',
          "node -e \\\"require('fs').accessSync('build/ok')\\\" && node --test test/",
        ),
      },
    });
    const result = await runGoal(`if (!exists('build/ok')) process.exit(9);\n${touchWrites}`);
    expect(result.code, result.stderr).toBe(0);
    const id = goalId(result.stdout);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:passed']]);
    const prepared = eventsOfType(events, 'workspace_prepared');
    expect(prepared.map((e) => e.data.workspace)).toEqual(['base', SLICES.bug, 'integration']);
    expect(prepared[0]?.data.done).toEqual([expect.stringMatching(/^setup: node -e /)]);
    expect((await env.proof(id)).status).toBe('ready');
  });

  it('stops the run with the command, its exit code and its output when setup fails; no attempt is spent', async () => {
    const setup = ['node', '-e', "console.error('boom from setup'); process.exit(4)"];
    await nodeProject({ extra: { '.omk/config.yml': config(setup) } });
    const result = await runGoal(touchWrites);

    expect(result.code).toBe(6);
    // The first worktree made is the base, for the gates' baseline before any agent runs.
    expect(result.stderr).toContain('Preparing the base worktree failed: node -e');
    expect(result.stderr).toContain('(exit 4)');
    expect(result.stderr).toContain('boom from setup');
    expect(await env.kit.calls()).toEqual([]);
    const [id = ''] = await readdir(join(env.stateDir, 'goals'));
    const graph = await env.graph(id);
    expect(graph.tasks).toEqual([
      expect.objectContaining({ id: SLICES.bug, status: 'pending', attempts: 0 }),
    ]);
    const [interrupted] = eventsOfType(await env.events(id), 'execution_interrupted');
    expect(String(interrupted?.data.error)).toContain('boom from setup');
  });
});

describe("a Yarn Plug'n'Play project whose .gitignore lists none of the install's files", () => {
  /** A Yarn 4 monorepo: the root depends on its `packages/format` workspace (no registry package). */
  const PNP_PROJECT: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name: 'fixture',
        private: true,
        type: 'module',
        packageManager: `yarn@${YARN_BERRY_VERSION}`,
        workspaces: ['packages/*'],
        scripts: { test: 'node --test test/' },
        dependencies: { '@fixture/format': 'workspace:^' },
      },
      null,
      2,
    )}\n`,
    'packages/format/package.json': `${JSON.stringify(
      { name: '@fixture/format', version: '1.0.0', type: 'module', exports: './index.js' },
      null,
      2,
    )}\n`,
    'packages/format/index.js': "export const format = (text) => '[' + text + ']';\n",
  };
  let yarn: YarnBerry;
  let lock: string;

  beforeAll(async () => {
    yarn = await yarnBerry();
    lock = await yarnLockFor(yarn, PNP_PROJECT);
  }, 120_000);

  afterAll(async () => {
    await yarn.remove();
  });

  it("reaches ready with the agent's fix alone in the slice: .pnp.cjs and .yarn/install-state.gz stay out", async () => {
    env = await createExecutionEnv({
      ...BUGGY_FIXTURE,
      ...PNP_PROJECT,
      'yarn.lock': lock,
      '.gitignore': 'node_modules/\n',
    });
    const agent = await env.kit.script('agent', touchWrites);
    const result = await runOmk(
      ['goal', 'run', GOALS.single, '--agent', agent, '--no-llm-planner', '--json'],
      {
        cwd: env.repo.root,
        stateDir: env.stateDir,
        env: { PATH: yarn.path, YARN_ENABLE_TELEMETRY: '0' },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const id = goalId(result.stdout);

    const prepared = eventsOfType(await env.events(id), 'workspace_prepared');
    expect(prepared.find((e) => e.data.workspace === SLICES.bug)?.data.done).toEqual([
      expect.stringMatching(/^install: yarn install --immutable \(/),
    ]);
    const proof = await env.proof(id);
    // The agent touches its write set: the lone fix's parser and its test directory (it shows its
    // own fail-to-pass).
    expect(proof.changedFiles.map((file) => file.path)).toEqual(['src/parser.js', `test/${SLICES.bug}.txt`]);
    const branch = git(env.repo.root, 'ls-tree', '-r', '--name-only', `omk/${id}/${SLICES.bug}`);
    expect(branch.split('\n').filter((path) => path.startsWith('.pnp') || path.startsWith('.yarn/'))).toEqual(
      [],
    );
    const record = JSON.parse(
      await readFile(
        join(env.stateDir, 'goals', id, 'artifacts', 'prepare', `${SLICES.bug}.files.json`),
        'utf8',
      ),
    ) as { files: Record<string, string> };
    expect(Object.keys(record.files)).toEqual(['.pnp.cjs', '.pnp.loader.mjs', '.yarn/install-state.gz']);
    expect(proof.gates.map((gate) => `${gate.name}:${gate.outcome}`)).toEqual(['test:passed']);
    expect(proof.status).toBe('ready');
  });
});
