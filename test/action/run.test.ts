import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { GOAL_ID_PATTERN } from '../../src/runtime/goal/ids.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, TOKEN } from './harness.js';
import { filesHolding, leaksOf, secretForms } from './secrets.js';

let env: ActionEnv;
let run: ActionRun;

/**
 * A gate that passes only where the workspace-setup input ran: its commands write an ignored file
 * into each new worktree (never committed), and the gate reads it.
 */
const SETUP_CONFIG = {
  '.omk/config.yml': [
    NO_CI_CONFIG['.omk/config.yml'],
    'gates:',
    '  list:',
    '    - name: setup-seen',
    '      kind: check',
    '      required: true',
    `      run: ["node", "-e", "require('fs').readFileSync('.setup-out/marker')"]`,
    '',
  ].join('\n'),
  '.gitignore': '.setup-out/\n',
};

// One single-job run, as a workflow step: create, plan, execute with the demo agent, deliver
// (auto-pr) and gated-merge (no branch protection on the fake, so it merges).
beforeAll(async () => {
  env = await createActionEnv({ files: SETUP_CONFIG });
  run = await env.run({
    goal: DEMO_GOAL,
    agent: 'demo',
    policy: 'auto-pr',
    'merge-policy': 'gated',
    'workspace-setup': 'mkdir -p .setup-out\n\n["touch", ".setup-out/marker"]\n',
  });
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

/** git grep exits 1 when nothing matches. */
function stateBranchHolds(text: string): boolean {
  try {
    git(env.repo.origin, 'grep', '-q', '-F', '-e', text, 'refs/heads/omk/state');
    return true;
  } catch {
    return false;
  }
}

describe('command: run with agent: demo, policy: auto-pr, merge-policy: gated', () => {
  it('succeeds and sets every output', () => {
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    const { outputs } = run;
    expect(outputs['goal-id']).toMatch(GOAL_ID_PATTERN);
    expect(outputs.status).toBe('ready');
    expect(outputs.merged).toBe('true');
    const proof = proofSchema.parse(JSON.parse(outputs['proof-json'] ?? ''));
    expect(proof.goalId).toBe(outputs['goal-id']);
    expect(proof.status).toBe('ready');
    expect(existsSync(outputs['proof-path'] ?? '')).toBe(true);
    expect(outputs['proof-path']?.startsWith(env.runnerTemp)).toBe(true);
    const urls = JSON.parse(outputs['pr-urls'] ?? '') as string[];
    expect(urls).toEqual([1, 2, 3].map((n) => `${env.server.url}/acme/widgets/pull/${n}`));
    expect(outputs['integrator-pr']).toBe(`${env.server.url}/acme/widgets/pull/3`);
    const slices = JSON.parse(outputs.slices ?? '') as { slice: string; title: string; wave: number }[];
    expect(slices.map((row) => row.wave)).toEqual([0, 1]);
    expect(slices.every((row) => row.title.length > 0)).toBe(true);
  });

  it('opens a PR per slice and the integrator PR, and merges the integrator into main', () => {
    const pulls = [...env.server.state.pulls.values()].sort((a, b) => a.number - b.number);
    const id = run.outputs['goal-id'] ?? '';
    expect(pulls.map((pull) => pull.head)).toEqual([
      expect.stringMatching(new RegExp(`^omk/${id}/s1-`)),
      expect.stringMatching(new RegExp(`^omk/${id}/s2-`)),
      `omk/${id}/integration`,
    ]);
    expect(pulls.every((pull) => !pull.draft && pull.body.includes('<!-- omk:proof'))).toBe(true);
    const integrator = pulls[2];
    expect(integrator?.merged).toBe(true);
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(integrator?.mergeCommitSha);
    expect(git(env.repo.origin, 'show', 'refs/heads/main:src/math.js')).toContain('return a + b');
    const proofChecks = env.server.state.checkRuns.filter((check) => check.name === 'omk/proof');
    expect(proofChecks.map((check) => check.conclusion)).toEqual(['success', 'success', 'success']);
    env.server.assertClean();
  });

  it('runs the workspace-setup commands in each worktree, where the gates see what they made', () => {
    const proof = proofSchema.parse(JSON.parse(run.outputs['proof-json'] ?? ''));
    // The integration's gates; each slice passed the same required gate in its own worktree to be done.
    expect(proof.gates.find((gate) => gate.name === 'setup-seen')).toMatchObject({
      outcome: 'passed',
      required: true,
    });
    expect(proof.slices.every((slice) => slice.status === 'done' && slice.attempts === 1)).toBe(true);
    // Ignored, what the setup made never reaches the delivered branch.
    expect(git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/main')).not.toContain(
      '.setup-out',
    );
  });

  it('saves the goal on the state branch', () => {
    const id = run.outputs['goal-id'] ?? '';
    const files = git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state');
    for (const name of ['goal.json', 'proof.json', 'events.jsonl', 'task-graph.json', 'delivery.json']) {
      expect(files.split('\n')).toContain(`goals/${id}/${name}`);
    }
    const saved = proofSchema.parse(
      JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${id}/proof.json`)),
    );
    expect(saved.delivery.merge?.sha).toBe(git(env.repo.origin, 'rev-parse', 'refs/heads/main'));
  });

  it('writes a job summary with the status, the PR per slice, the gates and the known gaps', () => {
    const { summary } = run;
    expect(summary).toContain(`# omk run: \`${run.outputs['goal-id']}\``);
    expect(summary).toContain('| Status | ✅ ready to merge |');
    expect(summary).toContain('| Merged | yes, into `main`');
    expect(summary).toMatch(
      /\| `s1-[^`]+` \| \[\\#1\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/widgets\/pull\/1\) \|/,
    );
    expect(summary).toContain('| integrator | [\\#3](');
    expect(summary).toContain('### Slices by wave');
    expect(summary).toContain('### Gates');
    expect(summary).toContain('| ✅ passed | `test` |');
    expect(summary).toContain('| ✅ passed | `setup-seen` |');
    expect(summary).toContain('### Known gaps (0)');
  });

  it("shows the run in phases in the job summary, as the bot's status comment does", () => {
    const { summary } = run;
    const progress = summary.slice(summary.indexOf('**Progress**'), summary.indexOf('### Pull requests'));
    expect(progress).toMatch(/- 📝 planned: \d+ slice\(s\)/);
    expect(progress).toMatch(/- ✅ slice `s1-[^`]+` done after 1 attempt/);
    expect(progress).toContain('- ✅ integrated: the done slices merge cleanly together');
    expect(progress).toMatch(
      /- 🔗 pull requests: \[\\#1\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/widgets\/pull\/1\)/,
    );
    expect(progress).toMatch(/- 🎉 merged into `main` as `[0-9a-f]{7}`/);
    expect(progress).not.toContain('What failed');
  });

  it('masks the token first and shows it nowhere else: logs, outputs, summary, state files', async () => {
    const forms = secretForms(TOKEN);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${TOKEN}`);
    expect(lines[1]).toBe(`::add-mask::${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
    expect(leaksOf(run, forms)).toEqual([]);
    expect(await filesHolding(join(env.runnerTemp, 'omk'), forms)).toEqual([]);
    expect(forms.filter((form) => stateBranchHolds(form))).toEqual([]);
  });

  it('groups the long logs', () => {
    expect(run.stdout).toMatch(/^::group::omk: executing goal .+ with the demo agent$/m);
    expect(run.stdout).toMatch(/^::group::omk: delivering goal /m);
    expect(run.stdout).toMatch(/^::group::omk: proof of goal .+ \(ready\)$/m);
  });
});
