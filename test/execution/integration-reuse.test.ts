import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
  SLICES,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { type DirSnapshot, snapshotDirs } from '../helpers/snapshot.js';

/**
 * The integrated tree of a one-slice goal is the slice's tree; where neither worktree holds
 * anything besides it (BUGGY_FIXTURE has no dependencies: omk prepares nothing), the slice's gate
 * results stand for it and the gates run once fewer. The proof names the reuse, and a merge
 * accepts exactly a reuse the evidence backs.
 */

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

async function runGoal(text: string, ...flags: string[]): Promise<string> {
  const agent = await env.kit.script('agent', `${touchWrites}\n${fixTheParser}`);
  const result = await env.omk('goal', 'run', text, '--agent', agent, '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/** Each gate's first run on a commit (a failure's rerun aside), from the goal's gate logs. */
async function gateRuns(id: string): Promise<string[]> {
  const dir = join(env.goalDir(id), 'artifacts', 'gates');
  const logs = (await readdir(dir)).filter((name) => name.endsWith('.log'));
  const runs: string[] = [];
  for (const log of logs) {
    const text = await readFile(join(dir, log), 'utf8');
    runs.push(
      ...[...text.matchAll(/^=== omk gate (\S+): run 1 on ([0-9a-f]{40})/gm)].map((m) => `${m[1]}@${m[2]}`),
    );
  }
  return runs.sort();
}

const executionPath = (id: string) => join(env.goalDir(id), 'execution.json');

describe("the integrated tree that is one slice's tree", () => {
  it("takes the slice's gate results: one gate run fewer, and the proof names the slice and the tree", async () => {
    env = await createExecutionEnv(BUGGY_FIXTURE);
    const id = await runGoal(GOALS.single);

    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    const head = proof.git.headSha ?? '';
    const slice = proof.slices.find((s) => s.id === SLICES.bug);
    const sliceHead = slice?.headSha ?? '';
    const tree = git(env.repo.root, 'rev-parse', `${sliceHead}^{tree}`);
    expect(git(env.repo.root, 'rev-parse', `${head}^{tree}`)).toBe(tree);
    expect(proof.gates).toEqual([
      expect.objectContaining({
        name: 'test',
        outcome: 'passed',
        sha: head,
        reusedFrom: { slice: SLICES.bug, sha: sliceHead, tree },
      }),
    ]);
    // The base's run before any agent and the slice's: none on the integrated head.
    expect(await gateRuns(id)).toEqual([`test@${proof.git.baseSha}`, `test@${sliceHead}`].sort());

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.tree)).toEqual([tree]);
    expect(eventsOfType(events, 'integration_done').map((e) => e.data)).toEqual([
      expect.objectContaining({
        headSha: head,
        tree,
        gates: ['test:passed'],
        reusedFrom: { slice: SLICES.bug, sha: sliceHead, tree },
      }),
    ]);
    const markdown = (await env.omk('goal', 'proof', id, '--format', 'md')).stdout;
    expect(markdown).toContain(`Same tree as slice \`${SLICES.bug}\``);
    expect(markdown).toContain('its gate results, not run again: `test`.');
  });

  it('runs the gates on the integrated tree of two slices', async () => {
    env = await createExecutionEnv(BUGGY_FIXTURE);
    const id = await runGoal(GOALS.parallel);

    const proof = await env.proof(id);
    expect(proof.slices.map((s) => s.status)).toEqual(['done', 'done']);
    const head = proof.git.headSha ?? '';
    expect(proof.gates).toEqual([expect.objectContaining({ name: 'test', sha: head })]);
    expect(proof.gates[0]?.reusedFrom).toBeUndefined();
    expect((await gateRuns(id)).filter((run) => run === `test@${head}`)).toEqual([`test@${head}`]);
    const done = eventsOfType(await env.events(id), 'integration_done');
    expect(done.map((e) => e.data.reusedFrom)).toEqual([undefined]);
  });
});

describe('merging a goal whose integrated tree took a slice’s results', () => {
  // The delivered goal is made once: a later test puts back a copy of the repository and state
  // directory it left, at the same paths (test/helpers/snapshot.ts), which the test's cleanup
  // removes again.
  let delivered: { id: string; env: ExecutionEnv; snapshot: DirSnapshot } | undefined;
  afterAll(async () => {
    await delivered?.snapshot.remove();
  });

  async function deliveredGoal(): Promise<string> {
    if (delivered !== undefined) {
      env = delivered.env;
      await delivered.snapshot.restore();
      return delivered.id;
    }
    env = await createExecutionEnv(BUGGY_FIXTURE);
    const id = await runGoal(GOALS.single, '--merge-policy', 'manual');
    expect((await env.proof(id)).gates[0]?.reusedFrom).toBeDefined();
    const opened = await env.omk('goal', 'open-pr', id, '--policy', 'auto-pr');
    expect(opened.code, opened.stderr).toBe(0);
    delivered = { id, env, snapshot: await snapshotDirs([dirname(env.repo.root), env.stateDir]) };
    return id;
  }

  it('merges when the evidence backs the reuse', async () => {
    const id = await deliveredGoal();
    const result = await env.omk('goal', 'merge', id, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ merged: true });
  });

  it('refuses a reuse claim whose tree is not the integrated tree, and leaves the base alone', async () => {
    const id = await deliveredGoal();
    const before = git(env.repo.root, 'rev-parse', 'main');
    const record = JSON.parse(await readFile(executionPath(id), 'utf8')) as {
      finalGates: { reusedFrom?: { tree: string } }[];
    };
    const forgedTree = 'f'.repeat(40);
    for (const gate of record.finalGates) if (gate.reusedFrom) gate.reusedFrom.tree = forgedTree;
    await writeFile(executionPath(id), `${JSON.stringify(record, null, 2)}\n`);

    const result = await env.omk('goal', 'merge', id, '--json');
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ merged: false });
    expect(git(env.repo.root, 'rev-parse', 'main')).toBe(before);
    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toContainEqual({
      code: 'gate_reuse_unproven',
      message: expect.stringContaining(
        `on tree ${forgedTree.slice(0, 12)}, but the integrated head's tree is`,
      ),
    });
  });
});
