import { describe, expect, it } from 'vitest';
import type { IntegrityBaselineScope, IntegrityChange, IntegrityPort } from '../integrity/port.js';
import { beginCheckedRun, createSharedGitActivity, ownStep } from './own-step.js';

/** A shared `.git` in memory: `baseline` snapshots it, `check` restores it and says what differed. */
function fakeGit() {
  const files = new Map<string, string>([['.git/config', '[core]\n']]);
  const calls = { baselines: 0, checks: 0 };
  const integrity: Pick<IntegrityPort, 'baseline'> = {
    async baseline(_scope: IntegrityBaselineScope) {
      calls.baselines += 1;
      const snapshot = new Map(files);
      return {
        async check(): Promise<IntegrityChange[]> {
          calls.checks += 1;
          const changes: IntegrityChange[] = [];
          for (const [what, text] of files) {
            const was = snapshot.get(what);
            if (was === text) continue;
            changes.push({ what, change: was === undefined ? 'added' : 'changed', restored: true });
            if (was === undefined) files.delete(what);
            else files.set(what, was);
          }
          return changes;
        },
      };
    },
  };
  return { files, calls, integrity };
}

const SCOPE = { repoRoot: '/repo', home: null };

/** A promise and its resolve, to hold a step or a run open while the test acts. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("omk's own step next to the shared .git", () => {
  it('puts back what its step wrote and names it, when no agent or gate ran meanwhile', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    const { result, shared } = await ownStep(activity, git.integrity, SCOPE, 'install', async () => {
      git.files.set('.git/config', '[core]\n\thooksPath = .husky/_\n');
      git.files.set('.git/hooks/pre-commit', 'npm test');
      return 'installed';
    });
    expect(result).toBe('installed');
    expect(shared).toEqual({
      kind: 'checked',
      labels: ['install'],
      changes: [
        { what: '.git/config', change: 'changed', restored: true },
        { what: '.git/hooks/pre-commit', change: 'added', restored: true },
      ],
    });
    expect([...git.files]).toEqual([['.git/config', '[core]\n']]);
  });

  it('puts nothing back when an agent ran while the step did: that run is checked for it', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    const hold = gate();
    let endAgent = () => {};
    const step = ownStep(activity, git.integrity, SCOPE, 'install', async () => {
      await hold.opened;
      return 'installed';
    });
    // The agent starts while omk's step runs and plants a hook.
    await new Promise((resolve) => setImmediate(resolve));
    endAgent = await beginCheckedRun(activity);
    git.files.set('.git/hooks/post-commit', 'curl evil');
    hold.open();
    const { shared } = await step;
    endAgent();
    expect(shared).toEqual({ kind: 'overlapped', labels: ['install'] });
    expect(git.calls.checks).toBe(0);
    expect(git.files.get('.git/hooks/post-commit')).toBe('curl evil');
  });

  it('puts nothing back when an agent was already running as the step began', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    const endAgent = await beginCheckedRun(activity);
    const { shared } = await ownStep(activity, git.integrity, SCOPE, 'install', async () => {
      git.files.set('.git/hooks/post-commit', 'curl evil');
    });
    endAgent();
    expect(shared.kind).toBe('overlapped');
    expect(git.files.get('.git/hooks/post-commit')).toBe('curl evil');
    // Ended: the next step alone puts back what it writes again.
    const next = await ownStep(activity, git.integrity, SCOPE, 'install', async () => {
      git.files.set('.git/config', 'changed');
    });
    expect(next.shared).toMatchObject({ kind: 'checked', changes: [{ what: '.git/config' }] });
    expect(git.files.get('.git/config')).toBe('[core]\n');
  });

  it('overlapping own steps share one snapshot; the last to end checks', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    const hold = gate();
    const first = ownStep(activity, git.integrity, SCOPE, 'the base', async () => {
      git.files.set('.git/config', 'hooksPath');
      await hold.opened;
    });
    const second = ownStep(activity, git.integrity, SCOPE, 's1', async () => {
      git.files.set('.git/hooks/pre-commit', 'npm test');
    });
    expect((await second).shared).toEqual({ kind: 'pending' });
    hold.open();
    expect((await first).shared).toMatchObject({ kind: 'checked', labels: ['the base', 's1'] });
    expect(git.calls).toEqual({ baselines: 1, checks: 1 });
    expect([...git.files]).toEqual([['.git/config', '[core]\n']]);
  });

  it('a failing step still has its writes put back, then its error thrown', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    await expect(
      ownStep(activity, git.integrity, SCOPE, 'install', async () => {
        git.files.set('.git/config', 'hooksPath');
        throw new Error('npm ci failed');
      }),
    ).rejects.toThrow('npm ci failed');
    expect(git.files.get('.git/config')).toBe('[core]\n');
    expect(activity).toEqual(createSharedGitActivity());
  });

  it('an agent run waits for a closing check, so its snapshot never sees half a restore', async () => {
    const git = fakeGit();
    const activity = createSharedGitActivity();
    const hold = gate();
    const slow: Pick<IntegrityPort, 'baseline'> = {
      async baseline(scope) {
        const watch = await git.integrity.baseline(scope);
        return {
          async check() {
            await hold.opened;
            return watch.check();
          },
        };
      },
    };
    const step = ownStep(activity, slow, SCOPE, 'install', async () => {
      git.files.set('.git/config', 'hooksPath');
    });
    while (activity.closing === null) await new Promise((resolve) => setImmediate(resolve));
    let started = false;
    const agent = beginCheckedRun(activity).then((end) => {
      started = true;
      return end;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
    hold.open();
    expect((await step).shared.kind).toBe('checked');
    (await agent)();
    expect(started).toBe(true);
    expect(activity.runs).toBe(0);
  });
});
