import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHELL_GIT_RETRY } from '../helpers/agents.js';
import { GOALS, useExecutionEnv } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

// Agents that plant git config naming a program, so that omk's own git (`add`, `status`, `diff`,
// `commit`, `merge`, `push`) would run it: in the shared `.git/config`, in the worktree's
// `config.worktree`, in a file an include pulls in, in a repository of its own that the worktree's
// `.git` file is pointed at, in a branch checkout's own `.git` (`--slice-execution branch`), or from
// the gates (a test that writes the config while they run).
// Each program leaves a marker outside the worktree when it runs. The sandbox is off: only omk's
// hardened git and the integrity checks stand between the agent and the program running.

const env = useExecutionEnv();

/** A program that leaves `marker` and passes its input through (a filter, a textconv, a pager). */
async function evilProgram(name: string): Promise<{ path: string; marker: string }> {
  const path = join(env.kit.dir, `evil-${name}.sh`);
  const marker = join(env.kit.dir, `ran-${name}`);
  await writeFile(path, `#!/bin/sh\ntouch '${marker}'\nif [ -f "$1" ]; then cat "$1"; else cat; fi\n`);
  await chmod(path, 0o755);
  return { path, marker };
}

/** A shell agent that makes an edit the gates accept, then runs `body` with $P the program. */
async function plantingAgent(name: string, program: string, body: string): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'set -e',
      SHELL_GIT_RETRY,
      "printf '\\n// a harmless edit\\n' >> src/parser.js",
      'common=$(git rev-parse --git-common-dir)',
      `P='${program}'`,
      `KIT='${env.kit.dir}'`,
      body,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function runGoal(agent: string, marker?: string, ...flags: string[]): Promise<string> {
  const result = await env.omk(
    'goal',
    'run',
    GOALS.single,
    '--agent',
    agent,
    '--sandbox',
    'off',
    '--json',
    ...flags,
  );
  if (marker !== undefined) expect(existsSync(marker), 'the planted program ran').toBe(false);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/**
 * Where each slice ran: a worktree, whose git directory (`.git/worktrees/<name>`) is in the shared
 * `.git`, or omk's fallback, a branch checkout (a clone, made when `git worktree add` or its
 * checkout fails, or always with `--slice-execution branch`), whose git directory is its own.
 */
async function workspaces(id: string): Promise<{ mode: string | null; fallbackReason: string | null }[]> {
  const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
    slices: { workspaceMode: string | null; fallbackReason: string | null }[];
  };
  return execution.slices.map((slice) => ({
    mode: slice.workspaceMode,
    fallbackReason: slice.fallbackReason,
  }));
}

const worktreeConfig = 'git config extensions.worktreeConfig true\ngit config --worktree';

interface Plant {
  name: string;
  /** Shell lines run in the slice's worktree; $P is the program, $KIT a directory outside. */
  body: string;
  /** A blocking finding that names what the agent changed. */
  finding: RegExp;
}

const PLANTS: Plant[] = [
  {
    name: 'a clean and smudge filter in .git/config, named by a committed .gitattributes',
    body: [
      'git config filter.evil.clean "$P"',
      'git config filter.evil.smudge "$P"',
      'git config filter.evil.required true',
      "echo '* filter=evil' > .gitattributes",
    ].join('\n'),
    finding: /changed \.git\/config/,
  },
  {
    name: 'a clean filter in the worktree config.worktree (per-worktree config turned on)',
    body: `${worktreeConfig} filter.evil.clean "$P"\necho '* filter=evil' > .gitattributes`,
    finding: /\.git\/worktrees\/[^/]+\/config\.worktree/,
  },
  {
    name: 'a process filter in config.worktree',
    body: `${worktreeConfig} filter.evil.process "$P"\necho '*.js filter=evil' > .gitattributes`,
    finding: /config\.worktree/,
  },
  {
    name: 'a textconv and an external diff command in config.worktree',
    body: [
      `${worktreeConfig} diff.evil.textconv "$P"`,
      'git config --worktree diff.evil.command "$P"',
      'git config --worktree diff.external "$P"',
      "echo '* diff=evil' > .gitattributes",
    ].join('\n'),
    finding: /config\.worktree/,
  },
  {
    name: 'a textconv and diff.external in .git/config',
    body: [
      'git config diff.evil.textconv "$P"',
      'git config diff.external "$P"',
      "echo '* diff=evil' > .gitattributes",
    ].join('\n'),
    finding: /changed \.git\/config/,
  },
  {
    name: 'a merge driver in .git/config',
    body: 'git config merge.evil.driver "$P %A"\necho \'* merge=evil\' > .gitattributes',
    finding: /changed \.git\/config/,
  },
  {
    name: 'a pager, an editor and a sequence editor in config.worktree',
    body: `${worktreeConfig} core.pager "$P"\ngit config --worktree core.editor "$P"\ngit config --worktree sequence.editor "$P"`,
    finding: /config\.worktree/,
  },
  {
    name: 'signing with a gpg program in config.worktree',
    body: `${worktreeConfig} commit.gpgSign true\ngit config --worktree tag.gpgSign true\ngit config --worktree gpg.program "$P"`,
    finding: /config\.worktree/,
  },
  {
    name: 'an askpass and a git proxy command in .git/config',
    body: 'git config core.askPass "$P"\ngit config core.gitProxy "$P"',
    finding: /changed \.git\/config/,
  },
  {
    name: 'the ext:: transport allowed and set as the remote',
    body: 'git config protocol.ext.allow always\ngit config remote.origin.url "ext::$P %S"',
    finding: /changed \.git\/config/,
  },
  {
    name: 'uploadpack.packObjectsHook and core.alternateRefsCommand in .git/config',
    body: 'git config uploadpack.packObjectsHook "$P"\ngit config core.alternateRefsCommand "$P"',
    finding: /changed \.git\/config/,
  },
  {
    name: 'include.path in .git/config pulling in a filter from a file it wrote',
    body: [
      'printf \'[filter "evil"]\\n\\tclean = %s\\n\' "$P" > "$KIT/evil.gitconfig"',
      'git config include.path "$KIT/evil.gitconfig"',
      "echo '* filter=evil' > .gitattributes",
    ].join('\n'),
    finding: /changed \.git\/config/,
  },
  {
    name: 'includeIf in config.worktree pulling in a filter from a file it wrote',
    body: [
      'printf \'[filter "evil"]\\n\\tclean = %s\\n\' "$P" > "$KIT/evil.gitconfig"',
      `${worktreeConfig} includeIf.gitdir:/.path "$KIT/evil.gitconfig"`,
      "echo '* filter=evil' > .gitattributes",
    ].join('\n'),
    finding: /config\.worktree/,
  },
  {
    name: "the worktree's .git file pointed at a repository of its own, with a filter",
    body: [
      'branch=$(git symbolic-ref HEAD)',
      'head=$(git rev-parse HEAD)',
      'own="$KIT/own.git"',
      'git clone --quiet --bare --shared "$common" "$own"',
      'git -C "$own" config core.bare false',
      'git -C "$own" update-ref "$branch" "$head"',
      'git -C "$own" symbolic-ref HEAD "$branch"',
      'git -C "$own" config filter.evil.clean "$P"',
      'git --git-dir="$own" --work-tree=. read-tree HEAD',
      "echo '* filter=evil' > .gitattributes",
      'printf \'gitdir: %s\\n\' "$own" > .git',
    ].join('\n'),
    finding: /the \.git file of worktree/,
  },
];

describe('an agent that plants git config naming a program', () => {
  it.each(PLANTS)('$name: the program never runs, the slice is blocked, nothing merged', async (plant) => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const program = await evilProgram('plant');
    const id = await runGoal(await plantingAgent('plant', program.path, plant.body), program.marker);
    expect(existsSync(program.marker), `${plant.name}: the planted program ran`).toBe(false);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
    // What this case shows needs a worktree: a fallback says so, with git's reason.
    expect(await workspaces(id)).toEqual([{ mode: 'worktree', fallbackReason: null }]);
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    const context = JSON.stringify({ gaps: proof.knownGaps, agentRuns: proof.agentRuns });
    expect(blocking, context).toContainEqual(expect.stringMatching(plant.finding));
    // The user's own git in the checkout reads the shared config: nothing planted is left there.
    expect(git(env.repo.root, 'config', '--list', '--local')).not.toContain('evil');
    const admin = join(env.repo.root, '.git', 'worktrees');
    for (const name of await readdir(admin).catch(() => [])) {
      const text = await readFile(join(admin, name, 'config.worktree'), 'utf8').catch(() => '');
      expect(text).not.toContain(program.path);
    }
  });
});

describe('gates that plant a filter while they run', () => {
  it("a test that defines the filter a committed .gitattributes names and touches a file: omk's status after the gates runs no filter", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const program = await evilProgram('gate');
    const agent = await plantingAgent(
      'gate-filter',
      program.path,
      [
        "echo '*.js filter=evil' > .gitattributes",
        "cat > test/plant.test.js <<'JS'",
        "import { execFileSync } from 'node:child_process';",
        "import { utimesSync } from 'node:fs';",
        "import { test } from 'node:test';",
        "test('plant', () => {",
        `  execFileSync('git', ['config', 'filter.evil.clean', ${JSON.stringify(program.path)}]);`,
        // The file is now stat-dirty: git status hashes it again, through the filter.
        "  utimesSync('src/parser.js', new Date(), new Date(Date.now() + 5000));",
        '});',
        'JS',
      ].join('\n'),
    );
    const id = await runGoal(agent, program.marker);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
    expect(proof.findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining('The gates (code the agent wrote) changed .git/config'),
    );
    expect(existsSync(program.marker), 'the filter the gates planted ran').toBe(false);
    expect(git(env.repo.root, 'config', '--list', '--local')).not.toContain('evil');
  });
});

/** Plants in a branch checkout: the clone's own `.git` is where `git config` (and --worktree) write. */
const CLONE_PLANTS: Plant[] = [
  {
    name: "a clean filter in the clone's config.worktree (per-worktree config turned on)",
    body: `${worktreeConfig} filter.evil.clean "$P"\necho '* filter=evil' > .gitattributes`,
    finding: /the branch checkout's \.git\/config\.worktree/,
  },
  {
    name: "a clean and smudge filter in the clone's .git/config",
    body: [
      'git config filter.evil.clean "$P"',
      'git config filter.evil.smudge "$P"',
      "echo '* filter=evil' > .gitattributes",
    ].join('\n'),
    finding: /changed the branch checkout's \.git\/config,/,
  },
  {
    name: "a pre-commit hook and an info/attributes in the clone's .git",
    body: [
      'printf \'#!/bin/sh\\n%s /dev/null\\n\' "$P" > "$common/hooks/pre-commit"',
      'chmod +x "$common/hooks/pre-commit"',
      'echo \'* filter=evil\' > "$common/info/attributes"',
      'git config filter.evil.clean "$P"',
    ].join('\n'),
    finding: /added the branch checkout's \.git\/hooks\/pre-commit/,
  },
];

describe('an agent in a branch checkout (--slice-execution branch) that plants git config in the clone', () => {
  it("the control: an agent that plants nothing gets no finding about the clone's git files", async () => {
    const id = await runGoal(
      await plantingAgent('plain', '/bin/true', ':'),
      undefined,
      '--slice-execution',
      'branch',
    );
    expect((await workspaces(id))[0]?.mode).toBe('branch-checkout');
    const proof = await env.proof(id);
    // The agent's and the gates' runs were watched in the clone, and nothing of it changed.
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toEqual([]);
    expect(proof.findings.map((f) => f.message).join('\n')).not.toContain('branch checkout');
  });

  it.each(CLONE_PLANTS)(
    '$name: the program never runs, the slice is blocked naming it, nothing merged',
    async (plant) => {
      const main = git(env.repo.root, 'rev-parse', 'main');
      const program = await evilProgram('plant');
      const agent = await plantingAgent('plant', program.path, plant.body);
      const id = await runGoal(agent, program.marker, '--slice-execution', 'branch');
      expect(existsSync(program.marker), `${plant.name}: the planted program ran`).toBe(false);
      expect(await workspaces(id)).toEqual([
        { mode: 'branch-checkout', fallbackReason: 'worktrees disabled by the forceFallback option' },
      ]);
      const proof = await env.proof(id);
      expect(proof.status).not.toBe('ready');
      expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
      const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
      const context = JSON.stringify({ gaps: proof.knownGaps, agentRuns: proof.agentRuns });
      expect(blocking, context).toContainEqual(expect.stringMatching(plant.finding));
      expect(blocking, context).toContainEqual(expect.stringContaining('omk restored it from its snapshot'));
      expect(git(env.repo.root, 'config', '--list', '--local')).not.toContain('evil');
    },
  );
});
