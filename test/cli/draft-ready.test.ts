import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

/**
 * The walk that used to end in a dead end on the local forge: a default (`local` policy) goal's
 * `open-pr` opens drafts, `merge` refuses `draft`, and nothing could mark a local draft ready. Now
 * `open-pr --policy auto-pr` marks them ready (its dry run says so first) and the merge goes
 * through. The steps share one goal and run in order.
 */
describe('draft PRs on the local forge become ready on an auto-pr delivery', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let id = '';
  const omk = (...args: string[]) => runOmkInProcess(args, { cwd: repo.root, stateDir: state.dir });
  const forgePulls = async () => {
    const [key] = await readdir(join(state.dir, 'forge'));
    const path = join(state.dir, 'forge', key ?? '', 'forge.json');
    const data = JSON.parse(await readFile(path, 'utf8')) as {
      pulls: { number: number; draft: boolean; state: string }[];
    };
    return data.pulls.map(({ number, draft, state }) => ({ number, draft, state }));
  };
  const delivery = async () =>
    JSON.parse(await readFile(join(state.dir, 'goals', id, 'delivery.json'), 'utf8')) as {
      pulls: { number: number; draft: boolean | null }[];
    };
  const readyEvents = async () =>
    (await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line.includes('"type":"pr_ready_for_review"'))
      .map((line) => (JSON.parse(line) as { data: { number: number } }).data.number);
  interface PlanJson {
    policy: string;
    pulls: { draft: boolean; readyForReview: { number: number; recordedDraft: boolean | null } | null }[];
  }
  const dryRun = async (...flags: string[]) => {
    const dry = await omk('goal', 'open-pr', id, '--dry-run', ...flags, '--format', 'json');
    expect(dry.code, dry.stderr).toBe(0);
    return JSON.parse(dry.stdout) as PlanJson;
  };

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    const run = await runOmk(
      ['goal', 'run', DEMO_GOAL, '--agent', 'demo', '--until-ready', '--merge-policy', 'manual', '--json'],
      { cwd: repo.root, stateDir: state.dir },
    );
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  }, 120_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
  });

  it('open-pr of the default goal opens drafts, and merge refuses them with the way out', async () => {
    const opened = await omk('goal', 'open-pr', id);
    expect(opened.code, opened.stderr).toBe(0);
    expect(await forgePulls()).toEqual([
      { number: 1, draft: true, state: 'open' },
      { number: 2, draft: true, state: 'open' },
      { number: 3, draft: true, state: 'open' },
    ]);
    expect((await delivery()).pulls.map((p) => p.draft)).toEqual([true, true, true]);
    const merge = await omk('goal', 'merge', id);
    expect(merge.code).toBe(4);
    expect(merge.stdout).toContain('blocked by draft');
    expect(merge.stdout).toContain("  - draft: open the goal's PRs again with the auto-pr delivery policy");
  });

  it('the auto-pr dry run says which drafts it would mark ready for review, and changes nothing', async () => {
    const plan = await dryRun('--policy', 'auto-pr');
    expect(plan.pulls.map((p) => [p.draft, p.readyForReview])).toEqual([
      [false, { number: 1, recordedDraft: true }],
      [false, { number: 2, recordedDraft: true }],
      [false, { number: 3, recordedDraft: true }],
    ]);
    const text = await omk('goal', 'open-pr', id, '--dry-run', '--policy', 'auto-pr');
    expect(text.stdout).toContain(
      '- ready for review: would mark #3 ready for review (a draft when last delivered)\n',
    );
    // A draft-pr dry run marks nothing.
    expect((await dryRun('--policy', 'draft-pr')).pulls.every((p) => p.readyForReview === null)).toBe(true);
    expect((await forgePulls()).every((p) => p.draft)).toBe(true);
  });

  it('open-pr --policy auto-pr marks every draft ready, records it, and merge then merges', async () => {
    const delivered = await omk('goal', 'open-pr', id, '--policy', 'auto-pr');
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(delivered.stderr).toContain('(marked ready for review)');
    expect((await forgePulls()).map((p) => p.draft)).toEqual([false, false, false]);
    expect((await delivery()).pulls.map((p) => p.draft)).toEqual([false, false, false]);
    expect(await readyEvents()).toEqual([1, 2, 3]);

    // Nothing is left to mark: the plan says so, and a second delivery sends nothing.
    expect((await dryRun('--policy', 'auto-pr')).pulls.every((p) => p.readyForReview === null)).toBe(true);
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    expect(await readyEvents()).toEqual([1, 2, 3]);
    // Never the other way: a draft-pr delivery leaves ready PRs ready.
    expect((await omk('goal', 'open-pr', id, '--draft')).code).toBe(0);
    expect((await forgePulls()).map((p) => p.draft)).toEqual([false, false, false]);

    const merge = await omk('goal', 'merge', id, '--json');
    expect(merge.code, merge.stdout).toBe(0);
    const out = JSON.parse(merge.stdout) as { merged: boolean; sha: string; pr: number };
    expect(out).toMatchObject({ merged: true, pr: 3 });
    expect(git(repo.root, 'rev-parse', 'main')).toBe(out.sha);
  });
});
