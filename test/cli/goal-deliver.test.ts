import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalForge } from '../../src/adapters/local-forge/forge.js';
import { recheckMerge } from '../../src/runtime/app/merge.js';
import { mergeGoal } from '../../src/runtime/delivery/merge.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { computeProofDigest } from '../../src/runtime/proof/digest.js';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { createAgentKit } from '../helpers/agents.js';
import { testApp } from '../helpers/app.js';
import { DEMO_FILES_TEST_GATE_ONLY } from '../helpers/demo-test-gate.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';
import { type DirSnapshot, snapshotCache, snapshotDirs } from '../helpers/snapshot.js';

/**
 * The local forge the in-process CLI composes, with a hook a test sets to act just before a PR is
 * created (a cancel landing between two PRs); null: the forge as it is.
 */
const forgeHook = vi.hoisted(() => ({ beforeCreate: null as null | (() => Promise<void>) }));
vi.mock('../../src/adapters/local-forge/forge.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/adapters/local-forge/forge.js')>();
  return {
    ...original,
    createLocalForge: (options: Parameters<typeof original.createLocalForge>[0]) => {
      const forge = original.createLocalForge(options);
      return {
        ...forge,
        async createPullRequest(spec: Parameters<typeof forge.createPullRequest>[0]) {
          await forgeHook.beforeCreate?.();
          return forge.createPullRequest(spec);
        },
      };
    },
  };
});

const GOAL = 'fix the failing test in src/math.js and add a regression test';
let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
/** The CLI as a process: the goal runs that build the fixtures, and one delivery. */
const omkProcess = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
/** The CLI in this process, for the commands run on those fixtures (see omk-in-process.ts). */
const omk = (...args: string[]) => runOmkInProcess(args, { cwd: repo.root, stateDir: state.dir });

// One repository and state directory for the whole file, put back to their first state before each
// test. A goal run with the same flags leaves the same state, so it runs once per set of flags and
// later tests start from a copy of what it left (see test/helpers/snapshot.ts). The flags name no
// forge: `--forge local` is the default, and a second spelling would only run the same goal again.
// A goal that only differs by PRs opened is the same goal run once, then `omk goal open-pr`.
const fixtures = snapshotCache(() => [dirname(repo.root), state.dir]);
let pristine: DirSnapshot;

async function readyGoal(...flags: string[]): Promise<string> {
  return fixtures.get(`ready ${flags.join(' ')}`, async () => {
    const run = await omkProcess('goal', 'run', GOAL, '--agent', 'demo', '--until-ready', '--json', ...flags);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { goal: { id: string }; proof: { status: string } };
    expect(out.proof.status).toBe('ready');
    return out.goal.id;
  });
}

/**
 * A ready goal with a manual merge policy and its PRs (1, 2 and the integrator 3) opened: the
 * `--merge-policy manual` goal, then `omk goal open-pr --policy auto-pr`.
 */
async function manualGoalWithPulls(): Promise<string> {
  return fixtures.get('ready --merge-policy manual, then open-pr --policy auto-pr', async () => {
    const id = await readyGoal('--merge-policy', 'manual');
    const opened = await omk('goal', 'open-pr', id, '--policy', 'auto-pr');
    expect(opened.code, opened.stderr).toBe(0);
    return id;
  });
}

async function forgeRecords(): Promise<{
  pulls: { number: number; head: string; state: string }[];
  checkRuns: unknown[];
}> {
  const { readdir } = await import('node:fs/promises');
  const [key] = await readdir(join(state.dir, 'forge'));
  return JSON.parse(await readFile(join(state.dir, 'forge', key ?? '', 'forge.json'), 'utf8'));
}

beforeAll(async () => {
  // No lint gate: nothing here is about it, and every goal run, verify and review would run it.
  repo = await createTempRepo({ ...DEMO_FILES_TEST_GATE_ONLY });
  state = await tempStateDir();
  pristine = await snapshotDirs([dirname(repo.root), state.dir]);
});
beforeEach(async () => {
  forgeHook.beforeCreate = null;
  await pristine.restore();
});
afterAll(async () => {
  await fixtures.remove();
  await pristine.remove();
  await repo.cleanup();
  await state.cleanup();
});

describe('omk goal open-pr', () => {
  it('--dry-run renders every PR exactly, with no forge writes', async () => {
    const id = await readyGoal();
    const dry = await omk('goal', 'open-pr', id, '--dry-run', '--policy', 'draft-pr', '--format', 'json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      pulls: {
        kind: string;
        branch: string;
        title: string;
        body: string;
        labels: string[];
        draft: boolean;
      }[];
    };
    expect(plan.pulls.map((p) => p.kind)).toEqual(['slice', 'slice', 'integrator']);
    expect(plan.pulls.every((p) => p.draft)).toBe(true);
    expect(plan.pulls[2]?.branch).toBe(`omk/${id}/integration`);
    expect(plan.pulls[0]?.labels).toContain('omk:slice');
    expect(plan.pulls[0]?.body).toContain('<!-- omk:proof v1 ');
    await expect(readFile(join(state.dir, 'forge'), 'utf8')).rejects.toThrow();
    const again = await omk('goal', 'open-pr', id, '--dry-run', '--policy', 'draft-pr', '--format', 'json');
    expect(again.stdout).toBe(dry.stdout);
  });

  it('opens one PR per slice and the integrator PR, and a rerun creates nothing twice', async () => {
    const id = await readyGoal();
    // A real process: the delivery as a user starts it (the other commands run in this process).
    const first = await omkProcess('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
    expect(first.code, first.stderr).toBe(0);
    const second = await omk('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
    expect(second.code).toBe(0);
    const records = await forgeRecords();
    expect(records.pulls.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(records.checkRuns).toHaveLength(3);
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      delivery: { pullRequests: { sliceId: string | null; number: number }[] };
    };
    expect(proof.delivery.pullRequests.map((p) => p.number).sort()).toEqual([1, 2, 3]);
  });

  it('after a crash between creating a check run and recording it, a rerun finds it instead of creating another', async () => {
    const id = await readyGoal();
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    const path = join(state.dir, 'goals', id, 'delivery.json');
    const delivery = JSON.parse(await readFile(path, 'utf8')) as {
      pulls: {
        headSha: string;
        checkRunId: number | null;
        checkRunSha: string | null;
        checkRunPendingSha: string | null;
      }[];
    };
    // What a crash right after the create call leaves behind: the intent, but no id.
    for (const pull of delivery.pulls) {
      pull.checkRunPendingSha = pull.headSha;
      pull.checkRunId = null;
      pull.checkRunSha = null;
    }
    await writeFile(path, JSON.stringify(delivery));
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    expect((await forgeRecords()).checkRuns).toHaveLength(3);
    const after = JSON.parse(await readFile(path, 'utf8')) as typeof delivery;
    expect(after.pulls.every((pull) => pull.checkRunId !== null && pull.checkRunPendingSha === null)).toBe(
      true,
    );
  });

  it('removes a status label the proof no longer has when it delivers again', async () => {
    const id = await readyGoal();
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    const { readdir } = await import('node:fs/promises');
    const [key] = await readdir(join(state.dir, 'forge'));
    const path = join(state.dir, 'forge', key ?? '', 'forge.json');
    const forge = JSON.parse(await readFile(path, 'utf8')) as { pulls: { labels: string[] }[] };
    for (const pull of forge.pulls) pull.labels.push('omk:not-ready');
    await writeFile(path, JSON.stringify(forge));
    const delivery = join(state.dir, 'goals', id, 'delivery.json');
    const record = JSON.parse(await readFile(delivery, 'utf8')) as { pulls: { labels: string[] }[] };
    for (const pull of record.pulls) pull.labels.push('omk:not-ready');
    await writeFile(delivery, JSON.stringify(record));
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    const after = (await forgeRecords()) as unknown as { pulls: { labels: string[] }[] };
    for (const pull of after.pulls) {
      expect(pull.labels).toContain('omk:proof-ready');
      expect(pull.labels).not.toContain('omk:not-ready');
    }
  });

  it('refuses to deliver a cancelled goal', async () => {
    const id = await readyGoal();
    expect((await omk('goal', 'cancel', id, '--reason', 'not needed')).code).toBe(0);
    const result = await omk('goal', 'open-pr', id, '--policy', 'auto-pr');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('is cancelled: its work is not delivered');
  });

  it('--dry-run on a cancelled goal is refused as the real run is, and writes nothing', async () => {
    const id = await readyGoal();
    expect((await omk('goal', 'cancel', id, '--reason', 'not needed')).code).toBe(0);
    const dir = join(state.dir, 'goals', id);
    const read = async () =>
      Promise.all(['events.jsonl', 'goal.json', 'proof.json'].map((f) => readFile(join(dir, f), 'utf8')));
    const before = await read();
    const dry = await omk('goal', 'open-pr', id, '--dry-run', '--policy', 'auto-pr');
    expect(dry.code).toBe(4);
    expect(dry.stderr).toContain('is cancelled: its work is not delivered');
    expect(await read()).toEqual(before);
  });

  it('a cancel that lands between two PRs: exit 4, the PR opened stays, the rest are named as not opened', async () => {
    const id = await readyGoal();
    let created = 0;
    forgeHook.beforeCreate = async () => {
      created += 1;
      if (created === 2) await applyLifecycle(localGoalStore(state.dir), id, 'cancel', 'changed my mind');
    };
    const run = await omk('goal', 'open-pr', id, '--policy', 'auto-pr');
    expect(run.code, run.stderr).toBe(4);
    // The second PR was being created when the cancel landed: it is opened; the look before the third stops it.
    expect((await forgeRecords()).pulls.map((p) => p.number)).toEqual([1, 2]);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^stopped: the goal was cancelled during its delivery; not opened: integrator \(the PRs above stay open\)$/,
    );
    expect(run.stderr).toContain(
      'omk: delivery stopped: the goal was cancelled during its delivery: PRs #1, #2 stay open; not opened: integrator (policy auto-pr)',
    );
    const events = (await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: unknown });
    expect(events.filter((e) => e.type === 'delivery_withheld').map((e) => e.data)).toEqual([
      { status: 'cancelled', policy: 'auto-pr', opened: [1, 2], withheld: ['integrator'] },
    ]);
  });

  it('shows and opens draft PRs for a goal whose policy is local; refuses --policy local', async () => {
    const id = await readyGoal();
    const dry = await omk('goal', 'open-pr', id, '--dry-run', '--format', 'json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      policy: string;
      pulls: { sliceId: string | null; draft: boolean; body: string }[];
    };
    expect(plan.policy).toBe('draft-pr');
    expect(plan.pulls.length).toBeGreaterThan(0);
    for (const pull of plan.pulls) {
      expect(pull.draft).toBe(true);
      expect(pull.body).not.toContain('omk opens no pull request');
    }
    const refused = await omk('goal', 'open-pr', id, '--policy', 'local');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not local');
    expect(refused.stderr).toContain('--policy draft-pr');
    const opened = await omk('goal', 'open-pr', id, '--forge', 'local', '--format', 'json');
    expect(opened.code).toBe(0);
    const delivered = (JSON.parse(opened.stdout) as { delivered: { sliceId: string | null }[] }).delivered;
    expect(delivered.map((pull) => pull.sliceId)).toEqual(plan.pulls.map((pull) => pull.sliceId));
  });
});

describe('omk goal open-pr refuses a policy it does not know', () => {
  it('with the policies there are and an example, before it looks for the goal', async () => {
    const refused = await omk('goal', 'open-pr', 'latest', '--policy', 'yolo');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "--policy: 'yolo' is not one of local, draft-pr, auto-pr. Example: --policy draft-pr",
    );
  });
});

/** Every file under `dir` with its bytes, and every ref of the repository: what a refusal must leave. */
async function everything(dir: string): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) =>
    entry.isFile(),
  );
  const texts = await Promise.all(
    files.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      return `${path}\n${await readFile(path, 'utf8')}`;
    }),
  );
  return [...texts.sort(), git(repo.root, 'for-each-ref')].join('\n');
}

describe('omk goal open-pr --draft with another --policy', () => {
  it('is refused with exit 2, naming both flags and what to type, and leaves the goal as it was', async () => {
    const id = await readyGoal();
    const before = await everything(state.dir);
    for (const dryRun of [[], ['--dry-run']]) {
      const refused = await omk('goal', 'open-pr', id, ...dryRun, '--draft', '--policy', 'auto-pr');
      expect(refused.code, refused.stderr).toBe(2);
      const shown = dryRun.length === 0 ? '' : ' --dry-run';
      expect(refused.stderr).toBe(
        `omk: error: --draft and --policy auto-pr contradict each other: --draft opens draft PRs, --policy auto-pr opens PRs ready for review. Nothing was done.\n` +
          `hint: type 'omk goal open-pr ${id}${shown} --draft' for draft PRs, or 'omk goal open-pr ${id}${shown} --policy auto-pr' for PRs ready for review\n`,
      );
      expect(refused.stdout).toBe('');
    }
    const local = await omk('goal', 'open-pr', '--draft', '--policy', 'local');
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('--draft and --policy local contradict each other');
    expect(local.stderr).toContain("hint: type 'omk goal open-pr latest --draft' for draft PRs\n");
    expect(await everything(state.dir)).toBe(before);
    await expect(readFile(join(state.dir, 'forge'), 'utf8')).rejects.toThrow();
  });

  it('--draft alone, or with --policy draft-pr, opens drafts', async () => {
    const id = await readyGoal();
    for (const flags of [['--draft'], ['--draft', '--policy', 'draft-pr']]) {
      const dry = await omk('goal', 'open-pr', id, '--dry-run', ...flags, '--format', 'json');
      expect(dry.code, dry.stderr).toBe(0);
      const plan = JSON.parse(dry.stdout) as { policy: string; pulls: { draft: boolean }[] };
      expect(plan.policy).toBe('draft-pr');
      expect(plan.pulls.length).toBeGreaterThan(0);
      expect(plan.pulls.every((pull) => pull.draft)).toBe(true);
    }
  });
});

describe('omk goal open-pr refuses a base branch it could not deliver to', () => {
  it('--dry-run and the real run refuse the same names; a newline prints no workflow command', async () => {
    const id = await readyGoal();
    for (const base of ['main\n::add-mask::x', 'main\r', 'HEAD', 'refs/heads/main', 'a..b', '-main']) {
      for (const dryRun of [['--dry-run'], []]) {
        const run = await omk(
          'goal',
          'open-pr',
          id,
          ...dryRun,
          '--policy',
          'draft-pr',
          '--base-branch',
          base,
        );
        expect(run.code, `${JSON.stringify(base)} ${dryRun}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toContain('cannot take PRs');
        expect(run.stderr).toContain('--base-branch main');
        const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n|\r/);
        expect(lines.filter((line) => line.startsWith('::'))).toEqual([]);
      }
    }
    expect(await forgeRecords().catch(() => ({ pulls: [] }))).toMatchObject({ pulls: [] });
  });
});

describe('omk goal merge (gated)', () => {
  it('merges the integrator PR into the base when the proof is ready and fresh', async () => {
    const id = await readyGoal('--policy', 'auto-pr', '--merge-policy', 'gated');
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as { status: string };
    expect(status.status).toBe('merged');
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      status: string;
      delivery: { merge: { sha: string; target: string } | null };
    };
    expect(proof.status).toBe('ready');
    expect(proof.delivery.merge?.target).toBe('main');
    expect(git(repo.root, 'rev-parse', 'main')).toBe(proof.delivery.merge?.sha);
    expect(git(repo.root, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(repo.root, 'src/math.js'), 'utf8')).toContain('return a + b');
  });

  it('refuses a stale proof after the base moved, and leaves the base alone', async () => {
    const id = await manualGoalWithPulls();
    await repo.commit({ 'NOTES.md': 'someone else pushed\n' }, 'base moved');
    const before = git(repo.root, 'rev-parse', 'main');
    const result = await omk('goal', 'merge', id, '--json');
    expect(result.code).toBe(4);
    const outcome = JSON.parse(result.stdout) as {
      merged: boolean;
      blockedBy: string;
      reasons: { blocker: string }[];
    };
    expect(outcome).toMatchObject({ merged: false, blockedBy: 'stale_proof' });
    expect(git(repo.root, 'rev-parse', 'main')).toBe(before);
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as { status: string };
    expect(status.status).not.toBe('merged');
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      delivery: {
        mergeEvaluation: { merge: boolean; reasons: { blocker: string }[]; pr: number } | null;
        merge: unknown;
      };
    };
    expect(proof.delivery.merge).toBeNull();
    expect(proof.delivery.mergeEvaluation).toMatchObject({ merge: false, pr: 3 });
    expect(proof.delivery.mergeEvaluation?.reasons.map((r) => r.blocker)).toContain('stale_proof');
  });

  it('refuses when the merge policy is disabled', async () => {
    // The goal's merge policy is the default (disabled); its PRs opened afterwards.
    const id = await readyGoal();
    expect((await omk('goal', 'open-pr', id, '--policy', 'auto-pr')).code).toBe(0);
    const result = await omk('goal', 'merge', id);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('blocked by policy');
  });

  it('says to open PRs first when there is no integrator PR', async () => {
    const id = await readyGoal('--merge-policy', 'manual');
    const result = await omk('goal', 'merge', id);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no integrator PR');
    expect(result.stderr).toContain('omk goal open-pr');
  });
});

describe('omk goal merge trusts nothing it reads', () => {
  it('refuses a not_ready proof.json edited to ready with its digest recomputed, and leaves main alone', async () => {
    const agents = await createAgentKit();
    try {
      // The fix slice is done; the regression-test slice fails its only attempt: not_ready.
      const agent = await agents.script(
        'half',
        `if (task.startsWith('s1')) write('src/math.js', 'export function add(a, b) { return a + b; }\\nexport function multiply(a, b) { return a * b; }\\n');\nelse process.exit(1);`,
      );
      const run = await omkProcess(
        'goal',
        'run',
        GOAL,
        '--agent',
        agent,
        '--policy',
        'auto-pr',
        '--merge-policy',
        'manual',
        '--forge',
        'local',
        '--json',
      );
      const out = JSON.parse(run.stdout) as { goal: { id: string }; proof: { status: string } };
      expect(out.proof.status).toBe('not_ready');
      const id = out.goal.id;
      const path = join(state.dir, 'goals', id, 'proof.json');
      const proof = JSON.parse(await readFile(path, 'utf8')) as Proof;
      const { digest: _digest, ...body } = { ...proof, status: 'ready' as const };
      await writeFile(path, `${JSON.stringify({ ...body, digest: computeProofDigest(body) }, null, 2)}\n`);
      expect(
        (JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as { status: string }).status,
      ).toBe('ready');

      const before = git(repo.root, 'rev-parse', 'main');
      const result = await omk('goal', 'merge', id, '--json');
      expect(result.code).toBe(4);
      const outcome = JSON.parse(result.stdout) as {
        merged: boolean;
        reasons: { blocker: string; detail: string }[];
      };
      expect(outcome.merged).toBe(false);
      expect(outcome.reasons).toContainEqual({
        blocker: 'proof_edited',
        detail: 'proof.json does not match its evidence (status ready where the evidence gives not_ready)',
      });
      expect(outcome.reasons.map((reason) => reason.blocker)).toContain('proof_not_ready');
      expect(git(repo.root, 'rev-parse', 'main')).toBe(before);
    } finally {
      await agents.cleanup();
    }
  });
});

describe('omk goal verify / review', () => {
  it('rerun the gates and reviews on the integrated tree without running any agent', async () => {
    const id = await readyGoal();
    const events = async () =>
      (
        JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as { events: { type: string }[] }
      ).events.map((e) => e.type);
    const before = await events();
    for (const command of ['verify', 'review']) {
      const result = await omk('goal', command, id, '--json');
      expect(result.code, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as { proof: { status: string } }).proof.status).toBe('ready');
    }
    const added = (await events()).slice(before.length);
    expect(added.filter((type) => type === 'integration_done')).toHaveLength(2);
    expect(added).not.toContain('agent_started');
    expect(added).not.toContain('task_leased');
  });
});

describe('omk goal merge after a merge cut short (local forge)', () => {
  it('records the merge the forge made, exit 0, and never merges a second time', async () => {
    const id = await manualGoalWithPulls();
    const store = localGoalStore(state.dir);
    const local = createLocalForge({ repoRoot: repo.root, stateRoot: state.dir });
    let merges = 0;
    // The forge merges, then the process dies before omk hears back.
    const crashing = {
      ...local,
      async merge(...args: Parameters<typeof local.merge>) {
        merges += 1;
        await local.merge(...args);
        throw new Error('killed');
      },
    };
    await expect(
      mergeGoal({ store, forge: crashing }, id, { method: 'merge', enforceProtection: false }),
    ).rejects.toThrow('killed');
    const mergedMain = git(repo.root, 'rev-parse', 'main');
    expect((await store.read(id)).status).toBe('ready');

    const result = await omk('goal', 'merge', id, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      merged: true,
      pr: 3,
      sha: mergedMain,
      recovered: true,
    });
    expect(merges).toBe(1);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(mergedMain);
    expect((await store.read(id)).status).toBe('merged');
    const log = (await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(log.filter((type) => type === 'merge_requested')).toHaveLength(1);
    expect(log.filter((type) => type === 'goal_merged')).toHaveLength(1);
    expect((await forgeRecords()).pulls.find((p) => p.number === 3)?.state).toBe('merged');
  });
});

describe("the bot's merge check after a merge cut short", () => {
  it('recheckMerge records the merge the forge made instead of refusing not_open', async () => {
    const id = await manualGoalWithPulls();
    const store = localGoalStore(state.dir);
    const goal = await store.read(id);
    await store.withGoalLock(id, () =>
      store.write({ ...goal, options: { ...goal.options, mergePolicy: 'gated' } }),
    );
    const local = createLocalForge({ repoRoot: repo.root, stateRoot: state.dir });
    const crashing = {
      ...local,
      async merge(...args: Parameters<typeof local.merge>) {
        await local.merge(...args);
        throw new Error('killed');
      },
    };
    await expect(
      mergeGoal({ store, forge: crashing }, id, { method: 'merge', enforceProtection: false }),
    ).rejects.toThrow('killed');
    const check = await recheckMerge(testApp(store, { forge: () => Promise.resolve(local) }), id);
    expect(check).toMatchObject({ evaluated: true, result: { merged: true, pr: 3, recovered: true } });
    expect((await store.read(id)).status).toBe('merged');
    expect(await recheckMerge(testApp(store, { forge: () => Promise.resolve(local) }), id)).toMatchObject({
      evaluated: false,
      why: 'not_ready',
    });
  });
});

describe('a goal killed right after its merge was recorded (goal_merged, goal.json not yet written)', () => {
  // Built once (the kill and its checks), then each test starts from a copy of what it left.
  const killedAfterMerge = () => fixtures.get('killed after goal_merged', killAfterMerge);
  const killAfterMerge = async () => {
    const id = await manualGoalWithPulls();
    const killed = await runOmk(['goal', 'merge', id], {
      cwd: repo.root,
      stateDir: state.dir,
      env: { OMK_FAULT_AFTER_EVENT: 'goal_merged' },
    });
    expect(killed.code, killed.stderr).not.toBe(0);
    const goalJson = async () =>
      (JSON.parse(await readFile(join(state.dir, 'goals', id, 'goal.json'), 'utf8')) as { status: string })
        .status;
    expect(await goalJson()).toBe('ready');
    const merges = async () =>
      (await readFile(join(state.dir, 'goals', id, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .filter((line) => (JSON.parse(line) as { type: string }).type === 'goal_merged').length;
    expect(await merges()).toBe(1);
    return { id, goalJson, merges };
  };

  it('status settles goal.json to merged, with the merge in the proof', async () => {
    const { id, goalJson, merges } = await killedAfterMerge();
    const status = await omk('goal', 'status', id, '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'merged' });
    expect(await goalJson()).toBe('merged');
    const proof = JSON.parse(await readFile(join(state.dir, 'goals', id, 'proof.json'), 'utf8')) as Proof;
    expect(proof.delivery.merge?.sha).toBe(git(repo.root, 'rev-parse', 'main'));
    expect(await merges()).toBe(1);
  });

  it('resume --auto settles it instead of finding nothing, and merge answers recovered once', async () => {
    const { id, goalJson, merges } = await killedAfterMerge();
    const resumed = await omk('goal', 'resume', '--auto', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await goalJson()).toBe('merged');
    const again = await omk('goal', 'merge', id, '--json');
    expect(again.stderr).toContain('already merged');
    expect(await merges()).toBe(1);
  });

  it('merge records it as recovered, exit 0, without merging again', async () => {
    const { id, goalJson, merges } = await killedAfterMerge();
    const main = git(repo.root, 'rev-parse', 'main');
    const merged = await omk('goal', 'merge', id, '--json');
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ merged: true, pr: 3, sha: main, recovered: true });
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    expect(await goalJson()).toBe('merged');
    expect(await merges()).toBe(1);
    expect((await forgeRecords()).pulls.find((p) => p.number === 3)?.state).toBe('merged');
  });
});
