import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { deliverDemoGoal } from '../helpers/review-fix-agent.js';

/** A review fix's own diff gets the reviews a slice's attempt gets: what they block never reaches the PR. */
describe('omk goal fix: the fix agent is reviewed as a slice agent is', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let agentDir: string;
  let id = '';
  let integrator = 0;
  let slicePr = 0;
  let sliceId = '';
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    ({ agentDir, id, integrator, slicePr, sliceId } = await deliverDemoGoal(
      omk,
      'omk-cli-fix-review-agent-',
      () => true,
    ));
  }, 180_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('a fix that adds a model key is not applied: the branch stays, the finding is named', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'LEAK a key', '--json');
    const outcome = JSON.parse(fixed.stdout) as { kind: string; proofStatus: string };
    expect(outcome.kind).toBe('failed');
    expect(git(repo.root, 'rev-parse', branch)).toBe(before);
    expect(git(repo.root, 'show', `${before}:src/math.js`)).not.toContain('OPENAI_API_KEY');
    const events = (await omk('goal', 'replay', id)).stdout;
    expect(events).toContain('fix_failed');
    expect(events).toMatch(/refused by review: Secret \(OpenAI API key\) added in \W{0,3}src\/math\.js/);
    const review = await readFile(join(state.dir, 'goals', id, 'artifacts', 'reviews', 'fix-1.md'), 'utf8');
    expect(review).toContain('OpenAI API key');
    expect(review).not.toMatch(/sk-proj-[A-Za-z0-9_-]{32}/);
  }, 120_000);

  it('a fix that edits a workflow is not applied to the slice PR, and the workflow is named', async () => {
    const branch = `omk/${id}/${sliceId}`;
    const before = git(repo.root, 'rev-parse', branch);
    const fixed = await omk('goal', 'fix', id, '--pr', String(slicePr), 'EDIT the workflow', '--json');
    const outcome = JSON.parse(fixed.stdout) as { kind: string };
    expect(outcome.kind).toBe('failed');
    expect(git(repo.root, 'rev-parse', branch)).toBe(before);
    const events = (await omk('goal', 'replay', id)).stdout;
    expect(events).toMatch(/refused by review: .*\.github\/workflows\/ci\.yml/);
    const status = await omk('goal', 'status', id, '--json');
    expect(JSON.parse(status.stdout).fixes).toContainEqual({
      id: 'fix-2',
      pr: slicePr,
      status: 'failed',
      attempts: 1,
    });
  }, 120_000);
});
