import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { processHost } from '../../src/adapters/process/host.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { goalReconciler } from '../../src/runtime/app/ports.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { type Reporter, silentReporter, systemClock } from '../../src/runtime/ports.js';
import { createTempRepo, type TempRepo } from './git-repo.js';

const run = promisify(execFile);

/** A job's workspace: its own clone of origin and state root, sharing only the state branch. */
export interface JobWorkspace {
  root: string;
  store: GoalStore;
  remote: ReturnType<typeof createGitStateBranch>;
  reporter: Reporter;
}

/**
 * The demo fixture with a bare origin, and jobs that each work in a clone of their own (as Action
 * jobs and bot jobs do), sharing only the state branch.
 */
export interface SharedJobs {
  repo: TempRepo;
  workspace(name: string, reporter?: Reporter): Promise<JobWorkspace>;
  cleanup(): Promise<void>;
}

export async function createSharedJobs(prefix: string): Promise<SharedJobs> {
  const repo = await createTempRepo({ ...DEMO_FILES });
  const base = await mkdtemp(join(tmpdir(), prefix));
  return {
    repo,
    async workspace(name, reporter = silentReporter) {
      const root = join(base, name);
      await run('git', ['clone', '--quiet', repo.origin, root]);
      const stateRoot = join(base, `${name}-state`);
      const store = new GoalStore({
        files: localStateFiles,
        stateRoot,
        clock: systemClock,
        host: processHost(),
        reporter,
      });
      const remote = createGitStateBranch({ repoRoot: root, stateRoot, reconcile: goalReconciler(store) });
      return { root, store, remote, reporter };
    },
    async cleanup() {
      await repo.cleanup();
      await rm(base, { recursive: true, force: true });
    },
  };
}
