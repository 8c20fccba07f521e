import { describe, expect, it } from 'vitest';
import {
  GitError,
  type GoalRecord,
  NotFoundError,
  type Proof,
  RequestError,
  runProgress,
  UsageError,
} from '../runtime/app/index.js';
import {
  failureNotes,
  hasEnded,
  readStatusMarker,
  renderStatusComment as renderWith,
  type StatusCommentView as StatusView,
  statusMarker,
} from '../runtime/app/render.js';
import { buildProof } from '../runtime/proof/build.js';
import { budgetSpentGap } from '../runtime/proof/gaps.js';
import { evidence, gate } from '../runtime/proof/test-evidence.js';
import { SAMPLE_ISSUES } from '../runtime/test-wording-samples.js';
import { findCommand } from './find-command.js';

import { answerReply, bidiReply, errorReply, helpReply, refusalReply, usageReply } from './replies.js';
import { BOT_STEPS, BOT_WORDS } from './wording.js';

const renderStatusComment = (view: StatusView) => renderWith(view, BOT_STEPS);

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
      planner: { llm: true, tokenBudget: 8000 },
      allowGateEdits: false,
      allowWorkflowEdits: false,
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
    progress: null,
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

  it('is headed "starting" before the goal exists, and "not started" once settled without one', () => {
    const title = (body: string) => body.split('\n').find((line) => line.startsWith('### '));
    expect(title(renderStatusComment(view({ goal: null, phase: 'planning' })))).toBe(
      '### 🕐 omk goal `fix-the-parser-abc123`: starting',
    );
    const refused = renderStatusComment(
      view({ goal: null, phase: 'settled', notes: ['the agent is not allowed here'] }),
    );
    expect(title(refused)).toBe('### 🚫 omk goal `fix-the-parser-abc123`: not started');
    expect(refused).toContain('the agent is not allowed here');
    expect(title(renderStatusComment(view({ phase: 'settled' })))).toBe(
      '### 📝 omk goal `fix-the-parser-abc123`: planned',
    );
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
          // Compared with the base diagnostic by diagnostic: pre-existing (by exit code it would not be).
          gate({
            kind: 'lint',
            outcome: 'pre_existing',
            diagnostics: { source: 'biome', new: 0, fixed: 0, preExisting: 1, firstNew: [] },
          }),
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

describe('status comment progress', () => {
  const at = (type: string, data: Record<string, unknown>, seq: number) => ({
    v: 1,
    seq,
    ts: '2026-01-01T00:00:00Z',
    type,
    data,
  });

  it('shows each phase as it happens: planned, slices, integrated, PR links, merged', () => {
    const progress = runProgress([
      at('plan_written', { tasks: 2 }, 1),
      at('task_done', { taskId: 's1', attempt: 1 }, 2),
      at('task_done', { taskId: 's2', attempt: 2 }, 3),
      at('integration_done', {}, 4),
      at('pr_opened', { sliceId: null, number: 9, url: 'https://github.com/o/r/pull/9' }, 5),
      at('goal_merged', { target: 'main', sha: 'c'.repeat(40) }, 6),
    ]);
    const body = renderStatusComment(view({ goal: goal('merged'), progress, phase: 'running' }));
    expect(body).toContain('**Progress**');
    expect(body).toContain('- 📝 planned: 2 slice(s)');
    expect(body).toContain('- ✅ slice `s1` done after 1 attempt');
    expect(body).toContain('- ✅ slice `s2` done after 2 attempts');
    expect(body).toContain('- ✅ integrated');
    expect(body).toContain('- 🔗 pull requests: [\\#9](https://github.com/o/r/pull/9) (integrator)');
    expect(body).toContain('- 🎉 merged into `main` as `ccccccc`');
    expect(body).not.toContain('What failed');
  });

  it('says what failed and what to do in words: no temp path, stack frame or git command line', () => {
    const progress = runProgress([
      at('plan_written', { tasks: 2 }, 1),
      at('task_failed', { taskId: 's1', attempts: 3, failure: 'git push origin x failed in /tmp/w/repo' }, 2),
      at('task_skipped', { taskId: 's2', because: 's1' }, 3),
      at('execution_finished', { state: 'done' }, 4),
    ]);
    const error = new GitError(
      'git push --force origin omk/fix-the-parser-abc123/s1 failed in /tmp/omk-bot-work-1/repo\n    at runGit (/app/dist/bot.js:1:2)',
    );
    const body = renderStatusComment(
      view({ goal: goal('failed'), progress, phase: 'settled', notes: failureNotes(error, BOT_WORDS) }),
    );
    expect(body).toContain('- ❌ slice `s1` failed after 3 attempts');
    expect(body).toContain('- ⏭️ slice `s2` skipped');
    expect(body).toContain('**What failed:** slice(s) s1 did not pass their gates');
    expect(body).toContain("**What to do:** Read the proof ('/omk goal proof fix-the-parser-abc123')");
    expect(body).toContain('Stopped by an error: a git command failed in a path on the machine that ran it');
    expect(body).not.toMatch(/\/tmp|\bat \S+ \(|\bgit (?:-c|push|fetch|clone|merge|worktree)\b/);
    expect(findCommand(body)).toEqual({ kind: 'none' });
  });

  it('names the slices running with their attempt while the run goes on, and not once it has stopped', () => {
    const running = [
      at('plan_written', { tasks: 3 }, 1),
      at('execution_started', {}, 2),
      at('task_leased', { taskId: 's1', attempt: 1 }, 3),
      at('task_leased', { taskId: 's2', attempt: 1 }, 4),
      at('task_done', { taskId: 's1', attempt: 1 }, 5),
      at('task_pending', { taskId: 's3', attempt: 1 }, 6),
      at('task_leased', { taskId: 's3', attempt: 2 }, 7),
    ];
    const body = renderStatusComment(
      view({ goal: goal('running'), progress: runProgress(running), phase: 'running' }),
    );
    expect(body).toContain('- 🔄 running: `s2` (attempt 1), `s3` (attempt 2)');
    expect(body).toContain('- ✅ slice `s1` done after 1 attempt');
    const stopped = runProgress([...running, at('budget_exhausted', {}, 8)]);
    const after = renderStatusComment(view({ goal: goal('not_ready'), progress: stopped, phase: 'settled' }));
    expect(after).not.toContain('running:');
    expect(after).toContain("**What failed:** the goal's budget ran out");
  });

  it('words a pause as a stop, not a failure, and an internal error without its message', () => {
    const progress = runProgress([at('execution_interrupted', { by: 'pause' }, 1)]);
    const body = renderStatusComment(
      view({ goal: goal('paused'), progress, notes: failureNotes(new Error('ENOENT /tmp/x'), BOT_WORDS) }),
    );
    expect(body).toContain('- ⏸️ paused');
    expect(body).not.toContain('What failed');
    expect(body).toContain("Stopped by an internal error. The app's log has the details");
    expect(body).not.toContain('/tmp');
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
    // The proof reply too, as every other reply.
    const proof = (login: string) => answerReply(login, { kind: 'proof', goalId: 'g-1', proof: null }) ?? '';
    expect(proof('evil <b>')).not.toContain('<b>');
    expect(proof('octo-cat').startsWith('@octo-cat the proof of goal `g-1`')).toBe(true);
  });
});
