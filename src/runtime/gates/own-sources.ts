import { basename, resolve } from 'node:path';
import { createSerializer } from '../serialize.js';
import type { AroundGateRun, GateRunStart, VerifyFn } from './port.js';

/** Dates every file a worktree tracks now (WorkspacePort.dateTrackedNow). */
export type DateTracked = (worktree: string) => Promise<unknown>;

/**
 * The gate verifier of omk's own worktrees (never the user's checkout), where a cargo gate builds
 * that worktree's code. The goal's worktrees share one CARGO_TARGET_DIR, and cargo takes a
 * workspace crate's build for fresh when none of its source files is newer than that build, from
 * whichever worktree it came: a slice whose files were checked out before a parallel slice built
 * its own change there would test that change. So before each run of a gate whose program is
 * cargo, with a CARGO_TARGET_DIR set, every file the worktree tracks is dated now (cargo rebuilds
 * the workspace's own crates from these sources; registry dependencies, fingerprinted by
 * version, stay shared), and the cargo runs sharing one target directory run one at a time:
 * `cargo test` does not hold cargo's lock on the build directory while the test binaries run, so
 * a parallel build would replace them between this build and their run. A fingerprint dated in
 * the future still passes for fresh: what writes the cache outside the gates is named
 * (integrity/goal-cache.ts).
 */
export function ownSourcesVerify(verify: VerifyFn, dateTracked: DateTracked): VerifyFn {
  const own: AroundGateRun = (run, start) => {
    const target = sharedTarget(run);
    if (target === null) return start();
    return oneAtATime(target, async () => {
      await dateTracked(run.cwd);
      return start();
    });
  };
  return (gates, context) => {
    const outer = context.aroundRun;
    const aroundRun: AroundGateRun =
      outer === undefined ? own : (run, start) => outer(run, () => own(run, start));
    return verify(gates, { ...context, aroundRun });
  };
}

/** The target directory of a cargo run (its program cargo, CARGO_TARGET_DIR set); null: none. */
function sharedTarget(run: GateRunStart): string | null {
  const program = basename(run.argv[0] ?? '');
  if (program !== 'cargo' && program !== 'cargo.exe') return null;
  const target = run.env.CARGO_TARGET_DIR;
  return target === undefined || target === '' ? null : resolve(run.cwd, target);
}

/** The cargo runs of this process, one at a time on each target directory. */
const oneAtATime = createSerializer();
