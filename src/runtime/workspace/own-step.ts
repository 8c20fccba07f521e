import type {
  IntegrityBaselineScope,
  IntegrityChange,
  IntegrityPort,
  IntegrityWatch,
} from '../integrity/port.js';

/**
 * Who writes next to a goal run's shared `.git` right now: agent and gate runs (each checked by
 * its own snapshot) and omk's own steps (a worktree's install or `workspace.setup`), so that what
 * omk's own step writes there (a hook installer that ignores its opt-out) is put back and not
 * blamed on the next agent, while nothing an agent or a gate writes is ever put back in silence.
 */
export interface SharedGitActivity {
  /** Agent and gate runs in flight: from before their snapshot to after their check. */
  runs: number;
  /** omk's own steps in flight, which share one snapshot taken before the first of them. */
  window: OwnStepWindow | null;
  /** A closing window's check (it restores files): nothing starts until it is done. */
  closing: Promise<void> | null;
}

interface OwnStepWindow {
  steps: number;
  /** An agent or gate run was in flight at some time while the window was open. */
  overlapped: boolean;
  watch: Promise<IntegrityWatch>;
  /** The labels of the steps that ran in it (`base`, a slice id, `integration`). */
  labels: string[];
}

export function createSharedGitActivity(): SharedGitActivity {
  return { runs: 0, window: null, closing: null };
}

/** What omk's own steps did to the shared `.git` and HOME's git config. */
export type OwnStepShared =
  /** Another own step of the window is still running: the last one to end checks. */
  | { kind: 'pending' }
  | { kind: 'checked'; labels: string[]; changes: IntegrityChange[] }
  /**
   * An agent or gate run overlapped the window: what changed cannot be told apart from that
   * run's doing, so nothing is put back here; that run's own checks (and the goal run's baseline
   * before the next run) find it, restore it and block, as for any other change.
   */
  | { kind: 'overlapped'; labels: string[] };

/**
 * Marks an agent or gate run as in flight (after any closing check of omk's own steps); call the
 * returned function once its checks are done.
 */
export async function beginCheckedRun(activity: SharedGitActivity): Promise<() => void> {
  while (activity.closing !== null) await activity.closing;
  activity.runs += 1;
  if (activity.window !== null) activity.window.overlapped = true;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    activity.runs -= 1;
  };
}

/**
 * Runs omk's own `step` inside a snapshot of what must never change (the integrity port's
 * `baseline`: the shared `.git` config, hooks and info, `.gitmodules`, HOME's git config). When
 * the last step of the window ends and no agent or gate ran meanwhile, what differs is put back
 * and returned: omk's own doing, never a finding. The step's own error is thrown after that.
 */
export async function ownStep<T>(
  activity: SharedGitActivity,
  integrity: Pick<IntegrityPort, 'baseline'>,
  scope: IntegrityBaselineScope,
  label: string,
  step: () => Promise<T>,
): Promise<{ result: T; shared: OwnStepShared }> {
  while (activity.closing !== null) await activity.closing;
  if (activity.window === null) {
    activity.window = {
      steps: 0,
      overlapped: activity.runs > 0,
      watch: integrity.baseline(scope),
      labels: [],
    };
  }
  const window = activity.window;
  window.steps += 1;
  window.labels.push(label);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    await window.watch;
    outcome = { ok: true, value: await step() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  window.steps -= 1;
  const shared = window.steps > 0 ? ({ kind: 'pending' } as const) : await close(activity, window);
  if (!outcome.ok) throw outcome.error;
  return { result: outcome.value, shared };
}

async function close(activity: SharedGitActivity, window: OwnStepWindow): Promise<OwnStepShared> {
  const labels = [...window.labels];
  if (window.overlapped || activity.runs > 0) {
    activity.window = null;
    return { kind: 'overlapped', labels };
  }
  let done = () => {};
  activity.closing = new Promise<void>((resolve) => {
    done = resolve;
  });
  try {
    const changes = await (await window.watch).check();
    return { kind: 'checked', labels, changes };
  } finally {
    activity.window = null;
    activity.closing = null;
    done();
  }
}
