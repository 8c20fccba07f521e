import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { refusedBwrapBin } from '../helpers/refused-bwrap.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG } from './harness.js';

// A workflow's script agent on a runner whose bubblewrap cannot make namespaces: under
// `sandbox: auto` the step fails before the agent starts (unconfined, it could read the runner's
// files and credential stores by their paths), naming the ways out in a workflow's words (the
// sandbox input, not a CLI flag). Nothing is pushed, no PR opened, no goal saved on the state
// branch. omk's own demo agent, on the same runner, still runs (unconfined, as gates do).

const REFUSAL =
  "This host cannot confine agents (bwrap cannot create namespaces: bwrap: setting up uid map: Permission denied), and under sandbox: auto omk runs no agent's code unconfined but its own demo's: script:./tools/agent.sh was not started.";
const WAYS_OUT =
  'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run where bwrap works; or, to declare the agents trusted, run them unconfined: set `sandbox: off` in .omk/config.yml, or for one run: command: run with a goal and sandbox: off.';

let fakeBin: string;
let marker: string;
let env: ActionEnv;
/** The runner's PATH, a bwrap that fails first on it. */
let path: string;

const originRefs = () => git(env.repo.origin, 'for-each-ref', '--format=%(refname) %(objectname)');

beforeAll(async () => {
  // A bwrap whose namespaces are refused: the probe finds it and sees it fail, as on a runner
  // without unprivileged user namespaces.
  fakeBin = await refusedBwrapBin();
  path = `${fakeBin}:${process.env.PATH ?? ''}`;
  marker = join(fakeBin, 'agent-ran');
  env = await createActionEnv({
    files: NO_CI_CONFIG,
    executables: {
      'tools/agent.sh': `#!/bin/sh\ntouch '${marker}'\nsed -i 's/return a - b;/return a + b;/' src/math.js\n`,
    },
  });
}, 60_000);
afterAll(async () => {
  await env?.cleanup();
  await rm(fakeBin, { recursive: true, force: true });
});

const SCRIPT_RUN = { goal: DEMO_GOAL, agent: 'script:./tools/agent.sh', policy: 'auto-pr' };

describe('sandbox: auto on a runner whose bubblewrap cannot confine', () => {
  it('refuses a script agent before it starts: the step fails naming the refusal and the ways out in inputs; nothing pushed, no PR, no goal', async () => {
    const before = originRefs();
    // The input over the runner's OMK_SANDBOX (the harness's off).
    const run = await env.run({ ...SCRIPT_RUN, sandbox: 'auto' }, { PATH: path });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(`::error::${REFUSAL}%0A${WAYS_OUT}`);
    expect(run.summary).toContain(`> ${REFUSAL}`);
    expect(run.summary).toContain('or for one run: command: run with a goal and sandbox: off.');
    // A workflow user sets an input: no CLI flag anywhere in what the step says.
    expect(run.stdout + run.summary).not.toContain('--sandbox');
    expect(run.outputs['goal-id'] ?? '').toBe('');
    expect(existsSync(marker)).toBe(false);
    expect(env.server.state.pulls.size).toBe(0);
    // Neither a goal's branch nor the state branch reached the origin.
    expect(originRefs()).toBe(before);
  }, 60_000);

  it('refuses it the same with no sandbox input, no OMK_SANDBOX and no config sandbox (auto by default)', async () => {
    const before = originRefs();
    const run = await env.run(SCRIPT_RUN, { PATH: path, OMK_SANDBOX: '' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(`::error::${REFUSAL}%0A${WAYS_OUT}`);
    expect(existsSync(marker)).toBe(false);
    expect(env.server.state.pulls.size).toBe(0);
    expect(originRefs()).toBe(before);
  }, 60_000);

  it("runs omk's own demo agent all the same, unconfined, and says so", async () => {
    const run = await env.run(
      { goal: DEMO_GOAL, agent: 'demo', sandbox: 'auto' },
      // A workflow run of its own: the same goal text in the same run would be the refused run's goal.
      { PATH: path, GITHUB_RUN_ID: '9002' },
    );
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.outputs.status).toBe('ready');
    const proof = JSON.parse(run.outputs['proof-json'] ?? '{}') as Proof;
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: 'unsandboxed' }),
    );
    expect(proof.agentRuns.map((r) => r.agent)).toEqual(['demo', 'demo']);
    expect(run.summary).toContain(
      'Agents and gates ran unsandboxed (sandbox: auto; unsandboxed: bwrap cannot create namespaces',
    );
  }, 120_000);
});
