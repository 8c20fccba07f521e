import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/runtime/app/index.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { tempStateDir } from '../helpers/omk.js';

let repo: TempRepo | undefined;
let state: { dir: string; cleanup: () => Promise<void> } | undefined;
afterEach(async () => {
  await repo?.cleanup();
  await state?.cleanup();
});

describe('runDemo', () => {
  it('refuses a fixture whose tests already pass, before any goal exists', async () => {
    repo = await createTempRepo({
      'package.json': JSON.stringify({ name: 'passing', scripts: { test: 'node -e "process.exit(0)"' } }),
    });
    state = await tempStateDir();
    const store = localGoalStore(state.dir);
    let baselines = 0;
    await expect(
      runDemo(testApp(store), {
        root: repo.root,
        goal: 'fix the failing test',
        onBaseline: () => {
          baselines += 1;
        },
      }),
    ).rejects.toThrow('The demo fixture was supposed to fail its test before the fix, but it passed.');
    expect(baselines).toBe(0);
    expect(await store.list()).toEqual([]);
    expect(await readdir(state.dir)).toEqual([]);
  });
});
