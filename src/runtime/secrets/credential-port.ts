/**
 * The credential a checkout persisted for git (`actions/checkout`'s default
 * `persist-credentials: true` leaves `http.<url>.extraheader = AUTHORIZATION: basic …` in
 * `.git/config`), taken out of the repository's config while agents and gates run.
 */
export interface CredentialGuard {
  /**
   * Removes the persisted headers from `repoRoot`'s `.git/config`, first putting back any a run
   * that crashed left in `stashDir`; the removed values wait in `stashDir` (omk's private state,
   * never a worktree or the state branch) until `restore`. A call while another live omk holds
   * them away does nothing.
   */
  away(repoRoot: string, stashDir: string): Promise<{ restore(): Promise<void> }>;
}
