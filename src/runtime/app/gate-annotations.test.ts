import { describe, expect, it } from 'vitest';
import { gate } from '../proof/test-evidence.js';
import { gateAnnotationsOf, loggedGateAnnotations } from './gate-annotations.js';

describe('gateAnnotationsOf', () => {
  it('puts a failing gate on the lines its output names, relative to the group root, each line once', () => {
    const tail =
      '/wt/s1/src/a.js:4: lint error\n/wt/s1/src/a.js:4: lint error\n/wt/s1/src/b.js:9: lint error';
    const lint = gate({ kind: 'lint', outcome: 'failed', exitCode: 1, tail });
    const group = { gates: [lint], root: '/wt/s1' };
    const found = gateAnnotationsOf([group, group], '/repo', 50);
    expect(found.map((a) => [a.level, a.title, a.line?.path, a.line?.startLine])).toEqual([
      ['failure', 'omk gate lint: failed', 'src/a.js', 4],
      ['failure', 'omk gate lint: failed', 'src/b.js', 9],
    ]);
  });

  it('gives a failing gate whose output names no line one annotation without a line; a passed gate none', () => {
    const timeout = gate({ kind: 'test', outcome: 'timeout', exitCode: null, tail: 'killed after 10m' });
    const passed = gate({ kind: 'build', outcome: 'passed', exitCode: 0, tail: 'src/a.js:1: fine' });
    const found = gateAnnotationsOf([{ gates: [timeout, passed], root: null }], '/repo', 50);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 'failure', line: null, gate: { name: timeout.name } });
  });

  it('only warns for a failure that is pre-existing, and stops at the most it is asked for', () => {
    const tail = Array.from({ length: 10 }, (_, i) => `src/a.js:${i + 1}: lint error`).join('\n');
    const lint = gate({ kind: 'lint', outcome: 'pre_existing', exitCode: 1, tail });
    const found = gateAnnotationsOf([{ gates: [lint], root: null }], '/repo', 3);
    expect(found.map((a) => [a.level, a.line?.startLine])).toEqual([
      ['warning', 1],
      ['warning', 2],
      ['warning', 3],
    ]);
  });
});

describe('loggedGateAnnotations', () => {
  it('puts paths relative to the workspace above working-directory, and says how a lineless gate ended', () => {
    const lint = gate({ kind: 'lint', outcome: 'failed', exitCode: 1, tail: 'src/a.js:4: lint error' });
    const timeout = gate({ kind: 'test', outcome: 'timeout', exitCode: null, tail: 'killed after 10m' });
    const groups = [{ gates: [lint, timeout], root: null }];
    const [onLine, lineless] = loggedGateAnnotations(groups, { repoRoot: '/ws/app', workspace: '/ws' }, 50);
    expect(onLine).toMatchObject({ level: 'failure', file: 'app/src/a.js', startLine: 4 });
    expect(lineless?.file).toBeUndefined();
    expect(lineless?.message).toMatch(/^test .*its output is in the job summary\.$/);
    const outside = loggedGateAnnotations(groups, { repoRoot: '/elsewhere', workspace: '/ws' }, 1);
    expect(outside[0]?.file).toBe('src/a.js');
  });
});
