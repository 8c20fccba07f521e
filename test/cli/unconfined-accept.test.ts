import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  fixTheParser,
  GOALS,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

// A script agent on a host that cannot confine it: `sandbox: auto` falls back, and what the agent
// could have written outside its worktree (a tool's cache, a Python user site) is not all
// detectable, so the goal waits for a person, whose accept then lets the gated merge take it.
// `sandbox: off` is the user declaring the agent trusted: ready, and the proof says so.

let env: ExecutionEnv;
let fakeBin: string;

beforeEach(async () => {
  // A bwrap whose namespaces are refused: the probe finds it and sees it fail, as on a host
  // without unprivileged user namespaces.
  fakeBin = await mkdtemp(join(tmpdir(), 'omk-no-bwrap-'));
  await writeFile(
    join(fakeBin, 'bwrap'),
    '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
  );
  await chmod(join(fakeBin, 'bwrap'), 0o755);
  env = await createExecutionEnv(BUGGY_FIXTURE, {
    env: { PATH: `${fakeBin}:${process.env.PATH ?? ''}`, OMK_SANDBOX: 'auto' },
  });
});
afterEach(async () => {
  await env.cleanup();
  await rm(fakeBin, { recursive: true, force: true });
});

const mainParser = () => git(env.repo.root, 'show', 'main:src/parser.js');

async function planned(): Promise<string> {
  const agent = await env.kit.script('parser-fixer', fixTheParser);
  return env.plan(GOALS.single, '--agent', agent, '--policy', 'auto-pr', '--merge-policy', 'gated');
}

describe('a script agent that ran unconfined because the sandbox fell back', () => {
  it('auto: blocked_on_human with the ways out, merge refused, then accept and merge deliver it', async () => {
    const id = await planned();
    const base = mainParser();
    const run = await env.omk('goal', 'execute', id);
    expect(run.stderr).toContain('agents and gates run unsandboxed: bwrap cannot create namespaces');
    expect(run.stdout).toMatch(/^ {2}done {5}s1-/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^gap agents_unconfined: The agent script:\\S+ ran unconfined: the sandbox is auto and this host could not confine agents, .* Let omk confine the agents .* and run the goal again; or, once a person has read the change, they accept it with 'omk goal accept ${id} --summary "…"' and merge it with 'omk goal merge ${id}'; or, to declare the agents trusted, turn the sandbox off: 'omk goal run "<goal>" --sandbox off'\\.$`,
        'm',
      ),
    );
    // The gated merge ran and refused: nobody has accepted it yet.
    expect(run.stderr).toContain('merge blocked by proof_not_ready (PR #2): the proof is blocked_on_human');
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['agents_unconfined']);
    expect(proof.failures).toEqual([]);
    expect(mainParser()).toBe(base);

    const early = await env.omk('goal', 'merge', id);
    expect(early.code).not.toBe(0);
    expect(`${early.stdout}${early.stderr}`).toContain('proof_not_ready');
    expect(`${early.stdout}${early.stderr}`).toContain(
      'the proof is blocked_on_human on agents_unconfined: a person must review it and accept the goal first',
    );
    // What to do names the commands, not only the words.
    expect(early.stdout).toContain(
      `read the proof's gaps ('omk goal proof ${id}'): only a ready proof is merged, or one blocked only on gaps a person closes by accepting the goal ('omk goal accept ${id} --summary "…"'), once they have`,
    );
    expect(mainParser()).toBe(base);

    const accept = await env.omk('goal', 'accept', id, '--summary', 'read the diff: only the parser changed');
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stdout).toContain('blocked_on_human -> accepted');
    // Its PRs still carry the blocked proof: the line says how to show the acceptance there.
    expect(accept.stdout).toContain(
      `its PRs still show the proof from before the acceptance: 'omk goal open-pr ${id}' shows it there; 'omk goal merge ${id}' merges it`,
    );
    // Who accepted: the account that ran omk, as the bot and the Action record the commenter's login.
    const account = `${userInfo().username} (local account)`;
    expect((await env.proof(id)).delivery.acceptance).toMatchObject({
      by: account,
      text: 'read the diff: only the parser changed',
    });
    expect((await env.omk('goal', 'proof', id)).stdout).toContain(`accepted by ${account} at `);
    const merge = await env.omk('goal', 'merge', id);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toMatch(/^merged PR #2 as [0-9a-f]{40}$/m);
    expect((await env.goal(id)).status).toBe('merged');
    expect(mainParser()).toContain('text.trim()');
  }, 120_000);

  it('off: the user declared the agent trusted, so the goal is ready and merges, and the proof says so', async () => {
    const id = await planned();
    const run = await env.omk('goal', 'execute', id, '--sandbox', 'off');
    expect(run.code, run.stderr).toBe(0);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.knownGaps).toEqual([]);
    expect(proof.decisions).toContainEqual(expect.objectContaining({ kind: 'sandbox', decision: 'off' }));
    expect((await env.goal(id)).status).toBe('merged');
    expect(mainParser()).toContain('text.trim()');
    const shown = await env.omk('goal', 'proof', id);
    expect(shown.stdout).toContain(
      "Agents and gates ran unsandboxed: sandbox off, by the user's choice (nothing confined what they could read or write).",
    );
  }, 120_000);
});
