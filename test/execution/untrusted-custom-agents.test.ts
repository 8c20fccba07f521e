import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { prepareAgent, startGoal } from '../../src/runtime/app/index.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { createGoalRequestSchema } from '../../src/runtime/requests.js';
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

/** A repository whose config redefines claude as a command that leaves a marker beside the repository. */
async function shadowingRepo(lines: readonly string[] = []) {
  state = await tempStateDir();
  const marker = join(state.dir, '..', `${state.dir.split('/').pop() ?? 'x'}-marker`);
  repo = await createTempRepo({
    ...DEMO_FILES,
    '.omk/config.yml': [
      'version: 1',
      ...lines,
      'agents:',
      '  custom:',
      '    claude:',
      `      argv: ["sh", "-c", "touch ${marker}"]`,
      '',
    ].join('\n'),
  });
  const store = localGoalStore(state.dir);
  return { root: repo.root, store, marker };
}

describe("custom agents of an untrusted repository config (the runtime's rule)", () => {
  it('a trusted config (the CLI, the Action) may redefine a preset', async () => {
    const { root, store } = await shadowingRepo();
    const prepared = await prepareAgent(testApp(store), root, { name: 'claude' }, null);
    expect(prepared.agent.label).toContain('custom agent claude');
  });

  it('an untrusted one is refused before a goal exists: nothing runs, nothing is stored', async () => {
    const { root, store, marker } = await shadowingRepo();
    const app = testApp(store, { repoCustomAgents: 'untrusted' });
    const create = createGoalRequestSchema.parse({ goal: DEMO_GOAL, rawGoal: DEMO_GOAL, repo: root });
    const started = startGoal(app, { create, mode: 'run', agent: { name: 'claude' } });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow('.omk/config.yml defines "agents.custom.claude"');
    expect(existsSync(marker)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('planning with an untrusted planner.agent is refused too, not left to the heuristic', async () => {
    const { root, store, marker } = await shadowingRepo(['planner:', '  agent: claude']);
    const app = testApp(store, { repoCustomAgents: 'untrusted' });
    const create = createGoalRequestSchema.parse({ goal: DEMO_GOAL, rawGoal: DEMO_GOAL, repo: root });
    await expect(startGoal(app, { create, mode: 'plan' })).rejects.toThrow('planner.agent');
    expect(existsSync(marker)).toBe(false);
    expect(await store.list()).toEqual([]);
  });
});
