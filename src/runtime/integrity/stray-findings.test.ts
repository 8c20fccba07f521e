import { describe, expect, it } from 'vitest';
import { strayFindings } from './findings.js';
import { baseLeftoverKeys, leftoverKey } from './gate-leftovers.js';

const WT = '/state/worktrees/g-1/s1-fix';
const BASE = '/state/worktrees/g-1/base';

describe('stray findings', () => {
  it('say the worktree only when the process ran in it, and who ended it', () => {
    const [inside, outside, unknown, sandboxed] = strayFindings(
      {
        checked: true,
        killed: [
          { pid: 10, command: `node ${WT}/server.js`, inWorktree: true },
          { pid: 11, command: 'sleep 300', inWorktree: false },
          { pid: 12, command: '' },
          { pid: 3, command: 'sleep 9', inWorktree: false, endedBy: 'sandbox' },
        ],
      },
      'agent',
      { checkout: WT },
    ).map((f) => [f.severity, f.message]);
    expect(inside).toEqual([
      'blocking',
      expect.stringMatching(
        /^The agent left process 10 running in the worktree after it ended \("node <worktree>\/server\.js"\); omk killed it\./,
      ),
    ]);
    expect(outside).toEqual([
      'blocking',
      expect.stringMatching(
        /^The agent left process 11 \("sleep 300"\) running after it ended; omk ended it\./,
      ),
    ]);
    expect(unknown?.[1]).toMatch(/^The agent left process 12 running after it ended; omk ended it\./);
    expect(sandboxed?.[1]).toMatch(
      /^The agent left process 3 \("sleep 9"\) running in its sandbox after it ended; it was ended when the sandbox closed\./,
    );
    for (const message of [inside, outside, unknown, sandboxed]) expect(message?.[1]).not.toContain(WT);
  });

  it("let a gate's leftover pass as info only when the base's gates left the same command; an agent's always blocks", () => {
    const keys = baseLeftoverKeys(
      [{ command: `java -cp ${BASE}/gradle/wrapper.jar GradleDaemon 8.5` }, { command: '' }],
      BASE,
    );
    expect(keys).toEqual(['java -cp <checkout>/gradle/wrapper.jar GradleDaemon 8.5']);
    const scan = {
      checked: true as const,
      killed: [
        { pid: 20, command: `java  -cp ${WT}/gradle/wrapper.jar GradleDaemon 8.5`, inWorktree: true },
        { pid: 21, command: `java -cp ${WT}/gradle/wrapper.jar Other`, inWorktree: true },
        { pid: 22, command: '', inWorktree: true },
      ],
    };
    const gates = strayFindings(scan, 'gates', { checkout: WT, baseLeftBehind: keys });
    expect(gates.map((f) => f.severity)).toEqual(['info', 'blocking', 'blocking']);
    expect(gates[0]?.message).toMatch(/as they did on the goal's base before any agent ran/);
    expect(
      strayFindings(scan, 'agent', { checkout: WT, baseLeftBehind: keys }).map((f) => f.severity),
    ).toEqual(['blocking', 'blocking', 'blocking']);
    // Without the base's list, the daemon blocks as any leftover does.
    expect(strayFindings(scan, 'gates', { checkout: WT }).map((f) => f.severity)).toEqual([
      'blocking',
      'blocking',
      'blocking',
    ]);
  });

  it('compare long command lines cut at different places by their start', () => {
    const classpath = Array.from({ length: 80 }, (_, i) => `/home/u/.gradle/lib/dep-${i}.jar`).join(':');
    const cut = (text: string) => (text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text);
    const onBase = cut(`java -Dwd=${BASE} -cp ${classpath} GradleDaemon`);
    const onSlice = cut(`java -Dwd=${WT} -cp ${classpath} GradleDaemon`);
    expect(onBase).not.toBe(onSlice.replace(WT, BASE));
    expect(leftoverKey(onSlice, WT)).toBe(leftoverKey(onBase, BASE));
  });
});
