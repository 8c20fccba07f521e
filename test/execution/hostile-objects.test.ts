import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  GOALS,
  TODO_FIXTURE,
  waitFor,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

// Agents that go for git's object database and ref plumbing in the shared `.git` rather than its
// config: a replace ref that shows omk's reviews another blob than the commit holds, an alternate
// object store, a `commondir` file in the checkout's own `.git`, another slice's branch moved.
// Each also makes the asked fix (the parser trims), so a goal whose run omk does not stop is
// `ready` and merged into main on the local forge (the first test shows it is). Unsandboxed.

let env: ExecutionEnv;

/** Each test of the calling describe gets a fresh repository of `fixture` and state root. */
function withEnv(fixture: Readonly<Record<string, string>>): void {
  beforeEach(async () => {
    env = await createExecutionEnv(fixture);
  });
  afterEach(async () => {
    await env.cleanup();
  });
}

/** A model key the security review knows by its form. */
const KEY = `sk-proj-${'Q7wX2mR9'.repeat(5)}`;
const FIXED = 'export const parse = (text) => text.trim();\\n';
/** The asked fix, written whole: its blob id is what `git hash-object` says of these bytes. */
const FIX = `printf '${FIXED}' > src/parser.js`;
/** The fix with the key added to the same file. */
const FIX_WITH_KEY = `printf "${FIXED}export const key = '${KEY}';\\n" > src/parser.js`;

async function shellAgent(name: string, body: string): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  // The planner runs the agent too, outside any repository: it answers nothing there.
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'set -e',
      'git rev-parse --git-dir >/dev/null 2>&1 || exit 1',
      'common=$(git rev-parse --git-common-dir)',
      `KIT='${env.kit.dir}'`,
      body,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}

/** `omk goal run` with PRs on the local forge and a gated merge: a `ready` goal lands on main. */
function goalRun(agent: string, goal: string = GOALS.single, ...flags: string[]) {
  return env.omk(
    'goal',
    'run',
    goal,
    '--agent',
    agent,
    '--sandbox',
    'off',
    '--policy',
    'auto-pr',
    '--merge-policy',
    'gated',
    '--forge',
    'local',
    ...flags,
  );
}

/** Runs the goal (`goalRun`); its id. */
async function runGoal(agent: string, goal: string = GOALS.single, ...flags: string[]): Promise<string> {
  const result = await goalRun(agent, goal, ...flags);
  const id = /omk: goal (\S+):/.exec(result.stderr)?.[1];
  expect(id, result.stderr).toBeDefined();
  return id ?? '';
}

/** Runs `goal` with `agent`: never ready, nothing merged; the goal and its blocking findings' messages. */
async function blockedRun(
  agent: string,
  goal?: string,
  ...flags: string[]
): Promise<{ id: string; blocking: string[] }> {
  const mainBefore = git(env.repo.root, 'rev-parse', 'main');
  const id = await runGoal(agent, goal, ...flags);
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  expect(git(env.repo.root, 'rev-parse', 'refs/heads/main'), 'nothing merged').toBe(mainBefore);
  return { id, blocking: proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message) };
}

const SECRET_FINDING = expect.stringMatching(/^Secret \(OpenAI API key\) added in "src\/parser\.js"/);

describe('an agent that reaches into the object database', () => {
  withEnv(BUGGY_FIXTURE);

  it('control: the same fix alone is ready and merged into main', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const id = await runGoal(await shellAgent('clean', FIX));
    expect((await env.proof(id)).status).toBe('ready');
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).not.toBe(main);
  });

  it('adds a replace ref showing the key-free blob for the one it commits: blocked, the ref deleted', async () => {
    const agent = await shellAgent(
      'replace',
      [
        FIX_WITH_KEY,
        'real=$(git hash-object -w src/parser.js)',
        `printf '${FIXED}' > "$KIT/clean.js"`,
        'git replace "$real" "$(git hash-object -w "$KIT/clean.js")"',
      ].join('\n'),
    );
    const blocking = (await blockedRun(agent)).blocking;
    expect(blocking).toContainEqual(
      expect.stringMatching(
        /^The agent added the replace ref refs\/replace\/[0-9a-f]{40}, outside its worktree; omk restored it/,
      ),
    );
    expect(blocking).toContainEqual(SECRET_FINDING);
    expect(git(env.repo.root, 'replace', '-l'), "the user's git is shown the real blob again").toBe('');
  });

  it("a replace ref already in the repository for the blob the agent writes: omk's review reads the real one", async () => {
    // Planted before the goal (by an install script, an earlier process): no run changes it, so
    // only omk's git reading objects as stored keeps the review on the committed content.
    const withKey = join(env.kit.dir, 'with-key.js');
    const clean = join(env.kit.dir, 'clean.js');
    await writeFile(withKey, `${FIXED.replace('\\n', '\n')}export const key = '${KEY}';\n`);
    await writeFile(clean, FIXED.replace('\\n', '\n'));
    const real = git(env.repo.root, 'hash-object', '-w', withKey);
    git(env.repo.root, 'replace', real, git(env.repo.root, 'hash-object', '-w', clean));
    expect((await blockedRun(await shellAgent('prior-replace', FIX_WITH_KEY))).blocking).toContainEqual(
      SECRET_FINDING,
    );
  });

  it('rewrites the loose object of the blob it commits to hold the key-free content: blocked, the object named', async () => {
    // git does not check an object's id when it reads it: omk's commit, review and merge all read
    // the forged content while the gates ran on the worktree's (which holds the key). omk hashes
    // the loose objects of the files its commit changed (adapters/git/forged-objects.ts).
    const agent = await shellAgent(
      'forged-object',
      [
        FIX_WITH_KEY,
        'real=$(git hash-object -w src/parser.js)',
        `printf '${FIXED}' > "$KIT/clean.js"`,
        'clean=$(git hash-object -w "$KIT/clean.js")',
        'at() { echo "$common/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-)"; }',
        'chmod u+w "$(at "$real")"',
        'cp "$(at "$clean")" "$(at "$real")"',
      ].join('\n'),
    );
    expect((await blockedRun(agent)).blocking).toContainEqual(
      expect.stringContaining(
        'The object of "src/parser.js" in omk\'s commit does not hold what its id says',
      ),
    );
  });

  it('adds an alternate object store of its own: blocked, the alternates file removed', async () => {
    const agent = await shellAgent(
      'alternates',
      [
        FIX,
        'git init --quiet --bare "$KIT/store.git"',
        'echo "$KIT/store.git/objects" >> "$common/objects/info/alternates"',
      ].join('\n'),
    );
    expect((await blockedRun(agent)).blocking).toContainEqual(
      expect.stringContaining(
        'The agent added .git/objects/info/alternates, outside its worktree; omk restored it',
      ),
    );
    expect(existsSync(join(env.repo.root, '.git', 'objects', 'info', 'alternates'))).toBe(false);
  });

  it('writes .git/shallow, cutting the history at the base: blocked, the file removed', async () => {
    // git takes each commit listed there to have no parents: history, merge bases and ancestry
    // checks (omk's and the user's) stop at it. omk itself never writes it (its fetches pass no
    // --depth); a shallow checkout's file is compared like any other.
    const agent = await shellAgent('shallow', [FIX, 'git rev-parse HEAD >> "$common/shallow"'].join('\n'));
    expect((await blockedRun(agent)).blocking).toContainEqual(
      expect.stringContaining('The agent added .git/shallow, outside its worktree; omk restored it'),
    );
    expect(existsSync(join(env.repo.root, '.git', 'shallow'))).toBe(false);
    expect(git(env.repo.root, 'rev-parse', '--is-shallow-repository')).toBe('false');
  });

  it("writes a commondir file into the checkout's .git, naming a repository of its own: blocked, removed", async () => {
    const agent = await shellAgent(
      'commondir',
      [
        FIX,
        'git clone --quiet --bare "$common" "$KIT/own.git"',
        'echo "$KIT/own.git" > "$common/commondir"',
      ].join('\n'),
    );
    expect((await blockedRun(agent)).blocking).toContainEqual(
      expect.stringContaining('The agent added .git/commondir, outside its worktree; omk restored it'),
    );
    expect(existsSync(join(env.repo.root, '.git', 'commondir'))).toBe(false);
    expect(git(env.repo.root, 'rev-parse', '--git-common-dir')).toBe('.git');
  });
});

describe("an agent that moves another slice's branch", () => {
  withEnv(BUGGY_FIXTURE);

  it.each([
    { how: 'update-ref', write: 'git update-ref "refs/heads/$first" "$next"' },
    {
      how: 'an edit of packed-refs',
      write:
        'git pack-refs --all\nsed -i "s|^[0-9a-f]* refs/heads/$first\\$|$next refs/heads/$first|" "$common/packed-refs"',
    },
  ])(
    "the second slice's agent moves the first slice's branch ($how) to a commit it made: blocked, never merged",
    async ({ write }) => {
      const agent = await shellAgent(
        'move-branch',
        [
          `case "$(git symbolic-ref HEAD)" in */s1-*) ${FIX}; exit 0;; esac`,
          "printf \"import assert from 'node:assert/strict';\\nimport { test } from 'node:test';\\nimport { parse } from '../src/parser.js';\\ntest('trims', () => assert.equal(parse(' b '), 'b'));\\n\" > test/regression.test.js",
          // The first slice's reviewed commit, and one on top of it that no review of that slice saw.
          'first=$(git for-each-ref --format="%(refname:short)" "refs/heads/omk/*/s1-*")',
          'extra=$( (git cat-file -p "$first:src/parser.js"; echo \'export const more = 1;\') | git hash-object -w --stdin)',
          'tree=$( (git ls-tree "$first" | grep -v "\tsrc$"; printf "040000 tree %s\\tsrc\\n" "$(printf "100644 blob %s\\tparser.js\\n" "$extra" | git mktree)") | git mktree)',
          'next=$(git commit-tree -p "$first" -m more "$tree")',
          write,
        ].join('\n'),
      );
      const { id, blocking } = await blockedRun(agent, GOALS.chain);
      expect(blocking).toContainEqual(
        expect.stringMatching(
          /^The agent changed omk's branch omk\/[^ ]+\/s1-[^ ]+, outside its worktree; omk restored it/,
        ),
      );
      // Put back where omk's capture left it: the commit the first slice's review saw.
      const first = (await env.proof(id)).slices.find((slice) => slice.id.startsWith('s1-'));
      expect(first?.headSha).toBeDefined();
      expect(git(env.repo.root, 'rev-parse', `refs/heads/${first?.branch}`)).toBe(first?.headSha);
    },
  );
});

describe("an agent that moves another slice's branch, in a resumed goal's new process", () => {
  withEnv(BUGGY_FIXTURE);

  it('the first slice was captured by the killed process, its branch moved between the processes and again by the next agent: put back and blocked each time, nothing merged', async () => {
    // The new process knows where omk left the first slice's branch from the goal's record: the
    // controller puts back what moved it while no omk ran, and each run's check what moves it then.
    const agent = await shellAgent(
      'move-branch-resumed',
      [
        `case "$(git symbolic-ref HEAD)" in */s1-*) ${FIX}; exit 0;; esac`,
        // The first process is killed while the second slice's first agent waits.
        'if [ ! -e "$KIT/s2-started" ]; then touch "$KIT/s2-started"; sleep 60; fi',
        "printf \"import assert from 'node:assert/strict';\\nimport { test } from 'node:test';\\nimport { parse } from '../src/parser.js';\\ntest('trims', () => assert.equal(parse(' b '), 'b'));\\n\" > test/regression.test.js",
        'first=$(git for-each-ref --format="%(refname:short)" "refs/heads/omk/*/s1-*")',
        'extra=$( (git cat-file -p "$first:src/parser.js"; echo \'export const more = 1;\') | git hash-object -w --stdin)',
        'tree=$( (git ls-tree "$first" | grep -v "\tsrc$"; printf "040000 tree %s\\tsrc\\n" "$(printf "100644 blob %s\\tparser.js\\n" "$extra" | git mktree)") | git mktree)',
        'git update-ref "refs/heads/$first" "$(git commit-tree -p "$first" -m more "$tree")"',
      ].join('\n'),
    );
    const main = git(env.repo.root, 'rev-parse', 'main');
    const run = env.spawnOmk(
      'goal',
      'run',
      GOALS.chain,
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--policy',
      'auto-pr',
      '--merge-policy',
      'gated',
      '--forge',
      'local',
    );
    await waitFor(
      'the second slice to start',
      async () => existsSync(join(env.kit.dir, 's2-started')) || undefined,
      60_000,
    );
    run.child.kill('SIGKILL');
    await run.exited;
    // Between the two processes, something moves the first slice's branch (no omk run sees it).
    const first = git(env.repo.root, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/omk/*/s1-*');
    const captured = git(env.repo.root, 'rev-parse', first);
    const between = git(env.repo.root, 'commit-tree', '-p', captured, '-m', 'between', `${captured}^{tree}`);
    git(env.repo.root, 'update-ref', `refs/heads/${first}`, between);

    const resumed = await env.omk('goal', 'resume', '--auto', '--agent', agent);
    expect(resumed.stderr).not.toMatch(/Cannot integrate/);
    const id = (JSON.parse((await env.omk('goal', 'status', '--json')).stdout) as { id: string }).id;
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    expect(blocking).toContainEqual(
      `omk's branch ${first} was moved to ${between} after omk captured it at ${captured}, where its slice was reviewed, and before this goal run began: something outside omk's checked runs did it; omk put it back at ${captured}. Nothing made since can be trusted.`,
    );
    expect(blocking).toContainEqual(
      `The agent changed omk's branch ${first}, outside its worktree; omk restored it from its snapshot. Nothing it made can be trusted.`,
    );
    expect(proof.slices.find((slice) => slice.branch === first)?.headSha).toBe(captured);
    expect(git(env.repo.root, 'rev-parse', `refs/heads/${first}`), 'put back where its review saw it').toBe(
      captured,
    );
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main'), 'nothing merged').toBe(main);
  }, 120_000);
});

describe("an agent that rewrites its worktree's admin files", () => {
  withEnv(BUGGY_FIXTURE);

  it('points .git/worktrees/<slice>/HEAD at the base branch: the capture refuses, nothing merged', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'admin-head',
      [
        FIX,
        'base=$(git for-each-ref --format="%(refname)" "refs/heads/omk/*/base")',
        'echo "ref: $base" > "$(git rev-parse --git-dir)/HEAD"',
      ].join('\n'),
    );
    const result = await goalRun(agent);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/is no longer on omk\/[^ ]+\/s1-[^ ]+; nothing was captured/);
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
  });
});

describe('an integration-repair agent that rewrites the loose object of the blob it commits', () => {
  withEnv(TODO_FIXTURE);

  it('repairs the merged tree in its worktree, the object it commits holds the unrepaired file: blocked, the object named, no second attempt', async () => {
    // The two slices each add one TODO (TODO_FIXTURE's test allows one in the project): merged, the
    // test fails and --until-ready runs the repair. It turns the README's TODO into prose in its
    // worktree, where the gates run, and overwrites the loose object of that README with the
    // unrepaired one, which is what omk's commit, review and merge would read.
    const agent = await shellAgent(
      'forged-repair',
      [
        'case "$(git symbolic-ref HEAD)" in',
        "*/s1-*) printf 'TODO: document the parser\\n' >> README.md ;;",
        "*/s2-*) printf '// TODO: make it faster\\n' >> src/parser.js; sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js ;;",
        '*/integration)',
        '  cp README.md "$KIT/unrepaired.md"',
        "  sed -i 's/^TODO: document the parser$/The parser keeps text./' README.md",
        '  real=$(git hash-object -w README.md)',
        '  unrepaired=$(git hash-object -w "$KIT/unrepaired.md")',
        '  at() { echo "$common/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-)"; }',
        '  chmod u+w "$(at "$real")"',
        '  cp "$(at "$unrepaired")" "$(at "$real")" ;;',
        'esac',
      ].join('\n'),
    );
    const { id, blocking } = await blockedRun(agent, GOALS.parallel, '--until-ready');
    expect(blocking).toContainEqual(
      expect.stringContaining('The object of "README.md" in omk\'s commit does not hold what its id says'),
    );
    expect(
      eventsOfType(await env.events(id), 'integration_repair_finished').map((e) => e.data.outcome),
      'one attempt, not trusted',
    ).toEqual(['untrusted']);
  });
});
