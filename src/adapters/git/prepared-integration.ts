import type { Serialize } from '../../runtime/serialize.js';
import type {
  CreateWorkspaceInput,
  PreparedIntegration,
  SliceWorkspace,
} from '../../runtime/workspace/port.js';
import { type IntegrationWorkspaceInput, openIntegration } from './integrate.js';
import { integrationBranch } from './refs.js';
import { runGit } from './run-git.js';
import { branchExists, canonicalPath } from './worktree.js';

interface Prepared {
  input: IntegrationWorkspaceInput;
  opening: Promise<SliceWorkspace>;
  /** The branch did not exist before: this process made it (and may drop it unused). */
  created: Promise<boolean>;
}

/**
 * Integration workspaces made ahead of time, while agents run, so integrating does not start with
 * a checkout. One per goal; `take` hands it to the integration that follows.
 */
export function createPreparedIntegrations(deps: {
  open(input: CreateWorkspaceInput): Promise<SliceWorkspace>;
  serialize: Serialize;
}) {
  const prepared = new Map<string, Prepared>();
  const keyOf = (input: IntegrationWorkspaceInput) =>
    [input.repoRoot, input.workspaceRoot, input.goalId, input.baseSha].join('\0');

  return {
    prepare(input: IntegrationWorkspaceInput): PreparedIntegration {
      const key = keyOf(input);
      if (!prepared.has(key)) {
        const created = branchExists(input.repoRoot, integrationBranch(input.goalId)).then(
          (exists) => !exists,
        );
        const opening = created.then(() => openIntegration(input, deps.open));
        // Reported by whoever uses it: the integration opens it again and says why it failed.
        opening.catch(() => {});
        prepared.set(key, { input, created, opening });
      }
      return { discard: () => discard(key) };
    },
    take(input: IntegrationWorkspaceInput): Promise<SliceWorkspace> | undefined {
      const key = keyOf(input);
      const entry = prepared.get(key);
      prepared.delete(key);
      return entry?.opening;
    },
  };

  /**
   * Nothing was integrated: drop the worktree, and the branch if this process made it and it still
   * points at the base (update-ref deletes only on that exact value), so an unused integration
   * leaves nothing behind.
   */
  async function discard(key: string): Promise<void> {
    const entry = prepared.get(key);
    if (!entry) return;
    prepared.delete(key);
    const workspace = await entry.opening.catch(() => null);
    if (!workspace || !(await entry.created) || workspace.mode === 'branch-checkout') return;
    const { repoRoot } = entry.input;
    await deps.serialize(await canonicalPath(repoRoot), () =>
      runGit(['worktree', 'remove', '--force', '--', workspace.path], {
        cwd: repoRoot,
        okExitCodes: [0, 128],
      }),
    );
    await runGit(['update-ref', '-d', `refs/heads/${workspace.branch}`, workspace.baseSha], {
      cwd: repoRoot,
      okExitCodes: [0, 1, 128],
    });
  }
}
