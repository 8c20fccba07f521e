import { describe, expect, it } from 'vitest';
import { emptyExecution } from '../controller/execution-state.js';
import { task } from '../delivery/test-delivery.js';
import { protectedWriteViolation } from '../graph/protected.js';
import type { TaskGraph } from '../graph/schema.js';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { evidenceFromExecution } from './assemble.js';
import { buildProof } from './build.js';
import { gapText } from './gaps.js';
import { evidence } from './test-evidence.js';

// A goal whose every planned slice was rejected (tomli's layout: "fix the failing test …" made the
// tests workflow the slice's write) has nothing to run; before, `goal run` ended not_ready with
// gaps about a missing head and gates, none saying why nothing ran.

function graphRejecting(rejected: TaskGraph['rejected']): TaskGraph {
  return { version: 1, goalId: 'g1', planner: { name: 'heuristic', version: '1' }, tasks: [], rejected };
}

const WORKFLOW = {
  taskId: 's1-update-the-tests-workflow',
  code: 'protected_path' as const,
  reason: `write path ${protectedWriteViolation('.github/workflows/tests.yaml', [])}`,
};

function proofOf(graph: TaskGraph) {
  const execution = evidenceFromExecution(emptyExecution(), graph);
  return buildProof(evidence({ extraGaps: execution.extraGaps, slices: execution.slices }));
}

describe('a plan with no slice to run', () => {
  it('is blocked on a person, the first gap naming each rejected slice and why', () => {
    const proof = proofOf(graphRejecting([WORKFLOW]));
    expect(proof.status).toBe('blocked_on_human');
    const [first] = proof.knownGaps;
    expect(first?.code).toBe('plan_empty');
    expect(first?.message).toBe(
      `The plan has no slice to run: 1 slice was rejected (s1-update-the-tests-workflow: ${WORKFLOW.reason}).`,
    );
    // A workflow the goal did not declare it would change: the way out is to declare it.
    expect(gapText(first ?? { code: '', message: '' }, NEUTRAL_STEPS)).toContain(
      `start it again declaring so: 'goal run "<goal>" --allow-workflow-edits'`,
    );
  });

  it('any other rejection (or none) asks for a narrower goal, never for a flag that would not help', () => {
    const secret = {
      taskId: 's1-rotate-key',
      code: 'protected_path' as const,
      reason: 'write path .env is protected',
    };
    const [gap] = proofOf(graphRejecting([secret])).knownGaps;
    expect(gap?.code).toBe('plan_empty');
    expect(gapText(gap ?? { code: '', message: '' }, NEUTRAL_STEPS)).not.toContain('--allow-workflow-edits');
    const [none] = proofOf(graphRejecting([])).knownGaps;
    expect(none?.message).toBe('The plan has no slice to run: the planner proposed none.');
    expect(none?.hint).toBeDefined();
  });

  it('a plan with a slice has no such gap', () => {
    const withSlice = { ...graphRejecting([WORKFLOW]), tasks: [task({ id: 's2-fix-parser' })] };
    expect(evidenceFromExecution(emptyExecution(), withSlice).extraGaps).toEqual([]);
    expect(
      evidenceFromExecution(emptyExecution(), graphRejecting([WORKFLOW])).extraGaps.map((gap) => gap.code),
    ).toEqual(['plan_empty']);
  });
});
