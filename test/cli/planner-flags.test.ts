import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/runtime/plan/repo-map.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// What docs/cli.md § Planning promises of --no-llm-planner, --planner-token-budget and an agent's
// untrusted reply, checked through the CLI with script planner agents on real repositories.

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const GOAL = 'parseCookie drops values that contain an equals sign; fix it';

beforeEach(async () => {
  repo = await createTempRepo({
    'package.json': '{ "name": "cookie-kit" }\n',
    'src/cookie/parse.ts': 'export function parseCookie(header: string) {\n  return header.split(";");\n}\n',
    'test/parse.test.ts': "import { parseCookie } from '../src/cookie/parse.js';\n",
  });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

const SLICE = {
  id: 's1-fix-parse-cookie',
  title: 'Fix parseCookie',
  role: 'implementer',
  reads: ['src/cookie/parse.ts'],
  writes: ['src/cookie/parse.ts'],
  dependsOn: [],
  acceptance: ['parseCookie("a=b=c") keeps "b=c"'],
  tests: ['test/parse.test.ts'],
  risk: 'medium',
};
const reply = (slices: unknown[]) =>
  JSON.stringify({ version: 2, classification: { class: 'fix', why: 'values lose "="' }, slices });

interface Call {
  attempt: number;
  prompt: string;
}

/** A script agent that logs each call's attempt and prompt and prints replies[attempt - 1]. */
async function planner(replies: string[]): Promise<{ spec: string; calls(): Promise<Call[]> }> {
  const log = join(state.dir, 'planner-calls.jsonl');
  const path = join(state.dir, 'planner.mjs');
  await writeFile(
    path,
    `#!/usr/bin/env node
import { appendFileSync, readFileSync } from 'node:fs';
const attempt = Number(process.env.OMK_ATTEMPT);
const prompt = readFileSync(process.env.OMK_PROMPT_FILE, 'utf8');
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ attempt, prompt }) + '\\n');
const replies = ${JSON.stringify(replies)};
console.log(replies[Math.min(attempt, replies.length) - 1]);
`,
  );
  await chmod(path, 0o755);
  const calls = async () =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  return { spec: `script:${path}`, calls };
}

async function planned(...args: string[]) {
  const result = await omk('goal', 'plan', GOAL, ...args, '--json');
  expect(result.code, result.stderr).toBe(0);
  const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
  const dir = join(state.dir, 'goals', goal.id);
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  const decisions = (await read('decisions.jsonl'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string; decision: string; reason: string });
  return {
    graph: JSON.parse(await read('task-graph.json')) as {
      planner: { name: string };
      tasks: { writes: string[] }[];
    },
    planner: decisions.find((decision) => decision.kind === 'planner'),
    technicalPlan: await read('technical-plan.md'),
    budget: await read('budget.jsonl'),
  };
}

describe('--no-llm-planner', () => {
  it('planner.agent in .omk/config.yml plans without --agent, and --no-llm-planner overrides it', async () => {
    const { spec, calls } = await planner([reply([SLICE])]);
    await repo.commit({ '.omk/config.yml': `planner:\n  agent: ${JSON.stringify(spec)}\n` }, 'planner agent');

    const off = await planned('--no-llm-planner');
    expect(off.graph.planner.name).toBe('heuristic');
    expect(off.planner?.reason).toMatch(/^agent planner turned off for this goal; /);
    expect(await calls()).toEqual([]);

    const on = await planned();
    expect(on.graph.planner.name).toBe('agent');
    expect(await calls()).toHaveLength(1);
  });
});

describe('--planner-token-budget', () => {
  it('cuts the repository map to the budget (8000 by default), counting what it left out', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 1500; i += 1) {
      many[`src/generated/module-${String(i).padStart(4, '0')}.ts`] =
        `export const generatedValueNumber${i} = ${i};\n`;
    }
    await repo.commit(many, 'many files');
    const { spec, calls } = await planner([reply([SLICE])]);

    expect((await planned('--agent', spec)).graph.planner.name).toBe('agent');
    expect((await planned('--agent', spec, '--planner-token-budget', '2000')).graph.planner.name).toBe(
      'agent',
    );
    const [byDefault, small] = (await calls()).map((call) => call.prompt);
    expect(estimateTokens(byDefault ?? '')).toBeLessThanOrEqual(8000);
    expect(estimateTokens(byDefault ?? '')).toBeGreaterThan(7000);
    expect(estimateTokens(small ?? '')).toBeLessThanOrEqual(2000);
    for (const prompt of [byDefault, small]) {
      expect(prompt).toMatch(/\(\d+ more files not shown: the budget is full\)/);
      // The file that defines the symbol the goal names is always among those shown.
      expect(prompt).toMatch(/^src\/cookie\/parse\.ts \d+B TypeScript — parseCookie$/m);
    }
    const omitted = (prompt = '') => Number(/\((\d+) more files not shown/.exec(prompt)?.[1]);
    expect(omitted(small)).toBeGreaterThan(omitted(byDefault));
  });

  it.each(['0', '1000001', '12.5'])('refuses %s, naming the flag and the range', async (value) => {
    const result = await omk('goal', 'plan', GOAL, '--planner-token-budget', value);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--planner-token-budget: '${value}' must be a whole number from 1 to 1000000`,
    );
  });
});

describe("the agent's reply is untrusted", () => {
  it('an invalid reply gets one retry with its errors, then the heuristic plans, recorded as the decision', async () => {
    const { spec, calls } = await planner(['Sure! Here is my plan: fix the parser.']);
    const { graph, planner: decision, technicalPlan, budget } = await planned('--agent', spec);
    const made = await calls();
    expect(made.map((call) => call.attempt)).toEqual([1, 2]);
    expect(made[1]?.prompt).toMatch(
      /Your previous reply was refused:\n- no JSON object with a "version" key in the reply\n/,
    );
    expect(graph.planner.name).toBe('heuristic');
    expect(graph.tasks.map((task) => task.writes)).toEqual([['src/cookie/parse.ts', 'test']]);
    expect(decision?.decision).toBe('heuristic planner');
    expect(decision?.reason).toMatch(
      /^agent planner \(script:.*\) not used: reply refused \(.*\), and again after a retry \(.*\); the heuristic planner planned instead/,
    );
    expect(technicalPlan).toMatch(/agent planner \(script:.*\) not used: reply refused/);
    expect(budget).toContain('"note":"planning agent (its reply was not used)"');
  });

  it('a hostile reply is refused with every reason recorded, and nothing it names is written', async () => {
    const escaping = reply([
      { ...SLICE, writes: ['.github/workflows/ci.yml', '../escape.txt', '.git/hooks/pre-commit'] },
      { ...SLICE, id: 's2-secrets', reads: ['.env'], writes: ['config/.env'] },
    ]);
    const tangled = reply([
      { ...SLICE, id: 's1-a', dependsOn: ['s2-b'], reads: [], writes: ['package.json'] },
      { ...SLICE, id: 's2-b', dependsOn: ['s1-a'], reads: [], writes: ['test/parse.test.ts'] },
      { ...SLICE, id: 's3-c', reads: [] },
      { ...SLICE, id: 's4-d', reads: [] },
    ]);
    const { spec, calls } = await planner([escaping, tangled]);
    const { graph, planner: decision } = await planned('--agent', spec);
    expect(await calls()).toHaveLength(2);
    expect(graph.planner.name).toBe('heuristic');
    const reason = decision?.reason ?? '';
    expect(reason).toMatch(/s1-fix-parse-cookie\.writes: .*\.github\/workflows\/ci\.yml.* is protected/);
    expect(reason).toMatch(/s1-fix-parse-cookie\.writes: .*\.\.\/escape\.txt.* climbs out of the repository/);
    expect(reason).toMatch(/s1-fix-parse-cookie\.writes: .*\.git\/hooks\/pre-commit/);
    expect(reason).toMatch(/s2-secrets\.reads: .*\.env.* is not a tracked file or directory/);
    expect(reason).toMatch(/s2-secrets\.writes: .*environment files hold secrets/);
    expect(reason).toMatch(/again after a retry \(.*cycle.*\)/);
    expect(reason).toMatch(/s4-d: conflict: .*src\/cookie\/parse\.ts/);
    // Read as written: the values keep their own quotes, and no reason is cut short.
    expect(reason).toContain('s1-fix-parse-cookie.writes: "../escape.txt" climbs out of the repository');
    expect(reason).not.toContain('\\"');
    expect(reason).toMatch(/neither depends on the other; add a dependency/);
    await expect(readFile(join(repo.root, '..', 'escape.txt'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('a run whose every slice is rejected executes nothing and says why first: plan_empty, blocked on a person', async () => {
    await repo.commit({ '.github/workflows/ci.yml': 'on: push\njobs: {}\n' });
    const { spec, calls } = await planner(['{}']);
    const goal = 'update the node version in .github/workflows/ci.yml';
    const run = await omk('goal', 'run', goal, '--no-llm-planner', '--agent', spec, '--until-ready');
    // --until-ready: not ready is exit 10, as for a run that executed.
    expect(run.code, run.stderr).toBe(10);
    expect(run.stderr).toMatch(
      /planned no slice to run \(heuristic planner.*; 1 rejected\); nothing to execute/,
    );
    expect(run.stderr).not.toContain('executing');
    expect(run.stdout).toMatch(/proof: blocked_on_human/);
    const gaps = run.stdout.slice(run.stdout.indexOf('known gaps'));
    expect(gaps).toMatch(
      /^known gaps \(\d+\):\n {2}- plan_empty: The plan has no slice to run: 1 slice was rejected \(s1-[a-z0-9-]+: write path "\.github\/workflows\/ci\.yml" is protected/,
    );
    expect(gaps).toContain(`start it again declaring so: 'omk goal run "<goal>" --allow-workflow-edits'`);
    // No agent ran: not as a planner (turned off), not on a slice.
    expect(await calls()).toEqual([]);
  });
});
