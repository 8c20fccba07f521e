import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, eventsOfType, NODE_FIXTURE } from '../helpers/execution.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

async function runGoal(text: string, agentBody: string): Promise<string> {
  const agent = await env.kit.script('agent', agentBody);
  const result = await env.omk('goal', 'run', text, '--agent', agent, '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

const BENCHMARK_CONFIG = [
  'version: 1',
  'gates:',
  '  list:',
  '    - name: bench',
  '      kind: benchmark',
  '      run: ["node", "-e", "console.log(\'parse: 1.2 ms\')"]',
  '',
].join('\n');

const PERFORMANCE_GOAL = 'make the parser in src/parser.js 2x faster';

describe('a performance goal', () => {
  it('is not ready without a benchmark gate, and says where to add one', async () => {
    env = await createExecutionEnv(NODE_FIXTURE);
    const id = await runGoal(PERFORMANCE_GOAL, touchWrites);
    const proof = await env.proof(id);
    expect(proof.goal.class).toBe('performance');
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['performance_no_benchmark']);
    const shown = await env.omk('goal', 'proof', id);
    expect(shown.stdout).toContain('Performance goal without a benchmark gate');
    expect(shown.stdout).toContain(`Add one in .omk/config.yml`);
    expect(shown.stdout).toContain(`'omk goal run "<goal>"' again`);
  });

  it('is ready when its benchmark gate ran on the base and passed on the head', async () => {
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.omk/config.yml': BENCHMARK_CONFIG });
    const id = await runGoal(PERFORMANCE_GOAL, touchWrites);
    const proof = await env.proof(id);
    expect(proof.knownGaps).toEqual([]);
    expect(proof.status).toBe('ready');
    expect(proof.gates.find((gate) => gate.kind === 'benchmark')).toMatchObject({
      name: 'bench',
      outcome: 'passed',
      sha: proof.git.headSha,
    });
    const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
      baseGates: { name: string; sha: string; outcome: string }[];
    };
    expect(execution.baseGates.find((gate) => gate.name === 'bench')).toMatchObject({
      sha: proof.git.baseSha,
      outcome: 'passed',
    });
  });
});

describe('a rewrite whose agent empties a test', () => {
  it('never reaches ready: the weakened test is a blocking finding naming the file and test', async () => {
    env = await createExecutionEnv(NODE_FIXTURE);
    const emptyTheTest = `
if (writes.some((w) => w.startsWith('test'))) {
  write('test/parser.test.js', "import { test } from 'node:test';\\ntest('parse keeps text', () => {});\\n");
} else {
  ${touchWrites}
}`;
    const id = await runGoal('rewrite src/parser.js and test/parser.test.js', emptyTheTest);
    const proof = await env.proof(id);
    expect(proof.goal.class).toBe('rewrite');
    expect(proof.status).not.toBe('ready');
    const blocking = proof.findings.filter((finding) => finding.severity === 'blocking');
    expect(blocking).toEqual([
      {
        review: 'controller',
        severity: 'blocking',
        message: expect.stringMatching(
          /^1 assertion removed from "test\/parser\.test\.js" \(in "parse keeps text"\) without a replacement/,
        ),
        paths: ['test/parser.test.js'],
        // Found in the slice that wrote the test, not in the integrated tree.
        slice: expect.stringMatching(/^s\d+-test-parser-test-js$/),
      },
    ]);
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('blocking_finding');
    const pending = eventsOfType(await env.events(id), 'task_pending');
    expect(String(pending[0]?.data.failure)).toContain('1 assertion removed from "test/parser.test.js"');
  });
});
