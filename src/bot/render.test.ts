import { describe, expect, it } from 'vitest';
import { NotFoundError, RequestError, UsageError } from '../runtime/errors.js';
import type { GoalRecord } from '../runtime/goal/schema.js';
import { buildProof } from '../runtime/proof/build.js';
import { budgetSpentGap } from '../runtime/proof/gaps.js';
import type { Proof } from '../runtime/proof/schema.js';
import { evidence, gate } from '../runtime/proof/test-evidence.js';
import { SAMPLE_ISSUES } from '../runtime/test-wording-samples.js';
import { findCommand } from './find-command.js';
import { hasEnded, readStatusMarker, renderStatusComment, type StatusView, statusMarker } from './render.js';
import { bidiReply, errorReply, helpReply, refusalReply, usageReply } from './replies.js';

function goal(status: GoalRecord['status'], text = 'fix the parser'): GoalRecord {
  return {
    version: 1,
    id: 'fix-the-parser-abc123',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    revision: 1,
    goal: { text, normalized: text },
    oracle: {
      testable: true,
      class: 'fix',
      shape: 'fail_to_pass',
      checks: [],
      requiredGates: [],
      reasons: [],
      humanDecisions: [],
    },
    status,
    resumeTo: null,
    repo: { root: '/tmp/x', baseRef: 'main', baseSha: 'a'.repeat(40) },
    options: {
      policy: 'draft-pr',
      mergePolicy: 'gated',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 2,
      agent: null,
    },
    budget: { timeMs: null, tokens: null, usd: null },
    controller: null,
  };
}

function view(overrides: Partial<StatusView> = {}): StatusView {
  return {
    goalId: 'fix-the-parser-abc123',
    phase: 'dispatched',
    mode: 'actions',
    workflow: 'omk.yml',
    goal: goal('planned'),
    proof: null,
    notes: [],
    startedBy: 'octocat',
    ...overrides,
  };
}

describe('status comment', () => {
  it('starts with its marker and phase, which read back', () => {
    const body = renderStatusComment(view());
    expect(body.startsWith(`${statusMarker('fix-the-parser-abc123')}\n<!-- omk:phase=dispatched -->\n`)).toBe(
      true,
    );
    expect(readStatusMarker(body)).toEqual({ goalId: 'fix-the-parser-abc123', phase: 'dispatched' });
    expect(readStatusMarker('<!-- omk:status goal=../x -->\n<!-- omk:phase=x -->')).toBeNull();
    expect(readStatusMarker('hello')).toBeNull();
  });

  it('escapes the goal and notes, and defuses mentions', () => {
    const hostile = 'fix @team <script>x</script> <!-- y --> [a](javascript:b)';
    const body = renderStatusComment(view({ goal: goal('planned', hostile), notes: ['<b>note</b> @all'] }));
    const visible = body.split('\n').slice(2).join('\n');
    expect(visible).not.toContain('<script>');
    expect(visible).not.toContain('<!--');
    expect(visible).not.toContain('<b>');
    expect(visible).not.toMatch(/@team|@all/);
    expect(findCommand(body)).toEqual({ kind: 'none' });
  });

  it('carries a final summary only once the goal has ended', () => {
    expect(hasEnded(goal('running'), 'running')).toBe(false);
    expect(hasEnded(goal('ready'), 'dispatched')).toBe(false);
    expect(hasEnded(goal('ready'), 'settled')).toBe(true);
    expect(hasEnded(goal('cancelled'), 'dispatched')).toBe(true);
    const proof = {
      status: 'not_ready',
      slices: [],
      gates: [],
      knownGaps: [{ code: 'x', message: 'y' }],
      humanDecisions: [],
      delivery: { merge: null, pullRequests: [] },
      budget: { limits: { timeMs: null, tokens: null, usd: null }, spent: { timeMs: 0, tokens: 0, usd: 0 } },
    } as unknown as Proof;
    const body = renderStatusComment(view({ goal: goal('cancelled'), proof, phase: 'settled' }));
    expect(body).toContain('#### Final summary');
    expect(body).toContain('- Known gaps (1):');
  });

  it('shows each gate with the same outcome icon as the proof, and PR links that keep the table', () => {
    const proof = buildProof(
      evidence({
        gates: [
          gate({ kind: 'test', outcome: 'passed' }),
          gate({ kind: 'lint', outcome: 'pre_existing' }),
          gate({ kind: 'e2e', outcome: 'timeout' }),
        ],
      }),
    );
    const pullRequests = [
      { sliceId: 's1', url: 'https://e.com/a|b', number: 7, headSha: null, checkRunId: null },
    ];
    const body = renderStatusComment(
      view({ proof: { ...proof, delivery: { ...proof.delivery, pullRequests } } }),
    );
    expect(body).toContain(
      '✅ `test` passed (optional) · 🟠 `lint` pre-existing (optional) · ⏱️ `e2e` timed out',
    );
    const row = body.split('\n').find((line) => line.startsWith('| `s1`'));
    expect(row?.split(/(?<!\\)\|/).length).toBe(7);
  });
});

describe('final summary gaps', () => {
  it("words a gap's next steps as comment commands", () => {
    const proof = {
      status: 'not_ready',
      slices: [],
      gates: [],
      knownGaps: [budgetSpentGap('time', 'fix-the-parser-abc123')],
      humanDecisions: [],
      delivery: { merge: null, pullRequests: [] },
      budget: { limits: { timeMs: null, tokens: null, usd: null }, spent: { timeMs: 0, tokens: 0, usd: 0 } },
    } as unknown as Proof;
    const body = renderStatusComment(view({ goal: goal('cancelled'), proof, phase: 'settled' }));
    expect(body).toContain(
      "Extend it with '/omk goal budget fix-the-parser-abc123 --time 1h', then '/omk goal resume fix-the-parser-abc123'.",
    );
    expect(body).not.toContain('budget-add');
    expect(findCommand(body)).toEqual({ kind: 'none' });
  });
});

describe('replies', () => {
  it('hold no command the bot would read, however hostile the problem text', () => {
    const replies = [
      helpReply('octocat'),
      usageReply('octocat', 'bad\n/omk goal run "x"', 'run'),
      usageReply('octocat', 'x', null),
      refusalReply('octocat', 'write'),
      bidiReply('octocat'),
      errorReply('octocat', new UsageError('no\n/omk goal merge', { hint: '/omk goal cancel' })),
      errorReply('octocat', new Error('secret internals')),
    ];
    for (const reply of replies) expect(findCommand(reply)).toEqual({ kind: 'none' });
    expect(replies.at(-1)).not.toContain('secret internals');
  });

  it('words errors in comment syntax: request issues, and the steps of a hint', () => {
    const issue = errorReply('octocat', new RequestError([SAMPLE_ISSUES.budgetAddNone]));
    expect(issue).toContain('/omk goal budget --time 2h');
    expect(issue).not.toContain('budget-add');
    const noGoal = errorReply(
      'octocat',
      new NotFoundError("No goal 'x'.", { hint: ['List goals with ', { step: 'list' }, '.'] }),
    );
    expect(noGoal).toContain("List goals with the goals' status comments in this thread.");
    expect(noGoal).not.toContain('omk goal list');
  });

  it('does not mention a login it cannot vouch for', () => {
    expect(helpReply('evil <b>')).not.toContain('<b>');
    expect(helpReply('octo-cat').startsWith('@octo-cat ')).toBe(true);
  });
});
