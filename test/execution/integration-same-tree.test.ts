import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

/**
 * Why the integration's gates run again when the integrated tree is byte for byte a slice's tree
 * (same git tree id, as in every one-slice goal) but a worktree held more than the tree: the
 * slice's gates ran in the worktree its agent worked in, over what omk prepared before the agent;
 * the integration's run in a new worktree of the committed tree, prepared from that tree. The tree
 * id says nothing of either difference. Each case here passes on the slice and fails on the
 * integrated tree of the same tree id; taking the slice's results (gates/reuse.ts refuses both)
 * would record the integration's test gate as passed.
 */

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

interface GateRecord {
  name: string;
  outcome: string;
  sha: string;
}

interface ExecutionRecord {
  slices: { id: string; headSha: string | null; gates: GateRecord[] }[];
  integration: { headSha: string } | null;
  finalGates: GateRecord[];
}

async function execution(id: string): Promise<ExecutionRecord> {
  return JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as ExecutionRecord;
}

async function runGoal(body: string): Promise<string> {
  const agent = await env.kit.script('agent', body);
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
  expect(result.code, result.stderr).not.toBe(2);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/** The slice passed its test gate, the integrated tree of the same tree id failed it, and the proof says failed. */
async function expectSameTreeDifferentVerdict(id: string): Promise<void> {
  const record = await execution(id);
  const slice = record.slices.find((s) => s.id === SLICES.bug);
  expect(slice?.gates.map((g) => `${g.name}:${g.outcome}`)).toEqual(['test:passed']);
  expect(record.integration).not.toBeNull();
  const sliceHead = slice?.headSha ?? '';
  const integrationHead = record.integration?.headSha ?? '';
  // Different commits (the integration merges with --no-ff), one tree.
  expect(integrationHead).not.toBe(sliceHead);
  expect(git(env.repo.root, 'rev-parse', `${integrationHead}^{tree}`)).toBe(
    git(env.repo.root, 'rev-parse', `${sliceHead}^{tree}`),
  );
  expect(record.finalGates.map((g) => `${g.name}:${g.outcome}`)).toEqual(['test:failed']);
  const events = await env.events(id);
  expect(eventsOfType(events, 'integration_done').map((e) => e.data.gates)).toEqual([['test:failed']]);
  const proof = await env.proof(id);
  // A required gate failing on the integrated tree fails the goal.
  expect(proof.status).toBe('failed');
  expect(proof.gates.find((g) => g.name === 'test')).toMatchObject({
    outcome: 'failed',
    sha: integrationHead,
  });
}

describe('the integrated tree with the tree id of the slice', () => {
  it('fails where a file the agent left in its worktree, ignored by git, made the slice pass', async () => {
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.gitignore': 'node_modules/\nbuild/\n' });
    // As an agent that ran a code generator and committed only its sources would: build/ is ignored.
    const id = await runGoal(`
write('build/table.js', 'export const TRIM = true;\\n');
write('src/parser.js', "import { TRIM } from '../build/table.js';\\nexport const parse = (text) => (TRIM ? text.trim() : text);\\n");
`);
    await expectSameTreeDifferentVerdict(id);
  });

  it("fails where the slice's preparation ran on the base's files and the integration's on the slice's", async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      '.gitignore': 'node_modules/\ngenerated/\n',
      // The project's own setup, in every new worktree: generated/words.js from words.json.
      'scripts/generate.mjs': [
        "import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
        "const words = JSON.parse(readFileSync('words.json', 'utf8'));",
        "mkdirSync('generated', { recursive: true });",
        "writeFileSync('generated/words.js', 'export const WORDS = ' + JSON.stringify(words) + ';\\n');",
        '',
      ].join('\n'),
      'words.json': '["alpha"]\n',
      'test/words.test.js': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { WORDS } from '../generated/words.js';",
        "test('every word is lower case', () => assert.ok(WORDS.every((w) => w === w.toLowerCase())));",
        '',
      ].join('\n'),
      '.omk/config.yml': [
        'version: 1',
        'workspace:',
        '  setup:',
        '    - ["node", "scripts/generate.mjs"]',
        '',
      ].join('\n'),
    });
    const id = await env.plan(GOALS.single);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, 'words.json'] })),
    }));
    // The agent changes the generator's input and the parser; it does not run the generator, so
    // its worktree keeps what the setup made from the base's words.json.
    const agent = await env.kit.script(
      'agent',
      `
write('words.json', '["alpha", "Beta"]\\n');
write('src/parser.js', 'export const parse = (text) => text.trim();\\n');
`,
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(result.code, result.stderr).not.toBe(2);
    await expectSameTreeDifferentVerdict(id);
  });
});
