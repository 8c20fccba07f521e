import { describe, expect, it } from 'vitest';
import { goalRecord, notReadyProof } from '../delivery/test-delivery.js';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { buildProof } from '../proof/build.js';
import { evidence, gate } from '../proof/test-evidence.js';
import {
  renderBudgetText,
  renderCleanedText,
  renderCreatedText,
  renderDeliveredText,
  renderExecutedText,
  renderFixText,
  renderListText,
  renderMergeText,
  renderResumedText,
  renderTransitionText,
} from './goal-text.js';
import { fixVerdict, mergeVerdict } from './reports.js';

describe('renderExecutedText', () => {
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
    const text = renderExecutedText({ goal: goalRecord(), proof, stoppedBy: null }, NEUTRAL_STEPS);
    expect(text).toMatch(/ {2}passed {7}test /);
    expect(text).toContain('failing on base too, judged by exit code lint');
    expect(text).toContain('could not start format (optional)');
    expect(text).not.toMatch(/^ {2}(pre_existing|unavailable) /m);
  });
});

describe('renderCreatedText', () => {
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
    gates: null,
  });

  it('says why this planner planned, so a goal with an agent that the heuristic planned says so', () => {
    const why = 'the demo agent plans only when planner.agent names it; the heuristic planned this goal';
    expect(renderCreatedText(created(why), NEUTRAL_STEPS)).toContain(
      `rejected (heuristic planner: ${why})\n`,
    );
  });

  it("cuts a long reason (an agent's refused replies) to one readable line, pointing at the rest", () => {
    const why = `agent planner (claude) not used: reply refused (${'s1.writes: "x" is protected; '.repeat(20)})`;
    const line = renderCreatedText(created(why), NEUTRAL_STEPS)
      .split('\n')
      .find((l) => l.startsWith('plan: '));
    expect(line).toMatch(
      /^plan: 0 slice\(s\), 0 rejected \(heuristic planner: agent planner \(claude\) not used: .*… \(all of it in technical-plan\.md\)\)$/,
    );
    expect(line?.length).toBeLessThan(260);
  });

  it('names every gate that blocks the goal as its proof does: a format gate required by default, a custom one marked', () => {
    const goal = goalRecord();
    const oracle = { ...goal.oracle, testable: true, requiredGates: ['test', 'lint'] };
    const planned = (name: string, kind: string, required: boolean) => ({
      name,
      kind,
      required,
      argv: ['npm', 'run', name],
    });
    const run = [
      planned('format:check', 'format', true),
      planned('lint', 'lint', true),
      planned('test', 'test', true),
      planned('e2e', 'custom', true),
      planned('bench', 'benchmark', false),
    ];
    // As creation builds it: no gate ran, the plan's gates (its gates_required event) are the evidence.
    const proof = buildProof(
      evidence({
        oracle: { ...evidence().oracle, ...oracle },
        execution: 'not_started',
        gates: [],
        plannedGates: run,
      }),
    );
    const text = renderCreatedText(
      { ...created('x'), goal: { ...goal, oracle }, proof, gates: { run, absent: [], notes: [] } },
      NEUTRAL_STEPS,
    );
    expect(text).toContain(
      'required gates: test, lint, format:check (required by default), e2e (marked required)\n',
    );
    expect(text).toContain('gates that will run: format:check (npm run format:check), lint');
    expect(text).toContain('bench (npm run bench) [optional]');
    expect(proof.requiredGateNames).toEqual(['format:check', 'lint', 'test', 'e2e']);
  });
});

describe('a merge in words and its verdict', () => {
  it('says what blocks a refused merge, each reason on its line, and calls it refused', () => {
    const blocked = {
      merged: false as const,
      blockedBy: 'conflict' as const,
      reasons: [{ blocker: 'conflict', detail: 'src/a.js conflicts with main' }],
      pr: 7,
    };
    expect(renderMergeText(blocked, 'g-1', NEUTRAL_STEPS)).toBe(
      'not merged: PR #7 is blocked by conflict\n  - conflict: src/a.js conflicts with main\n' +
        'what to do:\n  - conflict: start a new goal from the current base\n',
    );
    // A default goal's PRs on the local forge: each blocker once, with a way out (no dead end).
    const local = renderMergeText(
      {
        merged: false,
        blockedBy: 'policy',
        reasons: [
          { blocker: 'policy', detail: 'merge policy is disabled' },
          { blocker: 'draft', detail: 'PR #7 is a draft' },
        ],
        pr: 7,
      },
      'g-1',
      NEUTRAL_STEPS,
    );
    expect(local).toContain('what to do:\n  - policy: the merge policy is set when a goal is created');
    expect(local).toContain(
      "  - draft: open the goal's PRs again with the auto-pr delivery policy: that marks its draft PRs ready",
    );
    expect(mergeVerdict({ result: blocked, withheld: null })).toBe('refused');
  });

  it("names the commands that read a not-ready proof and accept the goal, in the door's words", () => {
    const waiting = {
      merged: false as const,
      blockedBy: 'proof_not_ready' as const,
      reasons: [{ blocker: 'proof_not_ready', detail: 'the proof is blocked_on_human on agents_unconfined' }],
      pr: 7,
    };
    expect(renderMergeText(waiting, 'g-1', NEUTRAL_STEPS)).toContain(
      "  - proof_not_ready: read the proof's gaps ('goal proof g-1'): only a ready proof is merged, or one " +
        "blocked only on gaps a person closes by accepting the goal ('goal accept g-1'), once they have\n",
    );
  });

  it('names the merge commit, says when an earlier merge was only recorded now, and calls it ok', () => {
    const merged = { merged: true as const, sha: 'abc', pr: 7, proof: buildProof(evidence()) };
    expect(renderMergeText(merged, 'g-1', NEUTRAL_STEPS)).toBe('merged PR #7 as abc\n');
    expect(renderMergeText({ ...merged, recovered: true }, 'g-1', NEUTRAL_STEPS)).toContain(
      '(an earlier merge landed; recorded now)',
    );
    expect(mergeVerdict({ result: merged, withheld: null })).toBe('ok');
  });

  it('a merge whose awaited PRs a person stopped is not ok, as the stop says: refused, or interrupted when paused', () => {
    const note = {
      code: 'withheld' as const,
      policy: 'draft-pr' as const,
      opened: [],
      withheld: ['integrator'],
    };
    expect(mergeVerdict({ result: null, withheld: { ...note, status: 'cancelled' } })).toBe('refused');
    expect(mergeVerdict({ result: null, withheld: { ...note, status: 'rejected' } })).toBe('refused');
    expect(mergeVerdict({ result: null, withheld: { ...note, status: 'paused' } })).toBe('interrupted');
  });
});

describe('a fix in words and its verdict', () => {
  const report = {
    pr: 3,
    headSha: '0123456789abcdef',
    changedFiles: ['src/a.js'],
    agentFailure: null,
    proofStatus: 'ready' as const,
    failing: [],
    delivered: true,
  };
  const fix = {
    kind: 'applied' as const,
    requestIds: ['r1'],
    pr: 3,
    sliceId: null,
    report,
    proofStatus: 'ready' as const,
    knownGaps: [],
    replied: 1,
    resolved: 1,
    withheld: null,
  };

  it('a fix whose PRs a person stopped updating is not ok, as the stop says', () => {
    const note = {
      code: 'withheld' as const,
      policy: 'draft-pr' as const,
      opened: [3],
      withheld: ['integrator'],
    };
    expect(fixVerdict({ ...fix, withheld: { ...note, status: 'paused' } })).toBe('interrupted');
    expect(fixVerdict({ ...fix, kind: 'failed', withheld: { ...note, status: 'cancelled' } })).toBe(
      'refused',
    );
  });

  it('names the fix commit and the proof after it; an applied fix is ok', () => {
    expect(renderFixText(fix, NEUTRAL_STEPS)).toBe('PR #3: applied (fix 0123456789ab); proof ready\n');
    expect(fixVerdict(fix)).toBe('ok');
  });

  it('says when the agent changed nothing; a failed fix is not ready', () => {
    const failed = {
      ...fix,
      kind: 'failed' as const,
      proofStatus: 'not_ready' as const,
      report: { ...report, headSha: null },
    };
    expect(renderFixText(failed, NEUTRAL_STEPS)).toBe('PR #3: failed (no change); proof not_ready\n');
    expect(fixVerdict(failed)).toBe('not_ready');
    expect(fixVerdict({ kind: 'already_handled', requestIds: ['r1'] })).toBe('ok');
  });

  it('names what keeps the proof from ready after the fix, with the next step', () => {
    const conflicted = {
      ...fix,
      kind: 'failed' as const,
      proofStatus: 'not_ready' as const,
      knownGaps: [
        {
          code: 'integration_conflict' as const,
          message: 'Merging omk/g/s1 conflicts in src/math.js: the merge was aborted.',
          hint: ['Resolve it, then resume the goal (', { step: 'resume' as const, goalId: 'g' }, ').'],
        },
      ],
    };
    expect(renderFixText(conflicted, NEUTRAL_STEPS)).toBe(
      'PR #3: failed (fix 0123456789ab); proof not_ready\n' +
        "gap integration_conflict: Merging omk/g/s1 conflicts in src/math.js: the merge was aborted. Resolve it, then resume the goal ('goal resume g').\n",
    );
  });
});

describe('renderListText', () => {
  const withText = (normalized: string) => {
    const goal = goalRecord();
    return { ...goal, goal: { text: normalized, normalized } };
  };
  /** The goal text part of the goal's line: what follows its creation time. */
  const shown = (normalized: string) => {
    const goal = withText(normalized);
    return renderListText({ goals: [goal], scope: null, leftOut: 0 }).split(`${goal.createdAt}  `)[1];
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

describe('renderCleanedText', () => {
  const cleaned = { worktrees: ['/w/a', '/w/b'], cache: true };
  it('says why a goal not done yet keeps its branches, and not for a done one whose branches are gone', () => {
    expect(
      renderCleanedText([
        { goalId: 'open-1a2b3c', ...cleaned, branches: [], branchesKept: true },
        { goalId: 'done-1a2b3c', ...cleaned, branches: ['omk/done-1a2b3c/s1'], branchesKept: false },
        // A cancelled goal cleaned a second time: nothing left to delete, and nothing kept either.
        { goalId: 'again-1a2b3c', worktrees: [], cache: false, branches: [], branchesKept: false },
      ]),
    ).toBe(
      'open-1a2b3c: removed 2 worktree(s), 0 branch(es) (branches kept until it is merged, cancelled or rejected)\n' +
        'done-1a2b3c: removed 2 worktree(s), 1 branch(es)\n' +
        'again-1a2b3c: removed 0 worktree(s), 0 branch(es)\n',
    );
  });

  it('says there were no goals when --all found none to clean', () => {
    expect(renderCleanedText([])).toBe('no goals\n');
  });
});

describe('renderResumedText', () => {
  it('shows each goal resume --auto took over as a transition, or that it found none', () => {
    const proof = buildProof(evidence());
    const goal = { ...goalRecord(), status: 'running' as const };
    expect(renderResumedText([{ goal, previous: 'interrupted', proof }])).toBe(
      `goal ${goal.id}: interrupted -> running (proof ${proof.status})\n`,
    );
    expect(renderResumedText([])).toBe('no interrupted goals to resume\n');
  });
});

describe('renderTransitionText', () => {
  it('says that a cancelled or rejected goal is never delivered, whatever its proof says', () => {
    const proof = { ...buildProof(evidence()), status: 'ready' as const };
    const goal = (status: 'cancelled' | 'rejected' | 'accepted') => ({ ...goalRecord(), status });
    expect(renderTransitionText({ goal: goal('cancelled'), previous: 'ready', proof })).toBe(
      `goal ${goalRecord().id}: ready -> cancelled (proof ready; a cancelled goal is never delivered or merged)\n`,
    );
    expect(renderTransitionText({ goal: goal('rejected'), previous: 'ready', proof })).toContain(
      '(proof ready; a rejected goal is never delivered or merged)',
    );
    expect(renderTransitionText({ goal: goal('accepted'), previous: 'ready', proof })).toBe(
      `goal ${goalRecord().id}: ready -> accepted (proof ready)\n`,
    );
  });

  it('points an accepted goal with PRs at delivering them again (they show the old proof) and at the merge', () => {
    const proof = buildProof(evidence());
    const id = goalRecord().id;
    const goal = { ...goalRecord(), status: 'accepted' as const };
    const pr = {
      number: 3,
      url: 'https://example.test/pr/3',
      sliceId: null,
      headSha: null,
      checkRunId: null,
    };
    const withPrs = { ...proof, delivery: { ...proof.delivery, pullRequests: [pr] } };
    expect(renderTransitionText({ goal, previous: 'blocked_on_human', proof: withPrs }, NEUTRAL_STEPS)).toBe(
      `goal ${id}: blocked_on_human -> accepted (proof ${proof.status})\n` +
        `its PRs still show the proof from before the acceptance: ${NEUTRAL_STEPS({ step: 'open_pr', goalId: id })} shows it there; ${NEUTRAL_STEPS({ step: 'merge', goalId: id })} merges it\n`,
    );
    // No PRs, nothing to show it on; no spelling, no step to name.
    expect(renderTransitionText({ goal, previous: 'ready', proof }, NEUTRAL_STEPS)).not.toContain('its PRs');
    expect(renderTransitionText({ goal, previous: 'ready', proof: withPrs })).not.toContain('its PRs');
  });
});

describe('renderBudgetText', () => {
  it('shows what each spend checkpoint spent, not the limits, and limits where they were set or raised', () => {
    const limits = { timeMs: 1_800_000, tokens: null, usd: 5 };
    const at = (seq: number) => `2026-01-01T00:00:0${seq}.000Z`;
    const spent = (timeMs: number, tokens: number, usd: number) => ({ timeMs, tokens, usd });
    const text = renderBudgetText({
      goalId: 'g-1',
      limits: { ...limits, usd: 7 },
      spent: spent(1500, 1200, 0.3),
      remaining: { timeMs: 1_798_500, tokens: null, usd: 6.6975 },
      checkpoints: [
        { v: 1, seq: 1, ts: at(1), kind: 'set', limits, spent: spent(0, 0, 0), note: 'initial budget' },
        {
          v: 1,
          seq: 2,
          ts: at(2),
          kind: 'spend',
          limits,
          spent: spent(1000, 1200, 0.1),
          note: 's1 attempt 1',
        },
        {
          v: 1,
          seq: 3,
          ts: at(3),
          kind: 'spend',
          limits,
          spent: spent(1500, 1200, 0.3),
          note: 'integration gates',
        },
        {
          v: 1,
          seq: 4,
          ts: at(4),
          kind: 'add',
          limits: { ...limits, usd: 7 },
          spent: spent(1500, 1200, 0.3),
          note: 'added usd $2.00',
        },
      ],
    });
    expect(text).toBe(
      [
        'budget of g-1',
        '  limits     time 30m, tokens unlimited, usd $7.00',
        '  spent      time 1.5 s, tokens 1,200, usd $0.30',
        '  remaining  time 29m59s, tokens unlimited, usd $6.6975',
        'checkpoints:',
        `  #1 ${at(1)}  limits set to time 30m, tokens unlimited, usd $5.00 (initial budget)`,
        `  #2 ${at(2)}  spent time 1.0 s, tokens 1,200, usd $0.10 on s1 attempt 1`,
        `  #3 ${at(3)}  spent time 500 ms, tokens 0, usd $0.20 on integration gates`,
        `  #4 ${at(4)}  limits raised to time 30m, tokens unlimited, usd $7.00 (added usd $2.00)`,
        '',
      ].join('\n'),
    );
  });
});

describe('renderDeliveredText', () => {
  const pull = {
    sliceId: 's1',
    branch: 'omk/g/s1',
    number: 7,
    url: 'https://forge.example/acme/widgets/pull/7',
    headSha: 'd'.repeat(40),
    checkRunId: 3,
    checkRunSha: 'd'.repeat(40),
    checkRunPendingSha: null,
    labels: [],
    draft: true,
  };
  const plan = { goalId: 'g', policy: 'draft-pr' as const, base: 'main', pulls: [], skipped: [], kept: [] };

  it('says what a cancel that landed part-way left unopened, and that the PRs opened stay', () => {
    const text = renderDeliveredText({
      plan,
      delivered: [pull],
      proof: notReadyProof(),
      stopped: { status: 'cancelled', withheld: ['s2', 'integrator'] },
    });
    expect(text).toBe(
      's1: #7 https://forge.example/acme/widgets/pull/7\n' +
        'stopped: the goal was cancelled during its delivery; not opened: s2, integrator (the PRs above stay open)\n',
    );
  });

  it('says a withheld PR an earlier delivery opened was not updated, not that it was not opened', () => {
    const proof = notReadyProof();
    const earlier = (sliceId: string | null, number: number) => ({
      sliceId,
      number,
      url: `https://forge.example/acme/widgets/pull/${number}`,
      headSha: null,
      checkRunId: null,
    });
    const text = renderDeliveredText({
      plan,
      delivered: [pull],
      proof: { ...proof, delivery: { ...proof.delivery, pullRequests: [pull, earlier('s2', 8)] } },
      stopped: { status: 'paused', withheld: ['s2', 'integrator'] },
    });
    expect(text).toBe(
      's1: #7 https://forge.example/acme/widgets/pull/7\n' +
        'stopped: the goal was paused during its delivery; not updated: s2 #8; not opened: integrator (the PRs above stay open)\n',
    );
  });
});
