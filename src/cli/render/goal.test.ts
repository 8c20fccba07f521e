import { describe, expect, it } from 'vitest';
import { goalRecord } from '../../runtime/delivery/test-delivery.js';
import { buildProof } from '../../runtime/proof/build.js';
import { evidence, gate } from '../../runtime/proof/test-evidence.js';
import { renderCreated, renderExecuted, renderList } from './goal.js';

describe('renderExecuted', () => {
  it('words each gate as the proof does, never the raw outcome: judged by exit code, could not start', () => {
    const proof = buildProof(
      evidence({
        gates: [
          gate(),
          gate({ kind: 'lint', outcome: 'pre_existing', exitCode: 1, required: true }),
          gate({ kind: 'format', outcome: 'unavailable', exitCode: 127, required: false }),
        ],
      }),
    );
    const text = renderExecuted({ goal: goalRecord(), proof, stoppedBy: null }, '/tmp/goal');
    expect(text).toMatch(/ {2}passed {7}test /);
    expect(text).toContain('failing on base too, judged by exit code lint');
    expect(text).toContain('could not start format (optional)');
    expect(text).not.toMatch(/^ {2}(pre_existing|unavailable) /m);
  });
});

describe('renderCreated', () => {
  const graph = {
    version: 1 as const,
    goalId: 'g1',
    planner: { name: 'heuristic', version: '1' },
    tasks: [],
    rejected: [],
  };
  const created = (plannerWhy: string) => ({
    goal: goalRecord(),
    graph,
    proof: buildProof(evidence()),
    plannerWhy,
  });

  it('says why this planner planned, so a goal with an agent that the heuristic planned says so', () => {
    const why = 'the demo agent plans only when planner.agent names it; the heuristic planned this goal';
    expect(renderCreated(created(why), '/tmp/goal')).toContain(`rejected (heuristic planner: ${why})\n`);
  });

  it("cuts a long reason (an agent's refused replies) to one readable line, pointing at the rest", () => {
    const why = `agent planner (claude) not used: reply refused (${'s1.writes: "x" is protected; '.repeat(20)})`;
    const line = renderCreated(created(why), '/tmp/goal')
      .split('\n')
      .find((l) => l.startsWith('plan: '));
    expect(line).toMatch(
      /^plan: 0 slice\(s\), 0 rejected \(heuristic planner: agent planner \(claude\) not used: .*… \(all of it in technical-plan\.md\)\)$/,
    );
    expect(line?.length).toBeLessThan(260);
  });
});

describe('renderList', () => {
  const withText = (normalized: string) => {
    const goal = goalRecord();
    return { ...goal, goal: { text: normalized, normalized } };
  };
  /** The goal text part of the goal's line: what follows its creation time. */
  const shown = (normalized: string) => {
    const goal = withText(normalized);
    return renderList([goal]).split(`${goal.createdAt}  `)[1];
  };

  it('shows a short goal whole, and cuts a long one at 60 code units with one ellipsis', () => {
    expect(shown('fix the failing test')).toBe('fix the failing test\n');
    expect(shown(`${'a'.repeat(59)}bc`)).toBe(`${'a'.repeat(59)}b…\n`);
    expect(shown(`${'a'.repeat(58)}……more`)).toBe(`${'a'.repeat(58)}…\n`);
  });

  it('never splits an emoji, a surrogate pair or a letter from its combining mark', () => {
    // The 60th code unit is the first half of 😀, or the e before its accent.
    expect(shown(`${'a'.repeat(59)}😀 and more`)).toBe(`${'a'.repeat(59)}…\n`);
    expect(shown(`${'a'.repeat(59)}e\u0301 and more`)).toBe(`${'a'.repeat(59)}…\n`);
    expect(shown(`${'a'.repeat(58)}e\u0301 and more`)).toBe(`${'a'.repeat(58)}e\u0301…\n`);
    const family = '👨\u200d👩\u200d👧\u200d👦';
    expect(shown(`${'a'.repeat(55)}${family} too`)).toBe(`${'a'.repeat(55)}…\n`);
  });
});
