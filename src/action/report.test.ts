import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderStepSummary } from '../runtime/app/render.js';
import { buildProof } from '../runtime/proof/build.js';
import { evidence, gate, HEAD_SHA } from '../runtime/proof/test-evidence.js';
import { actionYmlText } from './action-yml-text.js';
import { gateAnnotations } from './annotations.js';
import type { CommandOutcome } from './outcome.js';
import { verdict, wordOutcome } from './outcome.js';
import { actionOutputs } from './outputs.js';
import { ACTION_STEPS } from './wording.js';

const lintFailure = gate({
  kind: 'lint',
  required: true,
  outcome: 'failed',
  exitCode: 1,
  tail: 'src/math.js:3: lint error\nsrc/util.js:7:2: error: no debugger',
});

function outcome(overrides: Partial<CommandOutcome> = {}): CommandOutcome {
  const proof = buildProof(evidence({ gates: [gate({ required: true }), lintFailure] }));
  return {
    command: 'run',
    goalId: proof.goalId,
    proof,
    proofPath: '/runner/temp/omk/state/goals/g/proof.json',
    slices: [{ slice: 's1', title: 'Fix | the *crash*', wave: 0 }],
    judged: true,
    refused: null,
    notes: [],
    summaryNotes: [],
    dryRunPlan: null,
    sliceStatus: null,
    ...overrides,
  };
}

describe('wordOutcome', () => {
  it("keeps a merge's note in the log but out of the summary, whose progress says the verdict", () => {
    const { refused: _refused, summaryNotes: _summary, notes: _notes, ...rest } = outcome();
    const worded = wordOutcome({
      ...rest,
      failure: null,
      notes: [
        { code: 'merge_blocked', pr: 4, blockedBy: 'proof_check', reasons: ['no omk/proof run'] },
        { code: 'dry_run' },
      ],
    });
    expect(worded.notes).toEqual([
      'merge blocked by proof_check (PR #4): no omk/proof run',
      'dry-run: nothing was pushed, opened or merged',
    ]);
    expect(worded.summaryNotes).toEqual(['dry-run: nothing was pushed, opened or merged']);
  });
});

describe('verdict', () => {
  it('fails a failed proof whatever fail-on-not-ready says', () => {
    const failed = outcome();
    expect(failed.proof.status).toBe('failed');
    expect(verdict(failed, false)).toMatch(
      /^The proof of goal .+ failed: .+\. The job summary has the evidence\.$/,
    );
  });

  it('fails a proof that is not ready unless fail-on-not-ready is false', () => {
    const proof = buildProof(evidence({ execution: 'in_progress', gates: [gate({ required: true })] }));
    const notReady = outcome({ proof });
    expect(notReady.proof.status).toBe('not_ready');
    expect(verdict(notReady, true)).toMatch(/is not ready \(known gaps: .+\)\. .*fail-on-not-ready: false/);
    expect(verdict(notReady, false)).toBeNull();
  });

  it('does not judge commands that only read or deliver, but always fails a refusal', () => {
    expect(verdict(outcome({ judged: false }), true)).toBeNull();
    expect(verdict(outcome({ judged: false, refused: 'blocked by checks' }), false)).toBe(
      'blocked by checks',
    );
  });
});

describe('gateAnnotations', () => {
  it('puts failing gate output on its lines, relative to the workspace', () => {
    const groups = [{ gates: outcome().proof.gates, root: null }];
    const annotations = gateAnnotations(groups, { repoRoot: '/ws/app', workspace: '/ws' });
    expect(annotations).toEqual([
      {
        level: 'error',
        message: 'lint error',
        target: { title: 'omk gate lint: failed', file: 'app/src/math.js', startLine: 3, endLine: 3 },
      },
      {
        level: 'error',
        message: 'error: no debugger',
        target: { title: 'omk gate lint: failed', file: 'app/src/util.js', startLine: 7, endLine: 7 },
      },
    ]);
  });

  it('annotates a failing gate whose output names no line, and warns for pre-existing failures', () => {
    const proof = buildProof(
      evidence({
        gates: [
          gate({ kind: 'test', outcome: 'timeout', exitCode: null, tail: 'killed after 10m' }),
          gate({ kind: 'lint', outcome: 'pre_existing', exitCode: 1, tail: 'src/a.js:1: lint error' }),
        ],
      }),
    );
    const annotations = gateAnnotations([{ gates: proof.gates, root: null }], {
      repoRoot: '/ws',
      workspace: '/ws',
    });
    expect(annotations.map((a) => [a.level, a.target.file ?? null])).toEqual([
      ['error', null],
      ['warning', 'src/a.js'],
    ]);
    expect(annotations[0]?.message).toBe(
      `test timed out on ${HEAD_SHA.slice(0, 7)}; its output is in the job summary.`,
    );
  });
});

describe('gateAnnotations in slice worktrees', () => {
  it('makes paths under the worktree repository paths, and annotates each line once', () => {
    const tail = '/state/worktrees/g/s1/src/a.js:4: lint error\n/state/worktrees/g/s1/src/a.js:4: lint error';
    const lint = gate({ kind: 'lint', outcome: 'failed', exitCode: 1, tail });
    const group = { gates: [lint], root: '/state/worktrees/g/s1' };
    const annotations = gateAnnotations([group, group], { repoRoot: '/ws', workspace: '/ws' });
    expect(annotations.map((a) => [a.level, a.target.file, a.target.startLine])).toEqual([
      ['error', 'src/a.js', 4],
    ]);
  });
});

describe('outputs and summary', () => {
  it('sets every output action.yml declares, and only those, lists as JSON', () => {
    const outputs = actionOutputs(outcome());
    const { outputs: declared } = parse(actionYmlText()) as { outputs: Record<string, unknown> };
    expect(Object.keys(outputs)).toEqual(Object.keys(declared));
    expect(outputs.merged).toBe('false');
    expect(outputs['integrator-pr']).toBe('');
    expect(JSON.parse(outputs['pr-urls'])).toEqual([]);
    expect(JSON.parse(outputs.slices)).toEqual([{ slice: 's1', title: 'Fix | the *crash*', wave: 0 }]);
    expect(actionOutputs(outcome({ sliceStatus: 'done' })).status).toBe('done');
  });

  it('escapes user text and includes the proof with its known gaps', () => {
    const summary = renderStepSummary(outcome({ notes: ['merge policy is *disabled*'] }), null, ACTION_STEPS);
    expect(summary).toContain('| 0 | `s1` | Fix \\| the \\*crash\\* |');
    expect(summary).toContain('- merge policy is \\*disabled\\*');
    expect(summary).toContain('### Known gaps');
    expect(summary).toContain('| ❌ failed | `lint` |');
  });
});
