import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { createExecutionEnv, type ExecutionEnv, GOALS, SLICES } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

interface Finding {
  severity: string;
  message: string;
}

// omk's fallback workspace, a branch checkout (a clone of the repository beside the worktrees),
// run for real: why a run fell back is said, and a clone's git directory is guarded as a
// worktree's is. The sandbox is off unless a test says otherwise.

let env: ExecutionEnv;

beforeEach(async () => {
  env = await createExecutionEnv();
});
afterEach(async () => {
  await env.cleanup();
});

/** A shell agent that makes an edit the gates accept (`edit`), then runs `body` in its workspace. */
async function shellAgent(
  name: string,
  body: string,
  edit = "printf '\\n// a harmless edit\\n' >> src/parser.js",
): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(path, ['#!/bin/sh', 'set -e', edit, `KIT='${env.kit.dir}'`, body, ''].join('\n'));
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function run(goal: string, agent: string, ...flags: string[]) {
  const result = await env.omk('goal', 'run', goal, '--agent', agent, '--sandbox', 'off', '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return { id: (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id, stderr: result.stderr };
}

describe('a slice that falls back to a branch checkout', () => {
  it("says why, in git's words, on the terminal and in the event log", async () => {
    // The fault: git cannot make its worktree directory, while a clone still works.
    await writeFile(join(env.repo.root, '.git', 'worktrees'), 'in the way\n');
    const { id, stderr } = await run(GOALS.single, await shellAgent('plain', ':'));
    const why =
      "git worktree add failed twice, 250 ms apart: fatal: could not create leading directories of '.git/worktrees/";
    expect(stderr).toContain(
      `[${SLICES.bug}] runs in a branch checkout (a clone of the repository), not a worktree: ${why}`,
    );
    const events = await env.events(id);
    const fallback = events.filter((event) => event.type === 'workspace_fallback');
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.data).toEqual({ taskId: SLICES.bug, reason: expect.stringContaining(why) });
  });

  it('asked for (branch slice execution): nothing to warn about', async () => {
    const { id, stderr } = await run(
      GOALS.single,
      await shellAgent('plain', ':'),
      '--slice-execution',
      'branch',
    );
    expect(stderr).not.toContain('runs in a branch checkout');
    expect((await env.events(id)).map((event) => event.type)).not.toContain('workspace_fallback');
  });
});

describe("an agent that replaces its branch checkout's .git with a repository of its own", () => {
  it('as a link: the slice fails naming it, blocking, in the proof; no git runs in that repository, nothing merged', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    // Its repository: a commit of its own on the slice's branch, and a post-commit hook that
    // leaves a marker should any git commit there.
    const agent = await shellAgent(
      'link',
      [
        'branch=$(git symbolic-ref --short HEAD)',
        'git init --quiet "$KIT/theirs"',
        'git -C "$KIT/theirs" -c user.name=a -c user.email=a@b commit --quiet --allow-empty -m theirs',
        'git -C "$KIT/theirs" branch --quiet -m "$branch"',
        'printf \'#!/bin/sh\\ntouch "%s/committed-there"\\n\' "$KIT" > "$KIT/theirs/.git/hooks/post-commit"',
        'chmod +x "$KIT/theirs/.git/hooks/post-commit"',
        'mv .git "$KIT/moved-away"',
        'ln -s "$KIT/theirs/.git" .git',
      ].join('\n'),
    );
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--json',
      '--slice-execution',
      'branch',
    );
    // Refused, not put back: omk never kept the clone's git directory to put back, and any git
    // call there would read the agent's repository (its config, its objects, its refs). The slice
    // fails with it, blocking, and the goal settles with it in its proof: no error.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /\] failed: The branch checkout of \S+: its \.git is now a link; omk runs no git there\. \(/,
    );
    const proof = (JSON.parse(result.stdout) as { proof: { status: string; findings: Finding[] } }).proof;
    expect(proof.status).not.toBe('ready');
    expect(proof.findings).toContainEqual(
      expect.objectContaining({
        severity: 'blocking',
        message: expect.stringMatching(
          /its \.git is now a link; omk runs no git there\. The agent of s1-\S+ replaced the clone's git directory in attempt 1/,
        ),
      }),
    );
    const theirs = join(env.kit.dir, 'theirs');
    expect(git(theirs, 'log', '--format=%s')).toBe('theirs');
    expect(existsSync(join(env.kit.dir, 'committed-there'))).toBe(false);
    expect(git(env.repo.root, 'rev-parse', 'main')).toBe(main);
  });
});

describe('sandboxed, in a branch checkout', () => {
  it("the agent cannot write the clone's .git (refused, so nothing to restore), and works as usual", async () => {
    const available = (await createBubblewrap({ env: { PATH: process.env.PATH ?? '' } }).probe()).available;
    const agent = await shellAgent(
      'sandboxed',
      [
        'git status --porcelain && echo status-read',
        'git diff --stat && echo diff-read',
        'git config filter.evil.clean /bin/true 2>/dev/null && echo wrote-config || echo refused-config',
        "printf '#!/bin/sh\\n' > .git/hooks/pre-commit 2>/dev/null && echo wrote-hook || echo refused-hook",
        'mv .git .git-away 2>/dev/null && echo moved-git || echo refused-move',
      ].join('\n'),
    );
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--sandbox',
      'required',
      '--json',
      '--slice-execution',
      'branch',
    );
    if (!available) {
      expect(result.stderr).toContain('sandbox: required, but this host cannot confine agents');
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const transcript = await readFile(
      join(env.goalDir(id), 'artifacts', 'agent-runs', SLICES.bug, 'transcript-1.log'),
      'utf8',
    );
    for (const said of [
      'status-read',
      'M src/parser.js',
      'diff-read',
      'refused-config',
      'refused-hook',
      'refused-move',
    ])
      expect(transcript).toContain(said);
    for (const said of ['wrote-config', 'wrote-hook', 'moved-git']) expect(transcript).not.toContain(said);
    const proof = await env.proof(id);
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toEqual([]);
    expect(proof.findings.map((f) => f.message).join('\n')).not.toContain('branch checkout');
    // The agent's edit was captured and is on the slice branch in the repository.
    const branch = `omk/${id}/${SLICES.bug}`;
    expect(git(env.repo.root, 'show', `${branch}:src/parser.js`)).toContain('// a harmless edit');
  });
});

describe("an agent that writes another slice's branch checkout", () => {
  it("the control: parallel slices in clones, omk's own captures there, no finding about any clone", async () => {
    // Each slice edits the file it was given: README.md, or the parser.
    const edit =
      'case "$(basename "$PWD")" in s1-*) echo more >> README.md ;; *) printf \'\\n// edit\\n\' >> src/parser.js ;; esac';
    const agent = await shellAgent('plain', ':', edit);
    const { id } = await run(GOALS.parallel, agent, '--slice-execution', 'branch');
    expect((await env.events(id)).filter((event) => event.type === 'change_captured')).toHaveLength(2);
    const proof = await env.proof(id);
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toEqual([]);
    expect(proof.findings.map((f) => f.message).join('\n')).not.toContain('branch checkout');
  });

  it("a filter and a hook planted in the first slice's clone: named for the second's run, put back", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    // Only the second slice's agent: it finds the first's clone beside its own.
    const agent = await shellAgent(
      'sibling',
      [
        'case "$(basename "$PWD")" in s2-*)',
        '  sib=$(ls -d ../s1-*)',
        '  printf \'[filter "evil"]\\n\\tclean = /bin/true\\n\' >> "$sib/.git/config"',
        '  printf \'#!/bin/sh\\n\' > "$sib/.git/hooks/post-checkout"',
        '  echo "ref: refs/heads/main" > "$sib/.git/HEAD"',
        ';;',
        'esac',
      ].join('\n'),
    );
    const { id } = await run(GOALS.chain, agent, '--slice-execution', 'branch');
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(git(env.repo.root, 'rev-parse', 'main')).toBe(main);
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    const sibling = `the branch checkout ${SLICES.parser}'s .git`;
    for (const what of [
      `changed ${sibling}/config`,
      `added ${sibling}/hooks/post-checkout`,
      `changed ${sibling}/HEAD`,
    ])
      expect(blocking, JSON.stringify(blocking)).toContainEqual(expect.stringContaining(what));
    const clone = join(env.stateDir, 'worktrees', id, SLICES.parser);
    expect(await readFile(join(clone, '.git', 'config'), 'utf8')).not.toContain('evil');
    expect(existsSync(join(clone, '.git', 'hooks', 'post-checkout'))).toBe(false);
    expect(await readFile(join(clone, '.git', 'HEAD'), 'utf8')).toBe(
      `ref: refs/heads/omk/${id}/${SLICES.parser}\n`,
    );
  });
});
