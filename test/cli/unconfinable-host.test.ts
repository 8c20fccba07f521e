import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
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
import { refusedBwrapBin } from '../helpers/refused-bwrap.js';

// A script agent on a host that cannot confine it: under `sandbox: auto` omk does not start it
// (unconfined, it could read the user's credential stores by their absolute paths), and says the
// ways out before anything changed. `sandbox: off` is the user declaring the agent trusted: it
// runs, the goal can be ready, and the proof says so.

let env: ExecutionEnv;
let fakeBin: string;

beforeEach(async () => {
  // A bwrap whose namespaces are refused: the probe finds it and sees it fail, as on a host
  // without unprivileged user namespaces.
  fakeBin = await refusedBwrapBin();
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

describe('a script agent on a host that cannot confine it', () => {
  it('auto: refused before it starts, run or execute, naming the ways out; nothing changed', async () => {
    const agent = await env.kit.script('parser-fixer', fixTheParser);
    const base = mainParser();
    const run = await env.omk('goal', 'run', GOALS.single, '--agent', agent);
    // Exit 6: this machine cannot run the goal as asked (not a mistake in the input).
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(
      `This host cannot confine agents (bwrap cannot create namespaces: bwrap: setting up uid map: Permission denied), and under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${agent} was not started.`,
    );
    expect(run.stderr).toContain(
      `or, to declare the agents trusted, run them unconfined: set \`sandbox: off\` in .omk/config.yml, or for one run: 'omk goal run "<goal>" --sandbox off'.`,
    );
    expect(existsSync(join(env.stateDir, 'goals'))).toBe(false);

    // A plan runs no slice agent; its planning agent is not started either (the heuristic plans,
    // and says why). Executing it is refused as the run was, the goal left as it was.
    const plan = await env.omk(
      'goal',
      'plan',
      GOALS.single,
      '--json',
      '--agent',
      agent,
      '--policy',
      'auto-pr',
    );
    expect(plan.code, plan.stderr).toBe(0);
    // No agent runs, so nothing warns that agents run unsandboxed.
    expect(plan.stderr).not.toContain('unsandboxed');
    const id = (JSON.parse(plan.stdout) as { goal: { id: string } }).goal.id;
    expect(await readFile(join(env.goalDir(id), 'technical-plan.md'), 'utf8')).toContain(
      `planner agent ${agent} was not started (This host cannot confine agents (bwrap cannot create namespaces`,
    );
    const before = await env.goal(id);
    const execute = await env.omk('goal', 'execute', id);
    expect(execute.code).toBe(6);
    expect(execute.stderr).toContain(`${agent} was not started`);
    expect(await env.goal(id)).toEqual(before);
    expect(await env.kit.calls()).toEqual([]);
    expect(mainParser()).toBe(base);
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

  it("verify and review would run the agent's change in gates: refused the same way under auto, run under --sandbox off", async () => {
    const agent = await env.kit.script('parser-fixer', fixTheParser);
    const run = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'off', '--json');
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const before = await env.goal(id);
    for (const verb of ['verify', 'review']) {
      const refused = await env.omk('goal', verb, id);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        `under sandbox: auto omk runs no agent's code unconfined but its own demo's: the gates would run ${agent}'s change, so none was started.`,
      );
      expect(refused.stderr).toContain('set `sandbox: off` in .omk/config.yml');
    }
    expect(await env.goal(id)).toEqual(before);
    // The user's one-run choice: the gates run unconfined and the proof stays ready, its `off` noted.
    const verified = await env.omk('goal', 'verify', id, '--sandbox', 'off');
    expect(verified.code, verified.stderr).toBe(0);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.knownGaps).toEqual([]);
  }, 120_000);
});
