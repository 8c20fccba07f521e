import { describe, expect, it } from 'vitest';
import { leftoversMessage } from './leftovers.js';

const PLACES = { worktrees: '/state/worktrees/g-1', goalDir: '/state/goals/g-1', root: '/repo' };

describe('the goal-level leftovers message', () => {
  it("says a sandbox's leftovers by command in that sandbox, and the same leftover of two runs once", () => {
    const message = leftoversMessage(
      'g-1',
      [
        { pid: 13, command: '/bin/sh hostile.sh', endedBy: 'sandbox', ranIn: PLACES.goalDir },
        { pid: 13, command: '/bin/sh hostile.sh', endedBy: 'sandbox', ranIn: PLACES.goalDir },
        { pid: 13, command: 'sleep 300', endedBy: 'sandbox', ranIn: `${PLACES.worktrees}/s1-fix` },
        { pid: 4242, command: 'sleep 301', ranIn: `${PLACES.worktrees}/s1-fix` },
        { pid: 7, command: 'node server.js', endedBy: 'sandbox', ranIn: PLACES.root },
      ],
      PLACES,
    );
    expect(message).toBe(
      'A process omk started for goal g-1 left processes running after its run ended: ' +
        `"/bin/sh hostile.sh" (2 processes) in the planner's sandbox, ` +
        `"sleep 300" in slice s1-fix's sandbox, pid 4242 ("sleep 301"), ` +
        `"node server.js" in the sandbox of a run in the repository (the base's gates or setup); ` +
        'they were ended; omk delivered nothing.',
    );
    expect(message).not.toContain('pid 13');
  });

  it("names each of the planner's two runs' pid-3 sleepers once, never the same pid twice", () => {
    // What the new user's run said: the planner (asked twice) left a sleeper in each run, each its
    // sandbox's pid 3, the first caught before its exec had got past setsid and nohup.
    const message = leftoversMessage(
      'g-1',
      [
        { pid: 3, command: 'setsid nohup sleep 300', endedBy: 'sandbox', ranIn: PLACES.goalDir },
        { pid: 3, command: 'sleep 300', endedBy: 'sandbox', ranIn: PLACES.goalDir },
        { pid: 3, command: 'sleep 300', endedBy: 'sandbox', ranIn: `${PLACES.worktrees}/s1-fix` },
        { pid: 4, command: 'sleep 300', endedBy: 'sandbox', ranIn: `${PLACES.worktrees}/s1-fix` },
      ],
      PLACES,
    );
    expect(message).toBe(
      'A process omk started for goal g-1 left processes running after its run ended: ' +
        `"setsid nohup sleep 300", "sleep 300" in the planner's sandbox, "sleep 300" (2 processes) in slice s1-fix's sandbox; ` +
        'they were ended; omk delivered nothing.',
    );
    expect(message).not.toMatch(/pid 3\b/);
  });

  it('says which runs could not tell what they left, apart from what others left', () => {
    const message = leftoversMessage(
      'g-1',
      [
        { pid: 0, command: '', unreported: true, endedBy: 'sandbox', ranIn: PLACES.goalDir },
        { pid: 3, command: 'sleep 9', endedBy: 'sandbox', ranIn: `${PLACES.worktrees}/s2` },
      ],
      PLACES,
    );
    expect(message).toBe(
      `A process omk started for goal g-1 left a process running after its run ended: "sleep 9" in slice s2's sandbox; it was ended; ` +
        "one also ran where omk could not tell what it left (the planner's sandbox): its sandbox's report did not complete " +
        "(something ended the sandbox's init); omk delivered nothing.",
    );
    expect(message).not.toContain('pid 0');
  });
});
