import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { silentReporter, systemClock } from '../ports.js';
import type { RepoScope } from './repo-scope.js';
import type { GoalRecord } from './schema.js';
import { GoalStore } from './store.js';

const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

/** Repository /a (with its linked worktree /a-wt) and repository /b. */
const scopeOf = (top: string): RepoScope => ({
  root: top,
  holds: (goalRoot) => (top === '/a' ? ['/a', '/a-wt'] : [top]).includes(goalRoot),
});
const A = scopeOf('/a');
const B = scopeOf('/b');

function made(id: string, repoRoot: string, createdAt: string): GoalRecord {
  const goal = goalRecord();
  return { ...goal, id, createdAt, repo: { ...goal.repo, root: repoRoot } };
}

const hintOf = (error: unknown) =>
  (error as { hintIn: (spell: typeof NEUTRAL_STEPS) => string }).hintIn(NEUTRAL_STEPS);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-scope-'));
  store = new GoalStore({
    files: localStateFiles,
    stateRoot: root,
    clock: systemClock,
    host,
    reporter: silentReporter,
  });
  await store.create(made('fix-parser-aaaaaa', '/a', '2026-01-01T00:00:00.000Z'));
  await store.create(made('fix-lexer-bbbbbb', '/a-wt', '2026-01-02T00:00:00.000Z'));
  await store.create(made('fix-docs-cccccc', '/c', '2026-01-03T00:00:00.000Z'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('GoalStore.resolve in a repository', () => {
  it("takes latest among the repository's goals (a linked worktree's too), not the newest of all", async () => {
    expect(await store.resolve(undefined, A)).toBe('fix-lexer-bbbbbb');
    expect(await store.resolve('latest', A)).toBe('fix-lexer-bbbbbb');
    expect(await store.resolve('latest', null)).toBe('fix-docs-cccccc');
  });

  it("takes a prefix among the repository's goals only", async () => {
    expect(await store.resolve('fix-p', A)).toBe('fix-parser-aaaaaa');
    // 'fix-' is ambiguous among A's two goals, not among all three.
    await expect(store.resolve('fix-', A)).rejects.toThrow("'fix-' matches 2 goals");
    const error = await store.resolve('fix-d', A).catch((caught: unknown) => caught);
    expect(String(error)).toContain(
      "No goal in the repository /a starts with 'fix-d'; of other repositories: fix-docs-cccccc.",
    );
    expect(hintOf(error)).toBe("Name one by its whole id, or list every goal with 'goal list --all'.");
    await expect(store.resolve('zzz', A)).rejects.toThrow("No goal 'zzz'.");
  });

  it('takes a whole id wherever its goal is', async () => {
    expect(await store.resolve('fix-docs-cccccc', A)).toBe('fix-docs-cccccc');
    expect(await store.resolve('fix-parser-aaaaaa', B)).toBe('fix-parser-aaaaaa');
  });

  it('says a repository with no goals has none, what others hold, and how to list or name them', async () => {
    const error = await store.resolve(undefined, B).catch((caught: unknown) => caught);
    expect(String(error)).toContain(
      'No goal in the repository /b yet; 3 goals of other repositories are in this state root.',
    );
    expect(hintOf(error)).toContain("list every goal with 'goal list --all', or name one by its whole id");
    await expect(store.resolve('fix-p', B)).rejects.toThrow('of other repositories: fix-parser-aaaaaa');
  });
});
