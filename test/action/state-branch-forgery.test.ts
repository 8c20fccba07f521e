import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { computeProofDigest } from '../../src/runtime/proof/digest.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
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
 * The state branch is input anyone with push access can write. A run job delivers a ready goal
 * (manual merge); between it and a merge job, someone replaces proof.json on `omk/state` with one
 * re-digested (the digest is unkeyed: anyone can recompute it). The merge job must refuse, saying
 * why, and merge nothing; the untouched goal then merges, so it is the forgery that was refused.
 */
let env: ActionEnv;
let goalId = '';
let mainBefore = '';

/** Rewrites the goal's proof.json on the state branch, as a forger with push access would. */
async function forgeProof(edit: (proof: Proof) => Proof): Promise<Proof> {
  const dir = await mkdtemp(join(env.runnerTemp, 'forger-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--branch', 'omk/state', env.repo.origin, dir]);
    const path = join(dir, 'goals', goalId, 'proof.json');
    const forged = edit(proofSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
    const signed = { ...forged, digest: computeProofDigest(forged) };
    await writeFile(path, `${JSON.stringify(signed, null, 2)}\n`);
    git(dir, '-c', 'user.name=forger', '-c', 'user.email=f@example.com', 'commit', '-q', '-am', 'ready');
    git(dir, 'push', '--quiet', 'origin', 'omk/state');
    return signed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Replaces one file of the goal on the state branch with `content` by hand (git plumbing, no
 * checkout), as an orphan commit force-pushed over the branch: its history rewritten too.
 * Returns the tip it replaced.
 */
function forgeFile(file: string, content: string): string {
  const origin = env.repo.origin;
  const tip = git(origin, 'rev-parse', 'refs/heads/omk/state');
  const index = join(env.runnerTemp, `forger-index-${file.replace(/\W/g, '-')}`);
  const withIndex = { ...process.env, GIT_INDEX_FILE: index };
  execFileSync('git', ['read-tree', tip], { cwd: origin, env: withIndex });
  const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: origin, input: content })
    .toString()
    .trim();
  const path = `goals/${goalId}/${file}`;
  execFileSync('git', ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], {
    cwd: origin,
    env: withIndex,
  });
  const tree = execFileSync('git', ['write-tree'], { cwd: origin, env: withIndex }).toString().trim();
  const commit = git(origin, 'commit-tree', tree, '-m', 'forged');
  git(origin, 'update-ref', 'refs/heads/omk/state', commit);
  return tip;
}

function mergeJob(): Promise<ActionRun> {
  return separateJob(env, { command: 'merge', 'goal-id': goalId });
}

function expectRefused(run: ActionRun, reason: string): void {
  expect(run.code, run.stdout.slice(-3000)).toBe(1);
  expect(run.outputs.merged).toBe('false');
  expect(errorLines(run).join('\n')).toContain(reason);
  expect([...env.server.state.pulls.values()].filter((pull) => pull.merged)).toEqual([]);
  expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
}

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG });
  mainBefore = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  const run = await env.run({
    goal: DEMO_GOAL,
    agent: 'demo',
    policy: 'auto-pr',
    'merge-policy': 'manual',
    'llm-planner': 'false',
  });
  expect(run.code, run.stdout.slice(-3000)).toBe(0);
  expect(run.outputs.status).toBe('ready');
  goalId = run.outputs['goal-id'] ?? '';
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('a proof replaced on the state branch between the run job and the merge job', () => {
  it('naming another head, re-digested: refused, saying proof.json does not match its evidence', async () => {
    let head = '';
    const forged = await forgeProof((proof) => {
      head = proof.git.headSha ?? '';
      return { ...proof, git: { ...proof.git, headSha: mainBefore } };
    });
    expect(forged.git.headSha).toBe(mainBefore);
    expectRefused(
      await mergeJob(),
      `proof.json does not match its evidence (headSha ${mainBefore} where the evidence gives ${head})`,
    );
  }, 120_000);

  it('naming another base, re-digested: refused the same way', async () => {
    let base = '';
    const other = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state');
    await forgeProof((proof) => {
      base = proof.git.baseSha ?? '';
      return { ...proof, git: { ...proof.git, baseSha: other } };
    });
    expectRefused(
      await mergeJob(),
      `proof.json does not match its evidence (baseSha ${other} where the evidence gives ${base})`,
    );
  }, 120_000);

  it.each([
    ['goal.json', '{"id": ', 'goal.json is not valid JSON'],
    ['proof.json', '{"version": 1, "status": "ready"}\n', 'proof.json is invalid: ✖ Invalid input'],
    ['events.jsonl', 'not json at all\n', 'events.jsonl holds no event'],
  ])(
    '%s malformed on the state branch: refused, naming the file and what to do; nothing merged',
    async (file, content, why) => {
      const tip = forgeFile(file, content);
      try {
        const run = await mergeJob();
        expect(run.code, run.stdout.slice(-3000)).toBe(1);
        expect([...env.server.state.pulls.values()].filter((pull) => pull.merged)).toEqual([]);
        expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
        const said = errorLines(run).join('\n');
        const commit = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state').slice(0, 12);
        expect(said).toContain(
          `Goal ${goalId} on the state branch (commit ${commit}) is not as omk writes it: goals/${goalId}/${why}`,
        );
        expect(said).toContain('push back the last commit omk made, or delete the goal');
        // The file on the branch is named, not this runner's copy of it.
        expect(said).not.toContain(env.runnerTemp);
      } finally {
        // The history rewritten back, between two jobs: the next job reads the tip it finds.
        git(env.repo.origin, 'update-ref', 'refs/heads/omk/state', tip);
      }
    },
    120_000,
  );

  it('left alone, the same goal merges: it was the forgery that was refused', async () => {
    const run = await mergeJob();
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.outputs.merged).toBe('true');
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).not.toBe(mainBefore);
  }, 120_000);
});
