import { describe, expect, it } from 'vitest';
import { emptyExecution, sliceRecord } from '../controller/execution-state.js';
import { buildProof } from './build.js';
import { executionWithoutMachinePaths, machineRoots, recordedAgent, relativizer } from './machine-paths.js';
import { renderProofText } from './render-text.js';
import { proofSchema } from './schema.js';
import { evidence, gate } from './test-evidence.js';

const ROOTS = {
  goalDir: '/home/ana/.local/state/omk/goals/g-1',
  repoRoot: '/home/ana/src/app',
  worktreesDir: '/home/ana/.local/state/omk/worktrees/g-1',
  worktrees: ['/mnt/elsewhere/slice-ws'],
  stateRoot: '/home/ana/.local/state/omk',
};

describe('relativizer', () => {
  const rewrite = relativizer(ROOTS);

  it('names artifacts relative to the goal directory', () => {
    expect(rewrite('/home/ana/.local/state/omk/goals/g-1/artifacts/gates/abc-test.log')).toBe(
      'artifacts/gates/abc-test.log',
    );
  });

  it('names files in any of the goal’s worktrees or the checkout relative to the repository', () => {
    expect(
      rewrite(
        'Error at /home/ana/.local/state/omk/worktrees/g-1/s1-fix/src/a.ts:3:1\n' +
          '  at /home/ana/.local/state/omk/worktrees/g-1/integration/test/a.test.ts:9\n' +
          '  in /mnt/elsewhere/slice-ws/lib/x.js and /home/ana/src/app/README.md',
      ),
    ).toBe('Error at src/a.ts:3:1\n  at test/a.test.ts:9\n  in lib/x.js and README.md');
  });

  it('turns a root on its own into "." and leaves look-alike and other paths alone', () => {
    expect(rewrite('cwd: /home/ana/src/app.')).toBe('cwd: ..');
    expect(rewrite('cwd: "/home/ana/src/app"')).toBe('cwd: "."');
    expect(rewrite('/home/ana/src/app-old/x.js /usr/bin/node')).toBe(
      '/home/ana/src/app-old/x.js /usr/bin/node',
    );
    expect(rewrite('/home/ana/.local/state/omk/cache/g-1/cargo-target')).toBe('../../cache/g-1/cargo-target');
  });
});

describe('recordedAgent', () => {
  it('names a script in the repository relative to it, one elsewhere by its file name, other specs as given', () => {
    expect(recordedAgent('script:/home/me/repo/tools/fix.sh', '/home/me/repo')).toBe('script:tools/fix.sh');
    expect(recordedAgent('script:/home/me/repo/tools/fix.sh', '/home/me/repo/')).toBe('script:tools/fix.sh');
    expect(recordedAgent('script:/home/me/agents/fix.sh', '/home/me/repo')).toBe('script:fix.sh');
    // A look-alike directory next to the repository is not inside it.
    expect(recordedAgent('script:/home/me/repo-old/fix.sh', '/home/me/repo')).toBe('script:fix.sh');
    expect(recordedAgent('script:./fix.sh', '/home/me/repo')).toBe('script:./fix.sh');
    expect(recordedAgent('claude', '/home/me/repo')).toBe('claude');
  });
});

describe('executionWithoutMachinePaths', () => {
  const goal = { id: 'g-1', repo: { root: ROOTS.repoRoot, baseRef: 'main', baseSha: 'b'.repeat(40) } };
  const stateRoot = ROOTS.stateRoot;

  it('rewrites gates, agent runs, failures and gaps; where omk keeps its files stays', () => {
    const record = {
      ...emptyExecution(),
      slices: [
        {
          ...sliceRecord(emptyExecution(), 's1'),
          workspace: '/mnt/elsewhere/slice-ws',
          gates: [gate({ tail: 'at /mnt/elsewhere/slice-ws/src/a.js:1' })],
        },
      ],
      finalGates: [
        gate({
          artifact: `${ROOTS.goalDir}/artifacts/gates/c-test.log`,
          tail: `ok ${ROOTS.worktreesDir}/integration/test/a.test.js`,
        }),
      ],
      baseGates: [gate({ artifact: `${ROOTS.goalDir}/artifacts/gates/b-test.log` })],
      agentRuns: [
        {
          taskId: 's1',
          attempt: 1,
          agent: 'script:/tmp/agents-x1/agent.mjs',
          exitCode: 0,
          outcome: 'succeeded' as const,
          durationMs: 5,
          tokens: null,
          usd: null,
          transcript: `${ROOTS.goalDir}/artifacts/agent-runs/s1/transcript-1.log`,
        },
      ],
      failures: [
        { code: 'slice_failed', message: 'x', evidence: `full log: ${ROOTS.goalDir}/artifacts/gates/a.log` },
      ],
      gaps: [{ code: 'prepare_failed', message: `npm ci failed in ${ROOTS.worktreesDir}/s1` }],
    };
    const roots = machineRoots(stateRoot, goal, record);
    expect(roots).toEqual(ROOTS);
    const shown = executionWithoutMachinePaths(record, roots);
    expect(shown.slices[0]?.workspace).toBe('/mnt/elsewhere/slice-ws');
    expect(shown.slices[0]?.gates[0]?.tail).toBe('at src/a.js:1');
    const text = JSON.stringify({ ...shown, slices: shown.slices.map((s) => s.gates) });
    expect(text).not.toContain('/home/ana');
    expect(text).not.toContain('/tmp/');
    expect(shown.finalGates[0]).toMatchObject({
      artifact: 'artifacts/gates/c-test.log',
      tail: 'ok test/a.test.js',
    });
    expect(shown.baseGates[0]?.artifact).toBe('artifacts/gates/b-test.log');
    expect(shown.agentRuns[0]).toMatchObject({
      agent: 'script:agent.mjs',
      transcript: 'artifacts/agent-runs/s1/transcript-1.log',
    });
    expect(shown.failures[0]?.evidence).toBe('full log: artifacts/gates/a.log');
    expect(shown.gaps[0]?.message).toBe('npm ci failed in .');
  });

  it('still reads a proof written with absolute paths', () => {
    const old = buildProof(
      evidence({ gates: [gate({ artifact: `${ROOTS.goalDir}/artifacts/gates/c-test.log` })] }),
    );
    const read = proofSchema.parse(JSON.parse(JSON.stringify(old)));
    expect(read.gates[0]?.artifact).toBe(`${ROOTS.goalDir}/artifacts/gates/c-test.log`);
    expect(renderProofText(read)).toMatch(/^omk proof: READY/);
  });
});
