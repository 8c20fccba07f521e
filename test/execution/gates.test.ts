import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

const slowGateConfig = (required: boolean) =>
  [
    'version: 1',
    'gates:',
    '  list:',
    '    - name: slow',
    '      kind: custom',
    '      run: ["node", "-e", "setTimeout(() => {}, 5000)"]',
    '      timeout: 1s',
    `      required: ${required}`,
    '',
  ].join('\n');

/** The agent touches its write set and fixes the parser when it may (BUGGY_FIXTURE's failing test). */
async function runGoal(text: string, ...flags: string[]): Promise<string> {
  const agent = await env.kit.script('touch', `${touchWrites}\n${fixTheParser}`);
  const result = await env.omk('goal', 'run', text, '--agent', agent, '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

describe('a gate that runs past its timeout', () => {
  it('is killed and recorded as timeout; an optional one leaves a warning on a ready proof', async () => {
    env = await createExecutionEnv({ ...BUGGY_FIXTURE, '.omk/config.yml': slowGateConfig(false) });
    const id = await runGoal(GOALS.single);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([
      ['test:passed', 'slow:timeout'],
    ]);
    const proof = await env.proof(id);
    const slow = proof.gates.find((gate) => gate.name === 'slow');
    expect(slow).toMatchObject({ kind: 'custom', required: false, outcome: 'timeout', exitCode: null });
    expect(slow?.sha).toBe(proof.git.headSha);
    expect(slow?.tail).toContain('timed out after 1000 ms; the process group was killed');
    expect(slow?.durationMs).toBeGreaterThanOrEqual(900);
    expect(slow?.durationMs).toBeLessThan(4_500);
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toEqual([
      expect.stringContaining('Optional gate "slow" (custom) timed out on head'),
    ]);
  });

  it('fails the slice attempt when the gate is required, with the timeout as the failure', async () => {
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.omk/config.yml': slowGateConfig(true) });
    const id = await runGoal(GOALS.single);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([
      ['test:passed', 'slow:timeout'],
    ]);
    expect(eventsOfType(events, 'task_done')).toEqual([]);
    expect(String(eventsOfType(events, 'task_pending')[0]?.data.failure)).toContain(
      'gate slow timeout (exit -)',
    );
    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.slices).toEqual([
      expect.objectContaining({ id: SLICES.bug, status: 'pending', attempts: 1 }),
    ]);
  });
});

describe('flaky and pre-existing gate failures', () => {
  it('classifies a test gate that fails once then passes as flaky; the proof is ready with a warning', async () => {
    env = await createExecutionEnv();
    // Fails on its 2nd run: the slice's first run (the 1st is the check on the base before any
    // agent). The integrated tree is the slice's tree: it takes the slice's results (gates/reuse.ts).
    const counter = join(env.kit.dir, 'gate-runs');
    const gate = join(env.kit.dir, 'flaky-gate.mjs');
    await writeFile(
      gate,
      [
        "import { existsSync, readFileSync, writeFileSync } from 'node:fs';",
        `const counter = ${JSON.stringify(counter)};`,
        "const n = (existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0) + 1;",
        'writeFileSync(counter, String(n));',
        "console.log('gate run ' + n);",
        'process.exit(n === 2 ? 1 : 0);',
        '',
      ].join('\n'),
    );
    await chmod(gate, 0o755);
    await env.repo.commit({
      '.omk/config.yml': [
        'version: 1',
        'gates:',
        '  list:',
        '    - name: test',
        `      run: ["node", ${JSON.stringify(gate)}]`,
        '',
      ].join('\n'),
    });
    // About the gate, not a fix: the agent's comment changes no behaviour, so the goal is a refactor.
    const id = await runGoal('refactor the parser in src/parser.js');

    // base: pass; slice: fail, pass; the integration runs nothing.
    expect(await readFile(counter, 'utf8')).toBe('3');
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:flaky']]);
    expect(eventsOfType(events, 'task_done')).toHaveLength(1);
    const proof = await env.proof(id);
    expect(proof.gates).toEqual([
      expect.objectContaining({ name: 'test', kind: 'test', required: true, outcome: 'flaky', exitCode: 1 }),
    ]);
    expect(proof.gates[0]?.tail).toContain('failed once, passed on rerun');
    expect(proof.gates[0]?.reusedFrom?.slice).toBe(proof.slices[0]?.id);
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toEqual([expect.stringContaining('Required gate "test" (test) is flaky')]);
  });

  it('classifies a test that fails on the base and on the head as pre_existing; a no-op fix is not ready', async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      'test/parser.test.js': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { parse } from '../src/parser.js';",
        "test('parse uppercases', () => assert.equal(parse('a'), 'A'));",
        '',
      ].join('\n'),
    });
    // The agent touches src/parser.js without fixing it (its edit does not trim either).
    const id = await runGoal(GOALS.single);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([
      ['test:pre_existing'],
    ]);
    // A pre-existing failure does not fail the slice: the change did not cause it.
    expect(eventsOfType(events, 'task_done')).toHaveLength(1);
    const proof = await env.proof(id);
    expect(proof.gates).toEqual([
      expect.objectContaining({ name: 'test', outcome: 'pre_existing', required: true, exitCode: 1 }),
    ]);
    expect(proof.gates[0]?.tail).toMatch(/fails on base [0-9a-f]{12} too/);
    expect(proof.status).toBe('not_ready');
    expect(proof.failures).toEqual([]);
    // A no-op: the failing test still fails, as on the base. That alone does not block (it is
    // listed as pre-existing), but nothing shows a fix, which a fix goal needs.
    expect(proof.warnings).toContainEqual(expect.stringContaining('that fail on the base too'));
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
    expect(proof.decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          decision: 'fail-to-pass not shown',
          reason: expect.stringContaining('no test that failed on the base passes on the head'),
        }),
      ]),
    );
  });
});
