import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/adapters/agents/demo-agent.js';
import { createDemoRepository, DEMO_CONFIG, DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { decideOracle } from '../../src/runtime/goal/intake.js';
import { validateTaskGraph } from '../../src/runtime/graph/validate.js';
import { createAgentPlanner } from '../../src/runtime/plan/agent-planner.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { indexExports } from '../../src/runtime/plan/repo-map.js';
import { findDefinitions, goalIdentifiers } from '../../src/runtime/plan/symbols.js';
import { createTempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// The built-in demo agent as a planning agent, on the demo's own fixture repository (real git):
// the agent planner shows it the real prompt, and its reply passes zod, the path checks and the
// graph validator like any agent's.

let parent: string;
let root: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'omk-demo-planner-'));
  root = await createDemoRepository(parent);
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

async function plan(goal: string, work: string) {
  const planner = createAgentPlanner({
    agent: createDemoAgent(),
    tokenBudget: 8000,
    facts: async (input) => ({
      files: input.repoFiles,
      sizes: await gitRepo.fileSizes(root),
      exports: await indexExports(gitRepo, root),
      gates: ['test: npm test'],
    }),
    workDir: () => join(parent, work),
    files: localStateFiles,
    timeoutMs: () => 10_000,
    fallback: heuristicPlanner,
  });
  return planner.plan({
    goalId: 'g1',
    goalText: goal,
    oracle: decideOracle(goal),
    repoFiles: await gitRepo.listFiles(root),
    budget: { timeMs: 600_000, tokens: null, usd: null },
    maxAgents: 2,
    definitions: await findDefinitions(gitRepo, root, goalIdentifiers(goal)),
  });
}

describe('the demo agent plans its fixture', () => {
  it('the fixture names the demo agent as its planner', async () => {
    expect(await readFile(join(root, '.omk', 'config.yml'), 'utf8')).toMatch(/^planner:\n {2}agent: demo$/m);
  });

  it('answers the planning prompt with a task graph the validator accepts, the same every time', async () => {
    const first = await plan(DEMO_GOAL, 'work-1');
    expect(first.planner).toEqual({ name: 'agent', version: '2' });
    expect(first.classification?.class).toBe('fix');
    expect(first.tasks.map((task) => [task.id, task.writes, task.dependsOn])).toEqual([
      ['s1-fix-the-failing-test-in-src-math-js', ['src/math.js'], []],
      ['s2-add-a-regression-test', ['test/math.test.js'], ['s1-fix-the-failing-test-in-src-math-js']],
    ]);
    expect(validateTaskGraph(first.tasks, { maxTaskTimeMs: 600_000 }).rejected).toEqual([]);
    expect(first.notes[0]).toBe('planned by agent demo (0 tokens) on attempt 1');
    const transcript = await readFile(join(parent, 'work-1', 'transcript-1.log'), 'utf8');
    expect(transcript).toContain('"version":2');
    const again = await plan(DEMO_GOAL, 'work-2');
    // The same graph; each slice's time is its share of what planning left of the 10 min (the
    // planning run's own milliseconds differ from one run to the next).
    const graph = (tasks: typeof first.tasks) => tasks.map(({ budget, ...task }) => task);
    expect(graph(again.tasks)).toEqual(graph(first.tasks));
    for (const proposal of [first, again]) {
      const left = 600_000 - (proposal.spent?.timeMs ?? 0);
      expect(proposal.tasks.map((task) => task.budget.timeMs)).toEqual(
        [left, left].map((ms) => Math.floor(ms / 2)),
      );
    }
  });

  it('a goal its rules cannot split is left to the heuristic, without a retry, with the reason', async () => {
    const proposal = await plan('fix the rounding of multiply when given large numbers', 'work-3');
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(
      /^agent planner \(demo\) not used: the agent did not answer: failed: the demo agent cannot plan \\?"fix the rounding of multiply when given large numbers\\?"/,
    );
    await expect(readFile(join(parent, 'work-3', 'transcript-2.log'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('which goals the demo agent plans (omk goal plan)', () => {
  it('only as planner.agent: as the goal agent alone it leaves planning to the heuristic', async () => {
    const repo = await createTempRepo({ ...DEMO_FILES });
    const state = await tempStateDir();
    try {
      const plan = async () => {
        const result = await runOmk(['goal', 'plan', DEMO_GOAL, '--agent', 'demo', '--json'], {
          cwd: repo.root,
          stateDir: state.dir,
        });
        expect(result.code, result.stderr).toBe(0);
        const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
        const decisions = await readFile(join(state.dir, 'goals', goal.id, 'decisions.jsonl'), 'utf8');
        return decisions.split('\n').filter((line) => line.includes('"kind":"planner"'));
      };
      expect(await plan()).toEqual([
        expect.stringMatching(
          /"decision":"heuristic planner","reason":"the demo agent plans only when planner.agent names it; /,
        ),
      ]);
      await repo.commit({ ...DEMO_CONFIG }, 'the demo agent plans');
      expect(await plan()).toEqual([
        expect.stringMatching(
          /"decision":"agent planner","reason":"planned by agent demo \(0 tokens\) on attempt 1; /,
        ),
      ]);
    } finally {
      await Promise.all([repo.cleanup(), state.cleanup()]);
    }
  });
});
