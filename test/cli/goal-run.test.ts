import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goalRecordSchema } from '../../src/runtime/goal/schema.js';
import { taskGraphSchema } from '../../src/runtime/graph/schema.js';
import { verifyProofDigest } from '../../src/runtime/proof/digest.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

const FIXTURE = {
  'package.json': '{ "name": "fixture", "scripts": { "test": "node --test" } }\n',
  'src/math.js': 'export const add = (a, b) => a - b;\n',
  'test/math.test.js': "import { add } from '../src/math.js';\n",
};

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const goalFiles = async (id: string) => readdir(join(state.dir, 'goals', id));

beforeEach(async () => {
  repo = await createTempRepo(FIXTURE);
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

describe('omk goal run', () => {
  it('creates a goal directory with every document, a validated graph and an honest proof', async () => {
    const result = await omk('goal', 'plan', 'fix the failing tests and add a regression test', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = out.goal.id;
    expect(id).toMatch(/^fix-the-failing-tests-and-add-a-[a-f0-9]{6}$/);
    expect(await goalFiles(id)).toEqual(
      expect.arrayContaining([
        'goal.json',
        'prd.md',
        'technical-plan.md',
        'test-spec.md',
        'task-graph.json',
        'decisions.jsonl',
        'events.jsonl',
        'proof.json',
        'budget.jsonl',
        'artifacts',
      ]),
    );
    const dir = join(state.dir, 'goals', id);
    const goal = goalRecordSchema.parse(JSON.parse(await readFile(join(dir, 'goal.json'), 'utf8')));
    expect(goal.oracle.class).toBe('fix');
    expect(goal.repo.baseSha).toMatch(/^[0-9a-f]{40}$/);
    const graph = taskGraphSchema.parse(JSON.parse(await readFile(join(dir, 'task-graph.json'), 'utf8')));
    expect(graph.tasks.length).toBeGreaterThanOrEqual(2);
    const proof = proofSchema.parse(JSON.parse(await readFile(join(dir, 'proof.json'), 'utf8')));
    expect(proof.status).toBe('not_ready');
    expect(verifyProofDigest(proof)).toBe(true);
    expect(proof.git.baseSha).toBe(goal.repo.baseSha);
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('not_executed');
    expect(goal.status).toBe('planned');
    const events = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    const seqs = events.map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });

  it('plan leaves the goal planned and records --until-ready and the budget', async () => {
    const result = await omk(
      'goal',
      'plan',
      'add a --verbose flag to the cli',
      '--until-ready',
      '--budget-time',
      '2h',
      '--json',
    );
    expect(result.code).toBe(0);
    const { goal } = JSON.parse(result.stdout) as {
      goal: { status: string; options: { untilReady: boolean }; budget: { timeMs: number } };
    };
    expect(goal.status).toBe('planned');
    expect(goal.options.untilReady).toBe(true);
    expect(goal.budget.timeMs).toBe(7_200_000);
  });

  it('words the next steps of a Markdown proof as omk commands, after verify as in goal proof', async () => {
    // A hardening goal with no security gate: its gap's hint names a step, with or without a head.
    expect(
      (await omk('goal', 'plan', 'harden the parser against malformed input', '--agent', 'demo')).code,
    ).toBe(0);
    const verified = await omk('goal', 'verify', '--format', 'md');
    const proof = await omk('goal', 'proof', '--format', 'md');
    for (const markdown of [verified.stdout, proof.stdout]) {
      expect(markdown).toContain(`then 'omk goal run "&lt;goal&gt;"' again`);
    }
  });

  it('blocks an untestable goal on a human, with the decisions needed and failure.json', async () => {
    const result = await omk('goal', 'run', 'make it better', '--agent', 'demo');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('blocked_on_human');
    expect(result.stdout).toContain('a human must decide');
    const status = JSON.parse((await omk('goal', 'status', '--json')).stdout) as {
      id: string;
      status: string;
    };
    expect(status.status).toBe('blocked_on_human');
    const failure = JSON.parse(
      await readFile(join(state.dir, 'goals', status.id, 'failure.json'), 'utf8'),
    ) as {
      status: string;
      humanDecisions: string[];
    };
    expect(failure.status).toBe('blocked_on_human');
    expect(failure.humanDecisions.length).toBeGreaterThan(0);
    const proof = JSON.parse((await omk('goal', 'proof', '--json')).stdout) as {
      status: string;
      humanDecisions: string[];
    };
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.humanDecisions).toEqual(failure.humanDecisions);
  });

  it('gives greenfield and rewrite goals different oracle shapes in test-spec.md', async () => {
    const green = JSON.parse(
      (await omk('goal', 'plan', 'implement a new export command', '--json')).stdout,
    ) as {
      goal: { id: string; oracle: { shape: string } };
    };
    const rewrite = JSON.parse(
      (await omk('goal', 'plan', 'rewrite src/math.js in TypeScript', '--json')).stdout,
    ) as {
      goal: { id: string; oracle: { shape: string } };
    };
    expect(green.goal.oracle.shape).toBe('spec_acceptance');
    expect(rewrite.goal.oracle.shape).toBe('pass_to_pass');
    const spec = (id: string) => readFile(join(state.dir, 'goals', id, 'test-spec.md'), 'utf8');
    const [greenSpec, rewriteSpec] = await Promise.all([spec(green.goal.id), spec(rewrite.goal.id)]);
    expect(greenSpec).toContain('spec_acceptance');
    expect(rewriteSpec).toContain('pass_to_pass');
    expect(greenSpec).not.toEqual(rewriteSpec);
  });

  it('refuses a directory that is not a git repository before writing anything', async () => {
    const result = await runOmk(['goal', 'run', 'fix the failing tests'], {
      cwd: state.dir,
      stateDir: state.dir,
    });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('is not inside a git repository');
    expect(result.stderr).toContain('--repo');
    await expect(readdir(join(state.dir, 'goals'))).rejects.toThrow();
  });
});

describe('input validation happens before any side effect', () => {
  it.each([
    [['goal', 'run', ''], 'The goal is empty', 'omk goal run "fix the failing tests"'],
    [['goal', 'run', '   \u200b '], 'The goal is empty', 'Example'],
    [['goal', 'run', 'fix the tests', '--budget-time', '5x'], "--budget-time: '5x' is not a duration", '30m'],
    [['goal', 'run', 'fix the tests', '--budget-time', '0m'], 'greater than zero', '30m'],
    [['goal', 'run', 'fix the tests', '--budget-tokens', '0'], '--budget-tokens', '200k'],
    [['goal', 'run', 'fix the tests', '--budget-usd', '-5'], '--budget-usd', '25'],
    [['goal', 'run', 'fix the tests', '--max-agents', '0'], '--max-agents', '--max-agents 4'],
    [['goal', 'run', 'fix the tests', '--policy', 'yolo'], "--policy: 'yolo'", '--policy draft-pr'],
    [['goal', 'run', 'fix the tests', '--merge-policy', 'always'], '--merge-policy', '--merge-policy gated'],
    [['goal', 'run', 'fix the tests', '--format', 'xml'], "--format: 'xml'", '--format json'],
  ])('%j is refused with exit 2 and an example', async (args, message, example) => {
    const result = await omk(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(example);
    expect(result.stdout).toBe('');
    await expect(readdir(join(state.dir, 'goals'))).rejects.toThrow();
  });

  it('refuses a run without an agent, or with an unknown one, before creating the goal', async () => {
    const none = await omk('goal', 'run', 'fix the failing tests');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No agent selected');
    expect(none.stderr).toContain('--agent');
    const unknown = await omk('goal', 'run', 'fix the failing tests', '--agent', 'gpt-17');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('gpt-17');
    await expect(readdir(join(state.dir, 'goals'))).rejects.toThrow();
  });

  it('refuses unknown and malformed goal ids', async () => {
    await omk('goal', 'plan', 'fix the failing tests');
    const unknown = await omk('goal', 'status', 'nope-123456');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("No goal 'nope-123456'");
    expect(unknown.stderr).toContain('omk goal list');
    const hostile = await omk('goal', 'status', '../../etc');
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).toContain('is not a goal id');
  });

  it('says there are no goals yet, with the command to start one', async () => {
    const result = await omk('goal', 'status');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('There are no goals yet');
    expect(result.stderr).toContain('omk goal run');
  });

  it('refuses unknown commands and options with usage (exit 2)', async () => {
    const result = await omk('goal', 'frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command/i);
    const option = await omk('goal', 'status', '--bogus');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option/i);
  });
});

describe('help', () => {
  it('documents commands and exit codes', async () => {
    const top = await omk('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Exit codes:');
    const goal = await omk('goal', '--help');
    for (const command of [
      'run',
      'plan',
      'list',
      'status',
      'show',
      'proof',
      'replay',
      'budget',
      'budget-add',
      'pause',
      'resume',
      'cancel',
      'accept',
      'reject',
      'clean',
    ]) {
      expect(goal.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    const run = await omk('goal', 'run', '--help');
    expect(run.stdout).toContain('--budget-time <duration>');
    expect(run.stdout).toContain('--until-ready');
  });
});

describe('omk goal status during a run', () => {
  it('shows the slices as the task graph has them now, not as the proof built when the run began', async () => {
    const plan = await omk('goal', 'plan', 'fix the bug in src/math.js and add a regression test', '--json');
    expect(plan.code, plan.stderr).toBe(0);
    const id = (JSON.parse(plan.stdout) as { goal: { id: string } }).goal.id;
    // What a controller writes as it leases the first slice; the proof is rebuilt only at the end.
    const path = join(state.dir, 'goals', id, 'task-graph.json');
    const graph = taskGraphSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(graph.tasks.length).toBe(2);
    const [first, second] = graph.tasks;
    const running = { ...graph, tasks: [{ ...first, status: 'running', attempts: 1 }, second] };
    await writeFile(path, `${JSON.stringify(running, null, 2)}\n`);

    const text = await omk('goal', 'status', id);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('slices  0/2 done (1 running, 1 pending)');
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as {
      slices: { id: string; status: string; attempts: number }[];
    };
    expect(status.slices).toEqual([
      { id: first?.id, status: 'running', attempts: 1 },
      { id: second?.id, status: 'pending', attempts: 0 },
    ]);
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      slices: { status: string }[];
    };
    expect(proof.slices.map((slice) => slice.status)).toEqual(['pending', 'pending']);
  });
});
