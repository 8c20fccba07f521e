import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
} from '../helpers/execution.js';

/**
 * A lint gate omk cannot read: a shell script that prints free text and exits 1, on the base and
 * on the head. Its diagnostics cannot be compared with the base's, so its failure is judged by
 * exit code, and the proof says so by the gate's name and its tool; it is never tolerated as the
 * base's own debt (a correct fix of the parser is not ready while it fails).
 */
let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

const config = (required: boolean) =>
  [
    'version: 1',
    'gates:',
    '  list:',
    '    - name: style',
    '      kind: lint',
    '      run: ["sh", "scripts/lint.sh"]',
    `      required: ${required}`,
    '',
  ].join('\n');

async function runGoal(required: boolean, script: string) {
  env = await createExecutionEnv({
    ...BUGGY_FIXTURE,
    'scripts/lint.sh': script,
    '.omk/config.yml': config(required),
  });
  const agent = await env.kit.script('touch', `${touchWrites}\n${fixTheParser}`);
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
  expect(result.code, result.stderr).toBe(0);
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  return { id, proof: await env.proof(id), stderr: result.stderr };
}

describe('a lint gate whose output omk cannot read', () => {
  it('failing on the base too: pre-existing by exit code only, a gap naming the gate and the tool', async () => {
    const { id, proof, stderr } = await runGoal(
      true,
      '#!/bin/sh\necho "the style checker is unhappy with 3 things"\nexit 1\n',
    );
    const style = proof.gates.find((gate) => gate.name === 'style');
    expect(style).toMatchObject({ kind: 'lint', outcome: 'pre_existing', exitCode: 1 });
    expect(style).not.toHaveProperty('diagnostics');
    expect(style?.tail.split('\n')[0]).toMatch(
      /^\[omk\] fails on base [0-9a-f]{12} too; could not read diagnostics from lint\.sh output; judged by exit code \(none were read on the head nor on base [0-9a-f]{12}\)$/,
    );
    expect(style?.tail).not.toContain('per-test');
    // The fix itself is right (fail→pass), yet the proof is not ready: the lint failure cannot be
    // told apart from one the change made.
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual([
      'parse trims the text',
    ]);
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toEqual([
      {
        code: 'gate_pre_existing',
        message: expect.stringMatching(
          /^Required gate "style" \(lint\) fails on head [0-9a-f]{12} \(exit 1\) and also fails on the base: .*could not read diagnostics from lint\.sh output; judged by exit code, so its failures cannot be told apart from new ones\.$/,
        ),
      },
    ]);
    expect(proof.warnings.join('\n')).not.toContain('does not block');
    // The slice line, the text proof and the Markdown proof (as in PR bodies) say how it was judged:
    // never "pre-existing", which would claim the base's failures were compared one by one.
    expect(stderr).toMatch(/\] done: .*gates 1\/2 passed \(1 failing on base too, judged by exit code\)/);
    expect(stderr).not.toMatch(/\] done: .*pre-existing/);
    const text = await env.omk('goal', 'proof', id);
    expect(text.stdout).toMatch(/^ {2}failing on base too, judged by exit code +style +lint/m);
    expect(text.stdout).toContain('style (failing on base too, judged by exit code) output:');
    const md = await env.omk('goal', 'proof', id, '--format', 'md');
    expect(md.stdout).toContain('| 🟠 failing on base too, judged by exit code | `style` |');
    expect(`${text.stdout}${md.stdout}`).not.toMatch(/\bpre-existing\b/);
  }, 120_000);

  it('failing only on the head: a failure of the change, judged by exit code, as the retry says', async () => {
    // Passes on the base; fails once src/parser.js trims (the agent's fix).
    const { id, proof } = await runGoal(
      true,
      '#!/bin/sh\nif grep -q trim src/parser.js; then echo "style: something is off"; exit 1; fi\necho fine\n',
    );
    expect(proof.status).not.toBe('ready');
    // The slice's attempt failed on it: the failure (and the next attempt's prompt) says how it was judged.
    const pending = eventsOfType(await env.events(id), 'task_pending');
    const failure = String(pending[0]?.data.failure);
    expect(failure).toContain('gate style failed (exit 1):');
    expect(failure).toMatch(
      /\[omk\] passes on base [0-9a-f]{12}: the failure is new; could not read diagnostics from lint\.sh output; judged by exit code \(none were read on the head\)\nstyle: something is off/,
    );
    // Its log is named relative to the slice's worktree, not by a directory of this machine.
    expect(failure).toMatch(/\(full output: \.\.\/[^)]*artifacts\/gates\/[0-9a-f]{12}-style\.log\)/);
    expect(failure).not.toContain(env.stateDir);
  }, 120_000);
});
