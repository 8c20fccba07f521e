import type { RepoSettingsLoad } from './repo-settings-rules.js';
import type { ThreadCheckout, ThreadHost } from './thread-host.js';
import { checkMergeOnThread, type ThreadMergeCheck } from './thread-merge.js';
import { repoRunOptions, type ThreadRepo } from './thread-repo-run.js';

export type RepoMergeCheck = ThreadMergeCheck | { kind: 'no_settings'; lines: readonly string[] };

/**
 * A gated merge re-evaluated after a CI event by the repository's `.github/omk.yml`
 * (`checkMergeOnThread` with the settings' merge method, as `repoRunOptions` asks the repository
 * for it). Settings that cannot be used leave the merge unattempted (`no_settings`, why as lines):
 * nobody asked for the check, so the host logs it rather than answering anyone.
 */
export async function repoCheckMergeOnThread<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  goalId: string,
  settings: () => Promise<RepoSettingsLoad>,
  repo: ThreadRepo,
): Promise<RepoMergeCheck> {
  const loaded = await settings();
  if (!loaded.ok) return { kind: 'no_settings', lines: loaded.lines };
  return checkMergeOnThread(host, { goalId, method: repoRunOptions(loaded.settings, repo).method });
}
