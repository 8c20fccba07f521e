import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// `omk goal plan` on a repository where the goal names a function but not its file: the agent
// planner (a script agent printing a task graph), the heuristic with --no-llm-planner, and the
// planner token budget as a flag.

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const GOAL = 'parseCookie drops values that contain an equals sign; fix it';
/** Token-shaped (a GitHub prefix and 36 characters): the planner transcript must not keep it. */
const FAKE_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}x9Y8z7`;

interface Planned {
  goal: { id: string };
  graph: { planner: { name: string }; tasks: { id: string; writes: string[] }[] };
}

/** A script agent that logs each planning prompt and prints a one-slice plan for src/cookie/parse.ts. */
async function plannerScript(): Promise<{ spec: string; log: string }> {
  const log = join(state.dir, 'planner-calls.log');
  const path = join(state.dir, 'planner.mjs');
  const plan = {
    version: 2,
    classification: { class: 'fix', why: 'parseCookie drops values' },
    slices: [
      {
        id: 's1-fix-parse-cookie',
        title: 'Fix parseCookie',
        role: 'implementer',
        reads: ['src/cookie/parse.ts'],
        writes: ['src/cookie/parse.ts'],
        dependsOn: [],
        acceptance: ['parseCookie("a=b=c") keeps "b=c"'],
        tests: ['test/parse.test.ts'],
        risk: 'medium',
        why: 'src/cookie/parse.ts defines parseCookie',
      },
    ],
  };
  await writeFile(
    path,
    `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, process.env.OMK_TASK_ID + '\\n');
console.log('debug: token ' + ${JSON.stringify(FAKE_TOKEN)});
console.log(${JSON.stringify(JSON.stringify(plan))});
console.log('{"tokens": 321, "usd": 0.01}');
`,
  );
  await chmod(path, 0o755);
  return { spec: `script:${path}`, log };
}

beforeEach(async () => {
  repo = await createTempRepo({
    'package.json': '{ "name": "cookie-kit" }\n',
    'src/cookie/parse.ts': 'export function parseCookie(header: string) {\n  return header.split(";");\n}\n',
    'bench/parse-cookie.bench.ts': "import { parseCookie } from '../src/cookie/parse.js';\n",
    'test/parse.test.ts': "import { parseCookie } from '../src/cookie/parse.js';\n",
  });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

describe('omk goal plan with the agent planner', () => {
  it('asks the goal agent for the task graph and records the planner decision', async () => {
    const { spec, log } = await plannerScript();
    // Unsandboxed: the script logs its calls outside its working directory.
    const result = await omk('goal', 'plan', GOAL, '--agent', spec, '--sandbox', 'off', '--json');
    expect(result.code, result.stderr).toBe(0);
    const planned = JSON.parse(result.stdout) as Planned;
    expect(planned.graph.planner.name).toBe('agent');
    expect(planned.graph.tasks.map((task) => task.writes)).toEqual([['src/cookie/parse.ts']]);
    expect(await readFile(log, 'utf8')).toBe('plan\n');
    const goalDir = join(state.dir, 'goals', planned.goal.id);
    const written = await readdir(goalDir, { recursive: true });
    const transcripts = written.filter((path) => path.includes('planner') && path.endsWith('.log'));
    expect(transcripts.length).toBeGreaterThan(0);
    for (const path of transcripts) {
      const text = await readFile(join(goalDir, path), 'utf8');
      expect(text).toContain('debug: token');
      expect(text).not.toContain(FAKE_TOKEN);
    }
    const decisions = await readFile(join(state.dir, 'goals', planned.goal.id, 'decisions.jsonl'), 'utf8');
    expect(decisions).toMatch(/"decision":"agent planner".*src\/cookie\/parse.ts defines parseCookie/);
    // What planning cost is charged to the goal's budget.
    const budget = await readFile(join(state.dir, 'goals', planned.goal.id, 'budget.jsonl'), 'utf8');
    const spend = budget
      .split('\n')
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { kind: string; note: string; spent: { tokens: number; usd: number } },
      )
      .find((entry) => entry.kind === 'spend');
    expect(spend).toMatchObject({ note: 'planning agent', spent: { tokens: 321, usd: 0.01 } });
  });

  it('--no-llm-planner plans with the heuristic, which finds the defining file too', async () => {
    const { spec, log } = await plannerScript();
    const result = await omk('goal', 'plan', GOAL, '--agent', spec, '--no-llm-planner', '--json');
    expect(result.code, result.stderr).toBe(0);
    const planned = JSON.parse(result.stdout) as Planned;
    expect(planned.graph.planner.name).toBe('heuristic');
    expect(planned.graph.tasks.map((task) => task.writes)).toEqual([['src/cookie/parse.ts', 'test']]);
    await expect(readFile(log, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('falls back to the heuristic when the prompt exceeds --planner-token-budget', async () => {
    const { spec, log } = await plannerScript();
    const result = await omk(
      'goal',
      'plan',
      GOAL,
      '--agent',
      spec,
      '--sandbox',
      'off',
      '--planner-token-budget',
      '50',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const planned = JSON.parse(result.stdout) as Planned;
    expect(planned.graph.planner.name).toBe('heuristic');
    await expect(readFile(log, 'utf8')).rejects.toThrow(/ENOENT/);
    const decisions = await readFile(join(state.dir, 'goals', planned.goal.id, 'decisions.jsonl'), 'utf8');
    expect(decisions).toMatch(/does not fit in the planner token budget of 50/);
  });

  it('refuses a planner token budget that is not a positive whole number, naming the flag', async () => {
    const result = await omk('goal', 'plan', GOAL, '--planner-token-budget', 'lots');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--planner-token-budget: 'lots' must be a whole number from 1 to 1000000/);
  });

  it('plans with the heuristic when no agent is named', async () => {
    const result = await omk('goal', 'plan', GOAL, '--json');
    expect(result.code, result.stderr).toBe(0);
    const planned = JSON.parse(result.stdout) as Planned;
    expect(planned.graph.planner.name).toBe('heuristic');
    expect(planned.graph.tasks[0]?.writes).toEqual(['src/cookie/parse.ts', 'test']);
  });
});

describe('the planning agent classifies the goal in the same reply', () => {
  /** A script agent that prints replies[attempt - 1] (the last one again after that). */
  async function replying(replies: unknown[]): Promise<string> {
    const path = join(state.dir, 'classifier.mjs');
    await writeFile(
      path,
      `#!/usr/bin/env node
const replies = ${JSON.stringify(replies.map((r) => JSON.stringify(r)))};
console.log(replies[Math.min(Number(process.env.OMK_ATTEMPT), replies.length) - 1]);
`,
    );
    await chmod(path, 0o755);
    return `script:${path}`;
  }
  const slice = {
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
  const plan = async (spec: string, text = GOAL, ...flags: string[]) => {
    const result = await omk('goal', 'plan', text, '--agent', spec, ...flags, '--json');
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const dir = join(state.dir, 'goals', goal.id);
    const read = async (name: string) => readFile(join(dir, name), 'utf8');
    return {
      goal: JSON.parse(await read('goal.json')) as {
        status: string;
        oracle: { testable: boolean; class: string | null; humanDecisions: string[]; reasons: string[] };
      },
      proof: JSON.parse(await read('proof.json')) as { status: string; humanDecisions?: string[] },
      proofText: await read('proof.json'),
      decisions: await read('decisions.jsonl'),
      failure: await read('failure.json').catch(() => ''),
      graph: JSON.parse(await read('task-graph.json')) as Planned['graph'],
    };
  };
  /** A goal the heuristic finds untestable: it names a function but not what should change. */
  const VAGUE = 'improve parseCookie';

  it('a valid class replaces the heuristic one and is recorded as a decision', async () => {
    const spec = await replying([
      {
        version: 2,
        classification: { class: 'hardening', why: 'hostile cookies must not crash' },
        slices: [slice],
      },
    ]);
    const { goal, decisions } = await plan(spec);
    expect(goal.status).toBe('planned');
    expect(goal.oracle).toMatchObject({ testable: true, class: 'hardening' });
    expect(decisions).toMatch(
      /"kind":"classification","decision":"agent: hardening \(the heuristic said fix\)"/,
    );
  });

  it('an invalid class gets one retry, then the heuristic class stands, recorded as a decision', async () => {
    const spec = await replying([
      { version: 2, classification: { class: 'bugfix', why: 'x' }, slices: [slice] },
    ]);
    const { goal, decisions } = await plan(spec);
    expect(goal.oracle).toMatchObject({ testable: true, class: 'fix' });
    expect(decisions).toMatch(/"kind":"classification","decision":"heuristic: fix"/);
    expect(decisions).toMatch(/classification\.class: Invalid option.*again after a retry/);
  });

  it('untestable blocks the goal on a human, with the questions in the proof and failure.json', async () => {
    const question = 'Which cookie header fails today, and what should it parse to?';
    const spec = await replying([
      {
        version: 2,
        classification: { class: 'untestable', why: 'no failing input is named', questions: [question] },
        slices: [],
      },
    ]);
    const { goal, proof, proofText, decisions, failure } = await plan(spec);
    expect(goal.status).toBe('blocked_on_human');
    expect(goal.oracle).toMatchObject({ testable: false, class: null, humanDecisions: [question] });
    expect(proof.status).toBe('blocked_on_human');
    expect(proofText).toContain(question);
    expect(failure).toContain(question);
    expect(decisions).toMatch(/"decision":"agent: untestable/);
  });

  it('a goal the heuristic finds untestable is asked too: the agent class decides and it is planned', async () => {
    const spec = await replying([
      {
        version: 2,
        classification: { class: 'hardening', why: 'parseCookie must reject malformed headers' },
        slices: [slice],
      },
    ]);
    const { goal, graph, decisions, failure } = await plan(spec, VAGUE);
    expect(goal.status).toBe('planned');
    expect(goal.oracle).toMatchObject({ testable: true, class: 'hardening', humanDecisions: [] });
    expect(goal.oracle.reasons[1]).toMatch(/^the heuristic found it untestable \(names 'parseCookie'/);
    expect(graph.planner.name).toBe('agent');
    expect(graph.tasks.map((task) => task.writes)).toEqual([['src/cookie/parse.ts']]);
    expect(decisions).toMatch(/"decision":"not testable: blocked on human"/);
    expect(decisions).toMatch(
      /"kind":"classification","decision":"agent: hardening \(the heuristic said untestable\)"/,
    );
    expect(failure).toBe('');
  });

  it("an untestable goal whose agent replies are refused twice stays blocked on the heuristic's questions", async () => {
    const spec = await replying(['not JSON at all']);
    const { goal, graph, decisions, failure } = await plan(spec, VAGUE);
    expect(goal.status).toBe('blocked_on_human');
    expect(goal.oracle.testable).toBe(false);
    expect(goal.oracle.humanDecisions[0]).toMatch(/What observable behaviour of parseCookie should change/);
    expect(graph.tasks).toEqual([]);
    expect(decisions).toMatch(/"kind":"classification","decision":"heuristic: untestable"/);
    expect(decisions).toMatch(/"decision":"heuristic planner".*planner's verdict stands/);
    expect(failure).toContain('What observable behaviour of parseCookie should change');
  });

  it('with --no-llm-planner an untestable goal is not sent to the agent', async () => {
    const { spec, log } = await plannerScript();
    const { goal, decisions } = await plan(spec, VAGUE, '--no-llm-planner', '--sandbox', 'off');
    expect(goal.status).toBe('blocked_on_human');
    expect(decisions).not.toMatch(/"kind":"classification"/);
    await expect(readFile(log, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
