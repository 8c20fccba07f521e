import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

let state: { dir: string; cleanup: () => Promise<void> };
let scratch: string;

beforeEach(async () => {
  state = await tempStateDir();
  // The demo creates its fixture repository under TMPDIR: give it one this test removes.
  scratch = await mkdtemp(join(tmpdir(), 'omk-demo-tmp-'));
});
afterEach(async () => {
  await state.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('omk demo', () => {
  it('runs offline end to end and leaves a ready proof with the fix shown fail-to-pass', async () => {
    const demo = await runOmk(['demo'], {
      cwd: scratch,
      stateDir: state.dir,
      env: { TMPDIR: scratch, GITHUB_TOKEN: 'ghs_demoMustNotUseThisToken0123456789', OMK_SANDBOX: 'auto' },
    });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('the bug is real');
    expect(demo.stdout).toMatch(/done: proof ready and merged in \d+\.\ds/);
    expect(demo.stdout).toMatch(/gated merge: the integrator PR is merged into main as [0-9a-f]{12}/);
    // Nothing left in TMPDIR but the fixture, and the per-user parent of the sandboxes' private
    // temps (mode 0700, kept like /tmp/tmux-UID), empty.
    const left = await readdir(scratch);
    const sandboxParents = left.filter((name) => /^omk-sandboxes-\d+$/.test(name));
    expect(left.filter((name) => !sandboxParents.includes(name))).toEqual([
      expect.stringMatching(/^omk-demo-/),
    ]);
    for (const parent of sandboxParents) expect(await readdir(join(scratch, parent))).toEqual([]);

    const shown = await runOmk(['goal', 'proof', 'latest', '--json'], { cwd: scratch, stateDir: state.dir });
    expect(shown.code, shown.stderr).toBe(0);
    const proof = proofSchema.parse(JSON.parse(shown.stdout));
    expect(proof.status).toBe('ready');
    expect(proof.execution).toBe('complete');
    expect(proof.slices).toHaveLength(2);
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    expect(proof.gates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'test', outcome: 'passed', sha: proof.git.headSha }),
      ]),
    );
    expect(proof.decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'oracle',
          decision: 'fail-to-pass shown',
          // Per test: the committed failing test is named.
          reason: expect.stringContaining('add sums two numbers failed on the base and passes on the head'),
        }),
      ]),
    );
    // The demo agent planned the goal through the agent planner (its fixture names it planner.agent).
    expect(demo.stdout).toMatch(
      /plan \(agent planner\): s1-fix-the-failing-test-in-src-math-js writes src\/math\.js; s2-add-a-regression-test writes test\/math\.test\.js/,
    );
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'planner',
        decision: 'agent planner',
        reason: expect.stringMatching(/^planned by agent demo \(0 tokens\) on attempt 1; /),
      }),
    );
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ kind: 'classification', decision: 'agent: fix' }),
    );
    expect(proof.knownGaps).toEqual([]);
    expect(proof.failures).toEqual([]);
    // sandbox: auto (the default): confined where this host can, and said so where it cannot.
    const host = await createBubblewrap({ env: { PATH: process.env.PATH ?? '' } }).probe();
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: host.available ? 'sandboxed' : 'unsandboxed' }),
    );
    expect(proof.warnings.some((w) => w.startsWith('Agents and gates ran unsandboxed'))).toBe(
      !host.available,
    );
  });
});
