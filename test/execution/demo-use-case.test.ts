import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { processHost } from '../../src/adapters/process/host.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { runDemo } from '../../src/runtime/app/index.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
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
    const store = new GoalStore({
      files: localStateFiles,
      stateRoot: state.dir,
      clock: systemClock,
      host: processHost(),
      reporter: silentReporter,
    });
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
