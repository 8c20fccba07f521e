import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLauncher } from '../../src/adapters/agents/launcher.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { resolveAgent } from '../../src/runtime/agents/registry.js';
import { decideOracle } from '../../src/runtime/goal/intake.js';
import { validateTaskGraph } from '../../src/runtime/graph/validate.js';
import { createAgentPlanner } from '../../src/runtime/plan/agent-planner.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import type { PlanInput, PlanProposal } from '../../src/runtime/plan/planner.js';
import { estimateTokens, indexExports } from '../../src/runtime/plan/repo-map.js';
import { findDefinitions, goalIdentifiers } from '../../src/runtime/plan/symbols.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';

// The agent planner against a real repository and real agent processes: `script:` agents that
// print a scripted reply per attempt (or hang), so every path of an untrusted reply is exercised.

const FILES: Record<string, string> = {
  'package.json': '{ "name": "cookie-kit", "scripts": { "test": "node --test" } }\n',
  'src/index.ts': 'export function parseCookie(header: string) {\n  return header.split(";");\n}\n',
  'src/serialize.ts':
    'export function serialize(name: string, value: string) {\n  return name + "=" + value;\n}\n',
  'test/index.test.ts': "import { parseCookie } from '../src/index.js';\n",
  'data/parse-cookie-samples.json': '["a=1"]\n',
};
const GOAL = 'parseCookie drops values that contain an equals sign; fix it';

let repo: TempRepo;
let dir: string;
beforeAll(async () => {
  repo = await createTempRepo(FILES);
  dir = await mkdtemp(join(tmpdir(), 'omk-planner-'));
});
afterAll(async () => {
  await Promise.all([repo.cleanup(), rm(dir, { recursive: true, force: true })]);
});

interface Scripted {
  proposal: PlanProposal;
  /** One entry per planning run: the attempt and the prompt it was given. */
  calls: { attempt: number; prompt: string }[];
}

/** A slice as a valid reply has it; overrides make it hostile. */
function slice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 's1-fix-parse-cookie',
    title: 'Fix parseCookie for values with "="',
    role: 'implementer',
    reads: ['src/index.ts'],
    writes: ['src/index.ts', 'test/index.test.ts'],
    dependsOn: [],
    acceptance: ['parseCookie("a=b=c") keeps "b=c"'],
    tests: ['test/index.test.ts'],
    risk: 'medium',
    why: 'src/index.ts defines parseCookie',
    ...overrides,
  };
}

/** What Claude Code 2.1.197 prints in print mode when it is not logged in (then exits 1). */
const NOT_LOGGED_IN = readFileSync(
  new URL('../fixtures/agents/claude-2.1.197-not-logged-in.json', import.meta.url),
  'utf8',
);

const FIX = { class: 'fix', why: 'parseCookie mishandles values with "="' };
const reply = (slices: unknown[], classification: unknown = FIX) =>
  JSON.stringify({ version: 2, classification, slices });

let counter = 0;
/** Plans GOAL with a script agent that prints replies[attempt - 1] ('HANG' sleeps instead). */
async function planWith(
  replies: string[],
  options: { tokenBudget?: number; goal?: string; budget?: PlanInput['budget'] } = {},
): Promise<Scripted> {
  counter += 1;
  const log = join(dir, `calls-${counter}.jsonl`);
  const script = join(dir, `planner-${counter}.mjs`);
  await writeFile(
    script,
    `#!/usr/bin/env node
import { appendFileSync, readFileSync } from 'node:fs';
const attempt = Number(process.env.OMK_ATTEMPT);
const prompt = readFileSync(process.env.OMK_PROMPT_FILE, 'utf8');
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ attempt, task: process.env.OMK_TASK_ID, prompt }) + '\\n');
const replies = ${JSON.stringify(replies)};
const answer = replies[Math.min(attempt, replies.length) - 1];
if (answer === 'HANG') await new Promise((resolve) => setTimeout(resolve, 60_000));
if (answer === 'LOGGED_OUT') {
  process.stdout.write(${JSON.stringify(NOT_LOGGED_IN)});
  process.exit(1);
}
console.log('Here is the plan:');
console.log(answer);
`,
  );
  await chmod(script, 0o755);
  const agent = resolveAgent(`script:${script}`, {
    repoRoot: repo.root,
    config: { custom: {}, settings: {} },
    env: process.env,
    launcher: agentLauncher,
  });
  const goalText = options.goal ?? GOAL;
  const repoFiles = await gitRepo.listFiles(repo.root);
  const planner = createAgentPlanner({
    agent,
    tokenBudget: options.tokenBudget ?? 8000,
    facts: async (input) => ({
      files: input.repoFiles,
      sizes: await gitRepo.fileSizes(repo.root),
      exports: await indexExports(gitRepo, repo.root),
      gates: ['test: npm test'],
    }),
    workDir: () => join(dir, `work-${counter}`),
    files: localStateFiles,
    timeoutMs: () => 1_500,
    fallback: heuristicPlanner,
  });
  const proposal = await planner.plan({
    goalId: 'g1',
    goalText,
    oracle: decideOracle(goalText),
    repoFiles,
    budget: options.budget ?? { timeMs: null, tokens: null, usd: null },
    maxAgents: 4,
    definitions: await findDefinitions(gitRepo, repo.root, goalIdentifiers(goalText)),
  });
  const text = await readFile(log, 'utf8').catch(() => '');
  const calls = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { attempt: number; prompt: string });
  return { proposal, calls };
}

describe('agent planner', () => {
  it('takes a valid task graph from the agent and explains each write set', async () => {
    const { proposal, calls } = await planWith([reply([slice()])]);
    expect(proposal.planner).toEqual({ name: 'agent', version: '2' });
    expect(proposal.classification).toEqual(FIX);
    expect(calls).toHaveLength(1);
    const [task] = proposal.tasks;
    expect(task?.writes).toEqual(['src/index.ts', 'test/index.test.ts']);
    expect(task?.acceptance).toContain('These tests pass on the head commit: test/index.test.ts');
    expect(validateTaskGraph(proposal.tasks).rejected).toEqual([]);
    expect(proposal.notes.join('\n')).toMatch(/planned by agent script:.* on attempt 1/);
    expect(proposal.notes).toContain(
      's1-fix-parse-cookie writes src/index.ts, test/index.test.ts: src/index.ts defines parseCookie ' +
        '(omk: src/index.ts defines parseCookie (function, line 1))',
    );
  });

  it("widens a slice asked for the goal's failing test to the tests of what it changes, and says so", async () => {
    const [failToPass = ''] = decideOracle(GOAL).checks;
    const narrow = slice({ writes: ['src/index.ts'], tests: [], acceptance: [failToPass] });
    const { proposal } = await planWith([reply([narrow])]);
    expect(proposal.planner.name).toBe('agent');
    expect(proposal.tasks[0]?.writes).toEqual(['src/index.ts', 'test']);
    expect(proposal.notes).toContain(
      'omk: s1-fix-parse-cookie writes test: no test slice follows this fix, so it shows its own failing-then-passing test there',
    );
  });

  it("says when the agent's write sets leave out the file that defines what the goal names", async () => {
    const data = 'data/parse-cookie-samples.json';
    const wrong = slice({ reads: [data], writes: [data], tests: [], why: undefined });
    const { proposal } = await planWith([reply([wrong])]);
    expect(proposal.planner.name).toBe('agent');
    expect(proposal.notes).toContain(`s1-fix-parse-cookie writes ${data}: the agent gave no reason`);
    expect(proposal.notes).toContain(
      'omk: src/index.ts defines parseCookie (function, line 1), and no slice writes it',
    );
  });

  it('shows the agent a repository map with sizes, languages, exported symbols and gates', async () => {
    const { calls } = await planWith([reply([slice()])]);
    const prompt = calls[0]?.prompt ?? '';
    expect(prompt).toContain(`Goal: ${GOAL}`);
    expect(prompt).toMatch(/^src\/index\.ts \d+B TypeScript — parseCookie$/m);
    expect(prompt).toMatch(/^Test layout: test\/ \(1 test files\)$/m);
    expect(prompt).toContain('Gates: test: npm test');
    expect(prompt).toContain('"version": 2');
    expect(prompt).toContain('fix | greenfield | rewrite | hardening | performance | untestable');
  });

  it('gives an invalid reply one retry with the errors, then takes the corrected one', async () => {
    const { proposal, calls } = await planWith([reply([]), reply([slice()])]);
    expect(calls.map((call) => call.attempt)).toEqual([1, 2]);
    expect(calls[1]?.prompt).toMatch(/Your previous reply was refused:\n- slices: /);
    expect(proposal.planner.name).toBe('agent');
    expect(proposal.notes.join('\n')).toMatch(/on attempt 2/);
  });

  it('classifies the goal in the same reply: another class is taken', async () => {
    const why = 'the goal asks to rewrite the parser';
    const { proposal } = await planWith([reply([slice()], { class: 'rewrite', why })]);
    expect(proposal.planner.name).toBe('agent');
    expect(proposal.classification).toEqual({ class: 'rewrite', why });
    expect(proposal.classificationFallback).toBeUndefined();
  });

  it('an untestable class plans nothing and carries the questions', async () => {
    const untestable = {
      class: 'untestable',
      why: 'no behaviour is named',
      questions: ['Which input fails?'],
    };
    const { proposal, calls } = await planWith([reply([], untestable)]);
    expect(calls).toHaveLength(1);
    expect(proposal.tasks).toEqual([]);
    expect(proposal.classification).toEqual(untestable);
    expect(proposal.notes[0]).toMatch(/classified untestable by agent script:.*: no behaviour is named/);
  });

  it('asks the agent about a goal the heuristic finds untestable, and its class decides', async () => {
    const vague = 'improve parseCookie';
    expect(decideOracle(vague).testable).toBe(false);
    const { proposal, calls } = await planWith([reply([slice()])], { goal: vague });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.prompt).toMatch(
      /^Goal class: not decided\. omk's heuristic found no way to test it \(names 'parseCookie' but no action/m,
    );
    expect(calls[0]?.prompt).toContain('What observable behaviour of parseCookie should change?');
    expect(proposal.planner.name).toBe('agent');
    expect(proposal.classification).toEqual(FIX);
    expect(proposal.tasks.map((task) => task.writes)).toEqual([['src/index.ts', 'test/index.test.ts']]);
  });

  it("leaves an untestable goal untestable when the agent's replies are refused twice", async () => {
    const { proposal, calls } = await planWith(['no plan'], { goal: 'improve parseCookie' });
    expect(calls).toHaveLength(2);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.tasks).toEqual([]);
    expect(proposal.classification).toBeUndefined();
    expect(proposal.classificationFallback).toMatch(/^the agent planner was not used \(reply refused/);
    expect(proposal.notes[0]).toMatch(/; the heuristic planner's verdict stands$/);
    expect(proposal.notes[1]).toMatch(/^not planned: the goal is not testable/);
  });

  it('an invalid class gets the one retry, then the heuristic classification, with the reason', async () => {
    const bad = reply([slice()], { class: 'refactoring', why: 'x' });
    const noQuestions = reply([], { class: 'untestable', why: 'vague' });
    const { proposal, calls } = await planWith([bad, noQuestions]);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.prompt).toMatch(/- classification\.class: /);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.classification).toBeUndefined();
    expect(proposal.classificationFallback).toMatch(
      /classification\.class: .*classification\.questions: an untestable goal needs at least one question/,
    );
  });

  it('falls back to the heuristic after two invalid replies and records why', async () => {
    const { proposal, calls } = await planWith(['I would rather not plan today.']);
    expect(calls).toHaveLength(2);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(
      /^agent planner \(script:.*\) not used: reply refused \(no JSON object with a \\?"version\\?" key in the reply\), and again after a retry/,
    );
    // The heuristic still finds the function's file (and its test directory, for the fix's test).
    expect(proposal.tasks[0]?.writes).toEqual(['src/index.ts', 'test']);
  });

  it.each([
    ['a path outside the repository', { writes: ['../outside.ts'] }, /climbs out of the repository/],
    ['a path into .git', { writes: ['.git/config'] }, /\.git/],
    ['a workflow file', { writes: ['.github/workflows/ci.yml'] }, /is protected/],
    ['an absolute path', { reads: ['/etc/passwd'] }, /s1-fix-parse-cookie\.reads/],
    [
      'a file in a directory that does not exist',
      { writes: ['lib/new.ts'] },
      /directory \\?"lib\\?" does not exist/,
    ],
    ['a dependency on no slice', { dependsOn: ['s9'] }, /no slice \\?"s9\\?"/],
    [
      'a title that hides a line break',
      { title: 'Fix\nmerge: yes' },
      /title: one line without control characters/,
    ],
    ['an unknown key', { shell: 'rm -rf /' }, /Unrecognized key/],
  ])('rejects %s with the reason recorded', async (_name, overrides, reason) => {
    const { proposal, calls } = await planWith([reply([slice(overrides)])]);
    expect(calls).toHaveLength(2);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(reason);
  });

  it("gives the slices what planning left of the goal's budget, so one slice given all of it still fits", async () => {
    const budget = { timeMs: 20 * 60_000, tokens: 200_000, usd: 25 };
    const planned = await planWith([reply([slice()])], { budget });
    const spent = planned.proposal.spent;
    expect(spent?.timeMs).toBeGreaterThan(0);
    expect(planned.proposal.tasks[0]?.budget.timeMs).toBe(budget.timeMs - (spent?.timeMs ?? 0));
    // Refused twice, the heuristic plans with what both runs left.
    const fallen = await planWith(['I would rather not plan today.'], { budget });
    expect(fallen.proposal.planner.name).toBe('heuristic');
    const both = fallen.proposal.spent?.timeMs ?? 0;
    expect(both).toBeGreaterThan(0);
    expect(fallen.proposal.tasks[0]?.budget.timeMs).toBe(budget.timeMs - both);
  });

  it('rejects a cycle', async () => {
    const cyclic = reply([
      slice({ id: 's1-a', dependsOn: ['s2-b'], writes: ['src/index.ts'] }),
      slice({ id: 's2-b', dependsOn: ['s1-a'], writes: ['src/serialize.ts'], reads: [] }),
    ]);
    const { proposal } = await planWith([cyclic]);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(/cycle/);
  });

  it('rejects parallel slices that write the same file', async () => {
    const conflicting = reply([slice({ id: 's1-a' }), slice({ id: 's2-b', reads: [] })]);
    const { proposal } = await planWith([conflicting]);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(/s2-b: conflict/);
  });

  it('stops a hanging agent at the planning timeout and plans with the heuristic, without a retry', async () => {
    const started = Date.now();
    const { proposal, calls } = await planWith(['HANG']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(calls).toHaveLength(1);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(/the agent did not answer: timeout/);
  });

  it('stops on an agent that cannot run here (not logged in), once, with its words: no retry, no heuristic', async () => {
    await expect(planWith(['LOGGED_OUT', reply([slice()])])).rejects.toThrow(
      /cannot run here, so it could not plan this goal: Not logged in · Please run \/login/,
    );
    const calls = (await readFile(join(dir, `calls-${counter}.jsonl`), 'utf8')).split('\n').filter(Boolean);
    expect(calls).toHaveLength(1);
  });

  it('does not call the agent when the prompt cannot fit the token budget', async () => {
    const { proposal, calls } = await planWith([reply([slice()])], { tokenBudget: 100 });
    expect(calls).toHaveLength(0);
    expect(proposal.planner.name).toBe('heuristic');
    expect(proposal.notes[0]).toMatch(/does not fit in the planner token budget of 100/);
  });

  it('cuts the file list to the budget and says how many files it left out', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i += 1)
      many[`src/generated/module-${i}.ts`] = `export const value${i} = ${i};\n`;
    await repo.commit(many, 'many files');
    const { calls } = await planWith([reply([slice()])], { tokenBudget: 2000 });
    const prompt = calls[0]?.prompt ?? '';
    expect(estimateTokens(prompt)).toBeLessThanOrEqual(2000);
    expect(prompt).toMatch(/\(\d+ more files not shown: the budget is full\)/);
    // The file defining the goal's symbol is among the first shown: files with symbols come first.
    expect(prompt).toContain('src/index.ts');
  });

  it('keeps the retry prompt within the budget too: the map gives up the room the errors take', async () => {
    const bulk: Record<string, string> = {};
    for (let i = 0; i < 300; i += 1) bulk[`src/bulk/part-${i}.ts`] = `export const part${i} = ${i};\n`;
    await repo.commit(bulk, 'more files than a 2000-token map can show');
    const { proposal, calls } = await planWith([reply([]), reply([slice()])], { tokenBudget: 2000 });
    expect(calls.map((call) => call.attempt)).toEqual([1, 2]);
    const retry = calls[1]?.prompt ?? '';
    expect(retry).toMatch(/Your previous reply was refused:\n- slices: at least one slice/);
    expect(estimateTokens(retry)).toBeLessThanOrEqual(2000);
    expect(retry).toMatch(/\(\d+ more files not shown: the budget is full\)/);
    expect(proposal.planner.name).toBe('agent');
  });
});
