/**
 * The documented opt-outs of the tools a JavaScript project's install uses to set up git hooks,
 * given to omk's own install and `workspace.setup` commands (never to agents or gates, whose
 * writes to the shared `.git` stay blocking findings). Each tool writes to the repository's shared
 * `.git` when it runs in a worktree: husky's `prepare` sets `core.hooksPath` in `.git/config`,
 * simple-git-hooks and lefthook write `.git/hooks/*`. A worktree of omk's needs none of them: omk's
 * own git runs no hooks, and the user's checkout keeps whatever hooks the user installed.
 */
export const HOOK_INSTALLER_OPT_OUTS: Readonly<Record<string, string>> = {
  // husky 9: `HUSKY=0` skips `husky` (the install) and the hooks themselves.
  HUSKY: '0',
  // simple-git-hooks: skips the install (its CLI and its postinstall) ...
  SKIP_INSTALL_SIMPLE_GIT_HOOKS: '1',
  // ... and the hooks it wrote, should a git command of the install run one.
  SKIP_SIMPLE_GIT_HOOKS: '1',
  // lefthook: `LEFTHOOK=0` turns its hooks off but not `lefthook install`; its npm postinstall
  // (2.2.1, read, not run here) skips the install when `CI` is set, which the gate environment's
  // `CI=true` is for omk's install, and `LEFTHOOK` does not force it. A `CI=false` of the user's
  // own would let it write: that is put back after the step (own-step.ts).
  LEFTHOOK: '0',
  LEFTHOOK_NO_AUTO_INSTALL: '1',
};
