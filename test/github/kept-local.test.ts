import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import {
  BLOCKED_REPAIR_GOAL,
  blockedRepairFiles,
  refsWithPath,
  type Slipped,
  WORKFLOW_PATH,
} from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { createGitHubEnv, type GitHubEnv, pullsOf } from '../helpers/github.js';
import type { OmkResult } from '../helpers/omk.js';

/**
 * The CLI delivering to GitHub an until-ready goal whose integration repair agent adds a workflow
 * file (a blocking security finding on the merged tree) or plants a hook in the shared `.git` (an
 * integrity finding). The integration branch is never pushed (a push would run that workflow in
 * the repository's CI; nothing that run made can be trusted), the clean slices' PRs are opened,
 * and the run's warning and `goal status` say which branch was kept and why.
 */
interface Attempt {
  gh: GitHubEnv;
  run: OmkResult;
  goalId: string;
}

async function attempt(slipped: Slipped): Promise<Attempt> {
  const { files, agent } = blockedRepairFiles(slipped);
  const gh = await createGitHubEnv({ files: { ...DEMO_FILES, ...files, ...agent } });
  await chmod(join(gh.repo.root, 'agent.mjs'), 0o755);
  await gh.repo.commit({}, 'make the agent executable');
  // Straight to the bare repository behind the fake (a local path: no HTTP, a sync child is fine).
  git(gh.repo.root, 'push', '--quiet', gh.repo.origin, 'main');
  const run = await gh.omk(
    'goal',
    'run',
    BLOCKED_REPAIR_GOAL,
    '--agent',
    'script:./agent.mjs',
    '--until-ready',
    '--policy',
    'auto-pr',
    '--forge',
    'github',
    '--json',
  );
  const goalId = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  return { gh, run, goalId };
}

let workflow: Attempt;
let hook: Attempt;

beforeAll(async () => {
  [workflow, hook] = await Promise.all([attempt('workflow'), attempt('hook')]);
}, 240_000);
afterAll(async () => {
  await workflow?.gh.cleanup();
  await hook?.gh.cleanup();
});

/** The integration branch kept local, the warning that says so, only the slices' PRs on GitHub. */
function expectIntegrationKept({ gh, run, goalId }: Attempt): void {
  const branch = `omk/${goalId}/integration`;
  expect((JSON.parse(run.stdout) as { proof: { status: string } }).proof.status).toBe('not_ready');
  expect(run.stderr).toContain(
    `kept ${branch} on this machine, not pushed: its head holds a change the security review blocks`,
  );
  expect(gh.bareSha(branch)).toBeNull();
  expect(pullsOf(gh.server).map((pull) => pull.head)).toEqual([
    `omk/${goalId}/s1-update-readme-md`,
    `omk/${goalId}/s2-fix-the-bug-in-src-math-js`,
  ]);
}

describe('a repair agent that adds a workflow, delivered by the CLI to GitHub', () => {
  it('is repaired; the integration branch is kept local, and no ref on GitHub holds the workflow', () => {
    expect(workflow.run.stderr).toContain('[integration] repaired on attempt 1');
    expectIntegrationKept(workflow);
    expect(refsWithPath(workflow.gh.repo.origin, WORKFLOW_PATH)).toEqual([]);
  });

  it('goal status names the kept branch and why, in text and JSON', async () => {
    const { gh, goalId } = workflow;
    const text = await gh.omk('goal', 'status', goalId);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `kept    omk/${goalId}/integration, not pushed: its head holds a change the security review blocks`,
    );
    expect(text.stdout).toContain(WORKFLOW_PATH);
    const json = await gh.omk('goal', 'status', goalId, '--json');
    const kept = (JSON.parse(json.stdout) as { kept: { branch: string; code: string; paths: string[] }[] })
      .kept;
    expect(kept).toEqual([
      expect.objectContaining({
        branch: `omk/${goalId}/integration`,
        code: 'blocked_for_security',
        paths: [WORKFLOW_PATH],
      }),
    ]);
  });
});

describe('a repair agent that plants a hook in the shared .git, delivered by the CLI to GitHub', () => {
  it('is untrusted; the integration branch it committed to is kept local, with the finding', () => {
    expect(hook.run.stderr).toContain(
      '[integration] not repaired: the repair agent reached outside its worktree',
    );
    expectIntegrationKept(hook);
    expect(hook.run.stderr).toMatch(/added \.git\/hooks\/post-commit, outside its worktree/);
  });
});
