import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderProofDigestBlock } from '../../src/runtime/delivery/proof-block.js';
import { computeProofDigest } from '../../src/runtime/proof/digest.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import {
  type ActionEnv,
  type ActionRun,
  createActionEnv,
  errorLines,
  NO_CI_CONFIG,
  separateJob,
} from './harness.js';

/**
 * A run job delivers a `not_ready` goal with a manual merge policy: the integrator PR is open.
 * Someone with push access then flips the goal to `ready` on the state branch — proof.json
 * re-digested (the digest is unkeyed), and goal.json's status too — and a separate job runs the
 * Action's `merge`. It must refuse, say why, and merge nothing.
 */

// A performance goal with no benchmark gate comes out `not_ready` (nothing measured a speed-up)
// with its one slice done and delivered. The agent makes the fixture's tests pass (its `add` is the
// committed bug), its slice's one change.
const PERF_GOAL = 'make multiply in src/math.js 2x faster';
const AGENT = `#!/bin/sh
sed -i 's/return a - b;/return a + b;/' src/math.js
`;

let env: ActionEnv;
let goalId = '';
let mainBefore = '';

/** Rewrites the goal on the state branch as a forger with push access would; returns the flipped digest. */
async function flipToReady(alsoGoalJson: boolean): Promise<string> {
  const dir = await mkdtemp(join(env.runnerTemp, 'forger-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--branch', 'omk/state', env.repo.origin, dir]);
    const path = join(dir, 'goals', goalId, 'proof.json');
    const proof = proofSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(proof.status).toBe('not_ready');
    const { digest: _old, ...body } = { ...proof, status: 'ready' as const, knownGaps: [] };
    const digest = computeProofDigest(body);
    await writeFile(path, `${JSON.stringify({ ...body, digest }, null, 2)}\n`);
    if (alsoGoalJson) {
      const goalPath = join(dir, 'goals', goalId, 'goal.json');
      const goal = JSON.parse(await readFile(goalPath, 'utf8')) as { status: string };
      await writeFile(goalPath, `${JSON.stringify({ ...goal, status: 'ready' }, null, 2)}\n`);
    }
    git(dir, '-c', 'user.name=forger', '-c', 'user.email=f@example.com', 'commit', '-q', '-am', 'ready');
    git(dir, 'push', '--quiet', 'origin', 'omk/state');
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Edits the goal on the state branch in a clone, as a forger with push access would. */
async function forge(edit: (dir: string) => void): Promise<void> {
  const dir = await mkdtemp(join(env.runnerTemp, 'forger-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--branch', 'omk/state', env.repo.origin, dir]);
    edit(dir);
    git(dir, '-c', 'user.name=forger', '-c', 'user.email=f@example.com', 'commit', '-q', '-am', 'forged');
    git(dir, 'push', '--quiet', 'origin', 'omk/state');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function expectRefused(run: ActionRun): string {
  expect(run.code, run.stdout.slice(-3000)).toBe(1);
  expect(run.outputs.merged).toBe('false');
  expect([...env.server.state.pulls.values()].filter((pull) => pull.merged)).toEqual([]);
  expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
  return errorLines(run).join('\n');
}

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG, executables: { 'tools/agent.sh': AGENT } });
  mainBefore = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  const run = await env.run({
    goal: PERF_GOAL,
    agent: 'script:./tools/agent.sh',
    policy: 'auto-pr',
    'merge-policy': 'manual',
    'llm-planner': 'false',
    sandbox: 'off',
    'fail-on-not-ready': 'false',
  });
  expect(run.code, run.stdout.slice(-3000)).toBe(0);
  expect(run.outputs.status).toBe('not_ready');
  goalId = run.outputs['goal-id'] ?? '';
  // Delivered: the integrator PR is open, so only the merge's own checks stand in the way.
  expect([...env.server.state.pulls.values()].some((pull) => pull.state === 'open')).toBe(true);
}, 240_000);
afterAll(async () => {
  await env.cleanup();
});

describe('a not_ready proof flipped to ready on the state branch, then an Action merge job', () => {
  it('proof.json flipped and re-digested: refused, saying proof.json does not match its evidence', async () => {
    await flipToReady(false);
    const errors = expectRefused(await separateJob(env, { command: 'merge', 'goal-id': goalId }));
    expect(errors).toContain(
      'proof.json does not match its evidence (status ready where the evidence gives not_ready)',
    );
  }, 120_000);

  it('evidence forged with it, so the rebuilt proof is ready and proof.json and the PR body agree: refused on the omk/proof check run alone', async () => {
    const tip = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state');
    // The forger makes the goal no performance goal (its oracle's class, which asks for the
    // benchmark) and marks it ready: the evidence now gives ready.
    await forge((dir) => {
      const path = join(dir, 'goals', goalId, 'goal.json');
      const goal = JSON.parse(readFileSync(path, 'utf8')) as {
        status: string;
        oracle: { class: string | null };
      };
      expect(goal.oracle.class).toBe('performance');
      writeFileSync(
        path,
        `${JSON.stringify({ ...goal, status: 'ready', oracle: { ...goal.oracle, class: null } }, null, 2)}\n`,
      );
    });
    // A merge job rebuilds the proof from that evidence (ready), refuses on what still disagrees,
    // and saves the rebuilt proof to the state branch: proof.json now agrees with the evidence.
    await separateJob(env, { command: 'merge', 'goal-id': goalId });
    const saved = proofSchema.parse(
      JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`)),
    );
    expect(saved.status).toBe('ready');
    // The PR body's block, which anyone who can push can edit, shown for that proof too.
    // The integrator PR: the last one opened.
    const pull = [...env.server.state.pulls.values()].filter((found) => found.state === 'open').at(-1);
    if (pull === undefined) throw new Error('no integrator PR');
    const body = pull.body;
    pull.body = body.replace(
      /<!-- omk:proof(?:-digest)? v1 [A-Za-z0-9_-]+ -->/,
      renderProofDigestBlock(saved),
    );
    try {
      const errors = expectRefused(await separateJob(env, { command: 'merge', 'goal-id': goalId }));
      expect(errors).not.toContain('proof.json does not match its evidence');
      expect(errors).toContain('is blocked by proof_check (');
      expect(errors).not.toContain('proof_edited');
      expect(errors).toMatch(
        /the omk\/proof check run on [0-9a-f]{12} concludes neutral where the proof rebuilt from the evidence is ready/,
      );
    } finally {
      pull.body = body;
      // The branch put back (a force-push) for the next test.
      git(env.repo.origin, 'update-ref', 'refs/heads/omk/state', tip);
    }
  }, 180_000);

  it('goal.json flipped to ready as well: still refused on the evidence, nothing merged', async () => {
    await flipToReady(true);
    const errors = expectRefused(await separateJob(env, { command: 'merge', 'goal-id': goalId }));
    expect(errors).toContain(
      'proof.json does not match its evidence (status ready where the evidence gives not_ready)',
    );
    expect(errors).toMatch(/proof_not_ready|the proof is not_ready/);
  }, 120_000);
});
